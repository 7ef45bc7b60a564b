package promsource_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/deploysafe/deploysafe/internal/testenv"
)

// exporter is the test's own scrape target. Every scrape advances a counter
// i and exposes, as gauges:
//
//	demo_latency{track="baseline"}  100 + i%17
//	demo_latency{track="same"}      the same value (an A/A canary)
//	demo_latency{track="slow"}      three times the value (a known-bad canary)
//	demo_nan                        NaN
//	demo_inf                        +Inf
//	demo_leaving                    the value, until leave is called
type exporter struct {
	*httptest.Server
	scrapes atomic.Int64
	gone    atomic.Bool
}

func newExporter(t testing.TB) *exporter {
	t.Helper()
	e := &exporter{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		v := 100 + float64(e.scrapes.Add(1)%17)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintf(w, "# TYPE demo_latency gauge\n")
		fmt.Fprintf(w, "demo_latency{track=\"baseline\"} %g\ndemo_latency{track=\"same\"} %g\ndemo_latency{track=\"slow\"} %g\n", v, v, 3*v)
		fmt.Fprintf(w, "# TYPE demo_nan gauge\ndemo_nan NaN\n# TYPE demo_inf gauge\ndemo_inf +Inf\n")
		if !e.gone.Load() {
			fmt.Fprintf(w, "# TYPE demo_leaving gauge\ndemo_leaving %g\n", v)
		}
	}))
	t.Cleanup(e.Close)
	return e
}

// leave stops exposing demo_leaving: Prometheus marks it stale at its next scrape.
func (e *exporter) leave() { e.gone.Store(true) }

// startPrometheus runs the test's own Prometheus (testenv.Prometheus) in a
// temp dir on a free port of 127.0.0.1, scraping target every scrape, and
// returns its API once it is ready. The process stops at the end of t.
func startPrometheus(t testing.TB, target string, scrape time.Duration) v1.API {
	t.Helper()
	bin := testenv.Prometheus(t)
	dir := t.TempDir()
	config := fmt.Sprintf(`global:
  scrape_interval: %[1]s
  scrape_timeout: %[1]s
scrape_configs:
  - job_name: promsource-test
    static_configs:
      - targets: [%[2]q]
`, scrape, strings.TrimPrefix(target, "http://"))
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	logFile, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin,
		"--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--log.level=warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	setDeathSignal(cmd) // a killed test binary takes its Prometheus with it
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		_ = logFile.Close()
		if t.Failed() {
			if log, err := os.ReadFile(logFile.Name()); err == nil {
				t.Logf("prometheus log:\n%s", log)
			}
		}
	})

	ready := "http://" + addr + "/-/ready"
	for deadline := time.Now().Add(60 * time.Second); ; {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("prometheus exited before it was ready: %v\n%s", err, log)
		default:
		}
		if resp, err := http.Get(ready); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus at %s not ready after 60s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	client, err := api.NewClient(api.Config{Address: "http://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	return v1.NewAPI(client)
}

// freeAddr returns 127.0.0.1:PORT with a port that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitPoints waits until query, over the window ending now at step, gives
// one series of at least n points: Prometheus needs n scrapes first.
func waitPoints(t testing.TB, a v1.API, query string, window, step time.Duration, n int) {
	t.Helper()
	var got string
	for deadline := time.Now().Add(2*window + 60*time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		end := time.Now()
		v, _, err := a.QueryRange(context.Background(), query, v1.Range{Start: end.Add(-window), End: end, Step: step})
		if err != nil {
			got = err.Error()
			continue
		}
		m, ok := v.(model.Matrix)
		if !ok || len(m) != 1 {
			got = v.String()
			continue
		}
		if len(m[0].Values) >= n {
			return
		}
		got = fmt.Sprintf("%d points", len(m[0].Values))
	}
	t.Fatalf("%s: no series of %d points over %v at %v in time; last answer: %.200s", query, n, window, step, got)
}
