package xervo

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/deploysafe/deploysafe/reaper"
)

// cloud is Xervo's infrastructure in memory: servos on hosts in regions,
// the projects that own them and the billing records that charge for them.
type cloud struct {
	mu       sync.Mutex
	servos   map[string]reaper.Resource // every provisioned servo
	hosts    map[string]string          // host → servo→project records, as the host agent stores them
	projects map[string]bool            // project → exists
	stopped  map[string]bool            // quarantined servos
	deleted  []string
	now      time.Time
}

// newCloud builds two large Joyent regions with both host generations, and
// two smaller regions with current-generation hosts only. A few servos
// belong to projects deleted long ago: the real orphans.
func newCloud() *cloud {
	c := &cloud{servos: map[string]reaper.Resource{}, hosts: map[string]string{}, projects: map[string]bool{},
		stopped: map[string]bool{}, now: time.Date(2015, 7, 22, 9, 0, 0, 0, time.UTC)}
	regions := []struct {
		name      string
		prev, cur int // hosts per generation
	}{{"joyent-us-east-1", 12, 20}, {"joyent-eu-ams-1", 6, 10}, {"aws-us-west-2", 0, 8}, {"do-sgp-1", 0, 4}}
	n := 0
	for _, r := range regions {
		for _, g := range []struct {
			gen   string
			hosts int
		}{{"previous", r.prev}, {"current", r.cur}} {
			gen := g.gen
			for h := 0; h < g.hosts; h++ {
				host := fmt.Sprintf("%s-%s-%02d", r.name, gen[:4], h)
				onHost := map[string]string{}
				var pairs []string
				for s := 0; s < 4; s++ {
					n++
					id, project := fmt.Sprintf("servo-%04d", n), fmt.Sprintf("p-%d", n%97)
					c.projects[project] = true
					if n%113 == 0 {
						project = fmt.Sprintf("p-deleted-%d", n) // a project deleted in 2014
					}
					c.servos[id] = reaper.Resource{ID: id, Attrs: map[string]string{
						"region": r.name, "generation": gen, "host": host, "project": project}}
					onHost[id] = project
					pairs = append(pairs, id+"="+project)
				}
				// The slight, overlooked difference: current hosts store a
				// JSON object, previous-generation hosts "servo=project" pairs.
				if gen == "current" {
					b, _ := json.Marshal(onHost)
					c.hosts[host] = string(b)
				} else {
					c.hosts[host] = strings.Join(pairs, ",")
				}
			}
		}
	}
	return c
}

// List implements reaper.Inventory.
func (c *cloud) List(context.Context) (reaper.Listing, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var rs []reaper.Resource
	for _, r := range c.servos {
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
	return reaper.Listing{Resources: rs, AsOf: c.now}, nil
}

// live counts the servos that exist and belong to a project that exists.
func (c *cloud) live() (n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.servos {
		if c.projects[r.Attrs["project"]] {
			n++
		}
	}
	return n
}

func (c *cloud) remove(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.servos, id)
	c.deleted = append(c.deleted, id)
}

// Quarantine, Restore and Delete implement reaper.Deprovisioner: stop the
// servo (reversible), start it again, or deprovision it.
func (c *cloud) Quarantine(_ context.Context, r reaper.Resource, pre reaper.Precondition) error {
	return c.act(r, pre, func() { c.stopped[r.ID] = true })
}

func (c *cloud) Restore(_ context.Context, r reaper.Resource, pre reaper.Precondition) error {
	return c.act(r, pre, func() { delete(c.stopped, r.ID) })
}

func (c *cloud) Delete(_ context.Context, r reaper.Resource, pre reaper.Precondition) error {
	return c.act(r, pre, func() { delete(c.servos, r.ID); c.deleted = append(c.deleted, r.ID) })
}

func (c *cloud) act(r reaper.Resource, pre reaper.Precondition, do func()) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur, ok := c.servos[r.ID]
	if !ok {
		return nil // already gone: idempotent
	}
	if err := pre.Check(cur.Attrs); err != nil {
		return err
	}
	do()
	return nil
}

// Now is the cloud's (simulated) clock, which the reaper reads through
// reaper.Clock.
func (c *cloud) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}
