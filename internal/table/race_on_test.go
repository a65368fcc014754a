//go:build race

package table_test

// raceDetector reports whether the tests run under the race detector,
// which multiplies the cost of every allocation: the memory bounds of
// hostile files are measured without it (go test ./...), and the race run
// is for the concurrent parts.
const raceDetector = true
