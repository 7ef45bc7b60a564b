package mews

import (
	"context"
	"fmt"
	"sync"
)

// fleet is Distributor's instances, in memory: a rollout.Deployer.
type fleet struct {
	mu        sync.Mutex
	cur, prev map[string]string
}

func newFleet(version string, n int) *fleet {
	f := &fleet{cur: map[string]string{}, prev: map[string]string{}}
	for i := 1; i <= n; i++ {
		f.cur[fmt.Sprintf("distributor-%d", i)] = version
	}
	return f
}

func (f *fleet) Deploy(_ context.Context, in, version string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prev[in], f.cur[in] = f.cur[in], version
	return nil
}

func (f *fleet) Rollback(_ context.Context, in string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cur[in] = f.prev[in]
	return nil
}

func (f *fleet) Version(_ context.Context, in string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.cur[in]
	if !ok {
		return "", fmt.Errorf("no instance %q", in)
	}
	return v, nil
}

// bootLog is what an operator would read on a crashed instance.
func (f *fleet) bootLog(ctx context.Context, in string) string {
	if v, _ := f.Version(ctx, in); v == "v42" {
		return "boot: " + crash + " (minifier renamed registerHandlers)"
	}
	return "boot: ok"
}

func (f *fleet) names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.cur))
	for i := 1; i <= len(f.cur); i++ {
		out = append(out, fmt.Sprintf("distributor-%d", i))
	}
	return out
}

func (f *fleet) count(version string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, v := range f.cur {
		if v == version {
			n++
		}
	}
	return n
}

func (f *fleet) crashed() int { return f.count("v42") }
