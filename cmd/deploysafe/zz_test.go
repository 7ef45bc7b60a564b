package main

import (
	"context"
	"testing"

	"github.com/deploysafe/deploysafe/rollout"
	"github.com/deploysafe/deploysafe/rollout/pgjournal"
)

func TestZZBad(t *testing.T) {
	_, dsn := reaperDB(t)
	runRolloutIn(t, dsn, "ok", &fleet{cur: map[string]string{}}, context.Background(), false)
	j, err := pgjournal.Open(context.Background(), dsn, "bad")
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := rollout.New(&fleet{cur: map[string]string{}, fail: "site02"}, rollout.Journal(j))
	p := rolloutPlan(t)
	rep, err := ex.Run(context.Background(), p, p.Fingerprint())
	t.Logf("outcome %v err %v", rep.Outcome, err)
	j.Close()
}
