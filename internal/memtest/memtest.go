// Package memtest measures what code allocates, so tests can bound the
// memory a hostile input costs without timing anything.
package memtest

import (
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
)

// Allocated is the bytes f allocates, garbage included.
func Allocated(tb testing.TB, f func()) uint64 {
	tb.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// PeakHeap is the most heap seen in use while f ran, above what was in use
// before: another goroutine samples it as f runs. Garbage not yet collected
// is included, so it is about twice what f keeps; a sample can miss a
// peak, never invent one.
func PeakHeap(f func()) uint64 {
	const heap = "/memory/classes/heap/objects:bytes"
	runtime.GC()
	sample := []metrics.Sample{{Name: heap}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var stop atomic.Bool
	done := make(chan uint64)
	go func() {
		s := []metrics.Sample{{Name: heap}}
		var peak uint64
		for !stop.Load() {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			runtime.Gosched()
		}
		done <- peak
	}()
	f()
	stop.Store(true)
	if peak := <-done; peak > base {
		return peak - base
	}
	return 0
}
