package suiteguard

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/deploysafe/deploysafe/internal/testenv"
)

// absent.json: 2 tests pass, 3 skip for absent servers (2 PostgreSQL, 1 S3),
// and 1 skips for another reason.
func TestAbsentServerSkipsAreCountedApart(t *testing.T) {
	for _, verbose := range []bool{false, true} {
		sum, _ := check(t, "absent.json", Options{Verbose: verbose})
		if sum.Passed != 2 || sum.Skipped != 4 || sum.Absent != 3 {
			t.Errorf("verbose=%v: got %v with Absent=%d, want 2 passed, 4 skipped, 3 absent", verbose, sum, sum.Absent)
		}
		if want := "suiteguard: 2 passed, 0 failed, 4 skipped (3 for absent servers)"; sum.String() != want {
			t.Errorf("String() = %q, want %q", sum, want)
		}
	}
	if sum, _ := check(t, "pass.json", Options{}); strings.Contains(sum.String(), "absent") {
		t.Errorf("a run without absent servers mentions them: %q", sum)
	}
}

func TestFloorTellsAbsentServersFromDeletedTests(t *testing.T) {
	const because = "because 3 tests skipped as their servers are absent (DEPLOYSAFE_PG_DSN, DEPLOYSAFE_S3_ENDPOINT not set)"
	tests := []struct {
		stream string
		floor  int
		want   []string // substrings of the one floor problem; nil: no problem
		not    string
	}{
		{"absent.json", 2, nil, ""}, // at the floor
		{"absent.json", 3, []string{"2 tests passed, below the recorded floor of 3, " + because}, "deleted"},
		{"absent.json", 5, []string{"below the recorded floor of 5, " + because}, "deleted"}, // skips exactly cover it
		{"absent.json", 6, []string{"below the recorded floor of 6: 3 skipped because servers are absent", "and 1 more are missing: were tests deleted"}, "tests skipped as"},
		{"pass.json", 5, []string{"4 tests passed, below the recorded floor of 5: were tests deleted or silently disabled?"}, "absent"},
	}
	for _, tt := range tests {
		sum, _ := check(t, tt.stream, Options{Floor: tt.floor})
		if tt.want == nil {
			if !sum.OK() {
				t.Errorf("%s, floor %d: problems %q, want none", tt.stream, tt.floor, sum.Problems)
			}
			continue
		}
		if len(sum.Problems) != 1 {
			t.Errorf("%s, floor %d: problems %q, want one", tt.stream, tt.floor, sum.Problems)
			continue
		}
		p := sum.Problems[0]
		for _, w := range tt.want {
			if !strings.Contains(p, w) {
				t.Errorf("%s, floor %d: %q lacks %q", tt.stream, tt.floor, p, w)
			}
		}
		if strings.Contains(p, tt.not) {
			t.Errorf("%s, floor %d: %q says %q", tt.stream, tt.floor, p, tt.not)
		}
	}
}

func TestAbsentServersInCIAreOneProblem(t *testing.T) {
	sum, _ := check(t, "absent.json", Options{CI: true})
	all := strings.Join(sum.Problems, "\n")
	if len(sum.Problems) != 2 ||
		!strings.Contains(all, "3 tests skipped in CI because servers are absent (DEPLOYSAFE_PG_DSN, DEPLOYSAFE_S3_ENDPOINT not set): CI must start them (example.com/sg/blob.TestPut, example.com/sg/db.TestLock, example.com/sg/db.TestQuery)") ||
		!strings.Contains(all, "example.com/sg/blob.TestGPU was skipped in CI") {
		t.Errorf("want one problem for the absent servers and one for TestGPU, got:\n%s", all)
	}

	allow := AllowList{"example.com/sg/db TestQuery": "r", "example.com/sg/db TestLock": "r", "example.com/sg/blob TestGPU": "r"}
	sum, _ = check(t, "absent.json", Options{CI: true, Allow: allow})
	if len(sum.Problems) != 1 || !strings.Contains(sum.Problems[0], "1 tests skipped in CI because servers are absent (DEPLOYSAFE_S3_ENDPOINT not set)") {
		t.Errorf("allowed absent skips still reported, or the others lost: %q", sum.Problems)
	}
}

func TestAbsentListsAtMostThreeTests(t *testing.T) {
	var b strings.Builder
	for _, name := range []string{"TestA", "TestB", "TestC", "TestD"} {
		b.WriteString(`{"Action":"run","Package":"p","Test":"` + name + `"}` + "\n")
		b.WriteString(`{"Action":"output","Package":"p","Test":"` + name + `","Output":"    x.go:1: server absent: PG_DSN is not set\n"}` + "\n")
		b.WriteString(`{"Action":"skip","Package":"p","Test":"` + name + `"}` + "\n")
	}
	b.WriteString(`{"Action":"run","Package":"p","Test":"TestOK"}` + "\n" + `{"Action":"pass","Package":"p","Test":"TestOK"}` + "\n")
	sum := Check(strings.NewReader(b.String()), &bytes.Buffer{}, Options{CI: true})
	if len(sum.Problems) != 1 || !strings.HasSuffix(sum.Problems[0], "(PG_DSN not set): CI must start them (p.TestA, p.TestB, p.TestC, …)") {
		t.Errorf("got %q", sum.Problems)
	}
}

func TestAbsentMarkerOnlyCountsForSkips(t *testing.T) {
	stream := `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"    x.go:1: server absent: PG_DSN is not set\n"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"skip","Package":"p","Test":"TestB"}
`
	sum := Check(strings.NewReader(stream), &bytes.Buffer{}, Options{Floor: 2})
	if sum.Absent != 0 || len(sum.Problems) != 1 || !strings.Contains(sum.Problems[0], "were tests deleted") {
		t.Errorf("a passing test's message or a plain skip counted as absent: Absent=%d %q", sum.Absent, sum.Problems)
	}
}

// skipRecorder is a testing.TB that records Skipf instead of stopping.
type skipRecorder struct {
	testing.TB
	skipped string
}

func (r *skipRecorder) Helper()                       {}
func (r *skipRecorder) Skipf(format string, a ...any) { r.skipped = fmt.Sprintf(format, a...) }

// testenv's skip message is what the guard recognises: if either side
// changes, skips for absent servers would be blamed on deleted tests again.
func TestTestenvSkipCarriesTheMarker(t *testing.T) {
	t.Setenv("CI", "")
	t.Setenv("DEPLOYSAFE_PG_DSN", "")
	t.Setenv("DEPLOYSAFE_S3_ENDPOINT", "")
	for name, call := range map[string]func(testing.TB){
		"DEPLOYSAFE_PG_DSN":      func(tb testing.TB) { testenv.PostgresDSN(tb) },
		"DEPLOYSAFE_S3_ENDPOINT": func(tb testing.TB) { testenv.S3Gateway(tb) },
	} {
		r := &skipRecorder{TB: t}
		call(r)
		var a absentSkips
		a.see("k", "    x_test.go:9: "+r.skipped+"\n")
		if !a.verdict("k", "p.T", true) || a.names(nil) != name {
			t.Errorf("testenv skip %q: recognised as %q, want %s", r.skipped, a.names(nil), name)
		}
	}
}
