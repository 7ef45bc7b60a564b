// Package heappeak measures a benchmark's peak heap: the live heap, sampled
// every millisecond while the work runs. It serves the benchmarks of every
// package; nothing in the library imports it.
package heappeak

import (
	"runtime/metrics"
	"time"
)

// A Sampler polls the heap from Start until Stop.
type Sampler struct {
	done chan struct{}
	res  chan uint64
}

// Start starts sampling on a goroutine of its own; call Stop to end it.
func Start() *Sampler {
	p := &Sampler{done: make(chan struct{}), res: make(chan uint64)}
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
		var peak uint64
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64() + s[1].Value.Uint64(); v > peak {
				peak = v
			}
			select {
			case <-p.done:
				p.res <- peak
				return
			case <-t.C:
			}
		}
	}()
	return p
}

// Stop ends the sampling and returns the peak in bytes.
func (p *Sampler) Stop() uint64 { close(p.done); return <-p.res }
