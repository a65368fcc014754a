// Package memtest measures what code allocates, so tests can bound the
// memory a hostile input costs without timing anything.
package memtest

import (
	"runtime"
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
