package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startCPUProfile profiles the process into path until stop is called: how a
// benchmark's server shows where its CPU goes.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// heapProfileAtExit returns what writes the heap profile (the live heap as of the last
// collection, and what was allocated where) to path: how a benchmark's server shows
// what its memory holds and what its requests allocate. The file is created first, so
// a path that cannot be written is refused before serving.
func heapProfileAtExit(path string) (write func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("--heap-profile: %w", err)
	}
	return func() {
		defer f.Close()
		runtime.GC() // the profile's live heap is as of the last collection
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			fmt.Fprintf(os.Stderr, "--heap-profile: %v\n", err)
		}
	}, nil
}
