package verify

// TB is the part of testing.TB the …T wrappers use; *testing.T, *testing.B
// and *testing.F satisfy it, and so does a fake in an example.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// logger is implemented by testing.TB; wrappers use it when present.
type logger interface {
	Logf(format string, args ...any)
}
