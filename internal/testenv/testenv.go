// Package testenv finds the real servers that integration tests run against
// (PostgreSQL, an S3 gateway) and the Prometheus binary that tests run
// themselves, named by environment variables that .ci/test sets (starting
// the servers, installing Prometheus) or that you set to servers you run.
//
// Outside CI a missing server skips the test, so `go test ./...` works on a
// laptop with nothing but Go. With CI set, a missing server fails the test:
// CI installs and starts every server, so its absence is a broken pipeline,
// never a reason to report green.
//
// A skip says "server absent: NAME is not set; …": suiteguard counts skips
// with that marker apart, so a run without servers is not reported as a run
// whose tests were deleted.
package testenv

import (
	"os"
	"testing"
)

// PostgresDSN returns the DSN of the test PostgreSQL server
// (DEPLOYSAFE_PG_DSN), or skips/fails t when there is none.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	return need(t, "DEPLOYSAFE_PG_DSN", "PostgreSQL", "starts")
}

// Prometheus returns the path of a prometheus binary
// (DEPLOYSAFE_PROMETHEUS), or skips/fails t when there is none. It is a
// binary, not a shared server: each test runs its own process, with its own
// configuration, storage and port.
func Prometheus(t testing.TB) string {
	t.Helper()
	return need(t, "DEPLOYSAFE_PROMETHEUS", "Prometheus", "installs")
}

// S3 describes the test S3 gateway.
type S3 struct {
	Endpoint        string // e.g. http://127.0.0.1:7070
	Region          string
	AccessKeyID     string
	SecretAccessKey string
}

// S3Gateway returns the test S3 gateway (DEPLOYSAFE_S3_ENDPOINT and the AWS_*
// credentials), or skips/fails t when there is none.
func S3Gateway(t testing.TB) S3 {
	t.Helper()
	s := S3{
		Endpoint:        need(t, "DEPLOYSAFE_S3_ENDPOINT", "the S3 gateway", "starts"),
		Region:          os.Getenv("AWS_REGION"),
		AccessKeyID:     os.Getenv("AWS_ACCESS_KEY_ID"),
		SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
	}
	if s.Region == "" {
		s.Region = "us-east-1"
	}
	return s
}

// InCI reports whether the tests run in CI (CI is set and not "false").
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// need returns env's value, or skips/fails t; verb says what .ci/test does
// to provide it ("starts", "installs").
func need(t testing.TB, env, what, verb string) string {
	t.Helper()
	if v := os.Getenv(env); v != "" {
		return v
	}
	if InCI() {
		t.Fatalf("%s is not set: CI must provide %s (.ci/test %s it)", env, what, verb)
	}
	// The "server absent: NAME" marker is what suiteguard counts; keep it.
	t.Skipf("server absent: %s is not set; run .ci/test (it %s %s), or set %s to one you run", env, verb, what, env)
	return ""
}
