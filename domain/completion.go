package domain

import "reflect"

// A case command cannot know what the application layer knows: the directory's
// entries for the organisations it names, the caller's own organisation, fresh ids.
// Its fields declare what it needs with a waymark tag, and Complete fills them in, so
// that a new command needs no code of its own in the application layer:
//
//	OfferID string `waymark:"new"`      // a new id, drawn by the application (what the caller sent is replaced)
//	Bank    OrgRef                      // an organisation, resolved from the directory by its ID
//	Issuer  OrgRef `waymark:"optional"` // resolved only when an ID is given
//	By      OrgRef `waymark:"actor"`    // the caller's own organisation, resolved
//
// (On events the same tag key says what a string is; see Event.)
const (
	tagNewID       = "new"
	tagOptionalOrg = "optional"
	tagActorOrg    = "actor"
)

// Completion is what the application layer supplies to Complete.
type Completion struct {
	NewID             func() string
	Organisation      func(id string) (OrgRef, error) // the directory's entry; an error for an unknown or deactivated one
	ActorOrganisation string                          // the caller's own organisation id
}

var orgRefType = reflect.TypeFor[OrgRef]()

// Complete returns cmd with the fields its tags declare filled in, in the order of its
// fields (so new ids are drawn, and organisations looked up, in a fixed order); cmd is
// not changed. It stops at the first organisation that cannot be resolved and returns
// that error as it is. A command that is not a struct is returned as it is.
func Complete(cmd Command, with Completion) (Command, error) {
	v := reflect.ValueOf(cmd)
	if v.Kind() != reflect.Struct {
		return cmd, nil
	}
	out := reflect.New(v.Type()).Elem()
	out.Set(v)
	for i := range out.NumField() {
		f, field := out.Type().Field(i), out.Field(i)
		tag := f.Tag.Get("waymark")
		switch {
		case tag == tagNewID && f.Type.Kind() == reflect.String:
			field.SetString(with.NewID())
		case f.Type == orgRefType:
			ref := field.Interface().(OrgRef)
			if tag == tagActorOrg {
				ref = OrgRef{ID: with.ActorOrganisation}
			}
			if tag == tagOptionalOrg && ref.ID == "" {
				continue
			}
			resolved, err := with.Organisation(ref.ID)
			if err != nil {
				return nil, err
			}
			field.Set(reflect.ValueOf(resolved))
		}
	}
	return out.Interface().(Command), nil
}
