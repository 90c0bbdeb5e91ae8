package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// The collector policy of a lint run: no collection below the tree's
// estimate (GOGC off, a memory limit), then GOGC=100 with no limit from the
// first collection on, so that a heap that outgrows the estimate (a huge
// file, a large plan) is never collected back to back near a limit.
func TestGCTunerPolicy(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))

	g := newGCTuner()
	defer g.stop()
	if pct := debug.SetGCPercent(-1); pct != -1 {
		t.Fatalf("GOGC = %d at the start, want off", pct)
	}
	if lim := debug.SetMemoryLimit(-1); lim != 256<<20 {
		t.Errorf("limit %d at the start, want 256 MiB", lim)
	}
	g.discovered(20000)
	if lim := debug.SetMemoryLimit(-1); lim != 20000*26<<10 {
		t.Errorf("limit %d after 20,000 files, want %d", lim, 20000*26<<10)
	}
	g.discovered(10) // never lowered
	if lim := debug.SetMemoryLimit(-1); lim != 20000*26<<10 {
		t.Errorf("limit lowered to %d", lim)
	}

	// The first collection hands the collector back to GOGC=100.
	runtime.GC()
	for deadline := time.Now().Add(10 * time.Second); ; runtime.GC() {
		g.mu.Lock()
		done := g.proportional
		g.mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first collection did not switch to proportional pacing")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if pct := debug.SetGCPercent(100); pct != 100 {
		t.Errorf("GOGC = %d after the first collection, want 100", pct)
	}
	if lim := debug.SetMemoryLimit(-1); lim != math.MaxInt64 {
		t.Errorf("limit %d after the first collection, want none", lim)
	}
	g.discovered(100000) // no limit comes back
	if lim := debug.SetMemoryLimit(-1); lim != math.MaxInt64 {
		t.Errorf("limit %d set again after the switch", lim)
	}
}

// GOGC or GOMEMLIMIT in the environment: the runtime is left alone.
func TestGCTunerEnvironmentWins(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	t.Setenv("GOMEMLIMIT", "1GiB")
	g := newGCTuner()
	defer g.stop()
	g.discovered(100000)
	if pct := debug.SetGCPercent(100); pct != 100 {
		t.Errorf("GOGC = %d with GOMEMLIMIT set", pct)
	}
	if lim := debug.SetMemoryLimit(-1); lim != math.MaxInt64 {
		t.Errorf("limit %d with GOMEMLIMIT set", lim)
	}
}
