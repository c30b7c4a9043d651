package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// What a release build may stamp into the binary with -ldflags, for example
//
//	go build -ldflags "-X main.version=v1.2.0 -X main.commit=$(git rev-parse HEAD) -X main.buildTime=$(date -u +%FT%TZ)"
//
// (the Dockerfile does). Each one given wins over what Go recorded itself: go build
// stamps the module version and the commit of a checkout into every binary
// (runtime/debug.ReadBuildInfo), but never the build time (builds are reproducible),
// so buildTime is known only from here.
var (
	version   string
	commit    string
	buildTime string
)

// versionInfo is what waymark version prints.
type versionInfo struct {
	Version    string `json:"version"`    // the module version, "(devel)" when none
	Commit     string `json:"commit"`     // VCS revision, "unknown" when none
	Modified   bool   `json:"modified"`   // built from a checkout with uncommitted changes
	CommitTime string `json:"commitTime"` // when the commit was made, "unknown" when none
	BuildTime  string `json:"buildTime"`  // "unknown" unless stamped
	Go         string `json:"go"`         // the Go version it was built with
	Platform   string `json:"platform"`   // GOOS/GOARCH
}

// readVersion reads the binary's build information and the stamped variables.
func readVersion() versionInfo {
	v := versionInfo{Version: "(devel)", Commit: "unknown", CommitTime: "unknown", BuildTime: "unknown",
		Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Commit = s.Value
			case "vcs.time":
				v.CommitTime = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if version != "" {
		v.Version = version
	}
	if commit != "" {
		v.Commit, v.Modified = commit, false // the stamp says what it is, dirty or not
	}
	if buildTime != "" {
		v.BuildTime = buildTime
	}
	return v
}

// versionLine is the version in one line (waymark --version).
func versionLine(v versionInfo) string {
	c := v.Commit
	if v.Modified {
		c += "+dirty"
	}
	return fmt.Sprintf("waymark %s (commit %s, built %s, %s %s)", v.Version, c, v.BuildTime, v.Go, v.Platform)
}

// versionCommand: waymark version [--json]
func versionCommand(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print it as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	v := readVersion()
	if *asJSON {
		return json.NewEncoder(out).Encode(v)
	}
	modified := ""
	if v.Modified {
		modified = " (+dirty: uncommitted changes)"
	}
	_, err := fmt.Fprintf(out, "waymark %s\n  commit:      %s%s\n  commit time: %s\n  built:       %s\n  go:          %s %s\n",
		v.Version, v.Commit, modified, v.CommitTime, v.BuildTime, v.Go, v.Platform)
	return err
}
