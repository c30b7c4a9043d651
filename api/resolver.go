// Package api is Waymark's GraphQL API: thin gqlgen resolvers that identify the
// caller, map input and call the application layer, and the HTTP server around them.
package api

import "github.com/waymark-org/waymark/app"

// Resolver is the root of gqlgen's resolvers.
type Resolver struct {
	svc *app.Service
}
