package main

import (
	"github.com/deploysafe/deploysafe/examples/enterspeed"
	"github.com/deploysafe/deploysafe/examples/internal/replay"
	"github.com/deploysafe/deploysafe/examples/mews"
	"github.com/deploysafe/deploysafe/examples/productsup"
	"github.com/deploysafe/deploysafe/examples/vero"
	"github.com/deploysafe/deploysafe/examples/xervo"
)

// incident is one replay the command runs.
type incident struct {
	name, title string
	replay      replay.Func
}

// incidents in the order they are replayed.
var incidents = []incident{
	{"enterspeed", "Enterspeed: a comparator change, and a suite green while its test did not run", enterspeed.Replay},
	{"vero", "Vero 2017: a storage codec that mixed UTC and local dates", vero.Replay},
	{"productsup", "Productsup 2020: a deploy reached the wrong sites, products dropped", productsup.Replay},
	{"xervo", "Xervo 2015: a cleanup tool with one wrong observer deleted live servers", xervo.Replay},
	{"mews", "Mews 2019: a shared change shipped Distributor unchecked", mews.Replay},
}
