package snapshot

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/deploysafe/deploysafe/internal/clip"
)

// manifestJSON is a manifest as stored: the JSON of format 1. The exported
// Manifest is shaped for its readers; this is shaped for compatibility.
type manifestJSON struct {
	Format     int             `json:"format"`
	ID         string          `json:"id"`
	Created    time.Time       `json:"created"`
	Moment     string          `json:"moment,omitempty"`
	Chunking   string          `json:"chunking"`
	Tables     []tableJSON     `json:"tables"`
	Partitions []partitionJSON `json:"partitions"`
	Metrics    struct {
		Rows        int64         `json:"rows"`
		Bytes       int64         `json:"bytes"`
		StoredBytes int64         `json:"stored_bytes"`
		NewBytes    int64         `json:"new_bytes"`
		Chunks      int           `json:"chunks"`
		NewChunks   int           `json:"new_chunks"`
		Duration    time.Duration `json:"duration_ns"`
	} `json:"metrics"`
}

type tableJSON struct {
	Schema struct {
		Table           string
		Columns         []column
		PartitionColumn string
		KeyColumns      []string
	} `json:"schema"`
	Fingerprint string `json:"fingerprint"`
}

type partitionJSON struct {
	Partition jsonPartition `json:"partition"`
	Rows      int64         `json:"rows"`
	Bytes     int64         `json:"bytes"`
	Digest    hexDigest     `json:"digest"`
	Chunks    []chunkRef    `json:"chunks"`
	Metrics   struct {
		StoredBytes int64         `json:"stored_bytes"`
		NewBytes    int64         `json:"new_bytes"`
		NewChunks   int           `json:"new_chunks"`
		Duration    time.Duration `json:"duration_ns"`
	} `json:"metrics"`
}

func toJSON(m *Manifest) *manifestJSON {
	j := &manifestJSON{Format: m.format, ID: m.ID, Created: m.Created, Moment: m.Moment, Chunking: m.chunking}
	j.Tables = make([]tableJSON, len(m.tables))
	for i, t := range m.tables {
		tj := &j.Tables[i]
		tj.Schema.Table, tj.Schema.Columns, tj.Schema.PartitionColumn, tj.Schema.KeyColumns = t.Schema.Table, t.Schema.columns(), t.Schema.PartitionColumn, t.Schema.KeyColumns
		tj.Fingerprint = t.Fingerprint
	}
	j.Metrics.Rows, j.Metrics.Bytes, j.Metrics.StoredBytes, j.Metrics.NewBytes = m.Rows, m.Bytes, m.StoredBytes, m.NewBytes
	j.Metrics.Chunks, j.Metrics.NewChunks, j.Metrics.Duration = m.Chunks, m.NewChunks, m.Duration
	j.Partitions = make([]partitionJSON, len(m.Partitions))
	for i, pm := range m.Partitions {
		pj := &j.Partitions[i]
		pj.Partition, pj.Rows, pj.Bytes, pj.Digest, pj.Chunks = jsonPartition(pm.Partition), pm.Rows, pm.Bytes, hexDigest(pm.Digest), pm.chunks
		pj.Metrics.StoredBytes, pj.Metrics.NewBytes, pj.Metrics.NewChunks, pj.Metrics.Duration = pm.StoredBytes, pm.NewBytes, pm.NewChunks, pm.Duration
	}
	for _, pm := range m.Partitions {
		if !utf8.ValidString(pm.Partition.Key) || !utf8.ValidString(pm.Partition.Table) {
			j.Format = binaryKeysFormat
		}
	}
	return j
}

func (j *manifestJSON) manifest() *Manifest {
	m := &Manifest{format: j.Format, ID: j.ID, Created: j.Created, Moment: j.Moment, chunking: j.Chunking}
	m.tables = make([]tableSchema, len(j.Tables))
	for i, tj := range j.Tables {
		s := Schema{Table: tj.Schema.Table, PartitionColumn: tj.Schema.PartitionColumn, KeyColumns: tj.Schema.KeyColumns}
		for _, c := range tj.Schema.Columns {
			s.Columns, s.Types = append(s.Columns, c.Name), append(s.Types, c.Type)
		}
		m.tables[i] = tableSchema{Schema: s, Fingerprint: tj.Fingerprint}
	}
	m.Rows, m.Bytes, m.StoredBytes, m.NewBytes = j.Metrics.Rows, j.Metrics.Bytes, j.Metrics.StoredBytes, j.Metrics.NewBytes
	m.Chunks, m.NewChunks, m.Duration = j.Metrics.Chunks, j.Metrics.NewChunks, j.Metrics.Duration
	m.Partitions = make([]PartitionManifest, len(j.Partitions))
	for i, pj := range j.Partitions {
		pm := &m.Partitions[i]
		pm.Partition, pm.Rows, pm.Bytes, pm.Digest, pm.chunks = Partition(pj.Partition), pj.Rows, pj.Bytes, digest(pj.Digest), pj.Chunks
		pm.StoredBytes, pm.NewBytes, pm.NewChunks, pm.Duration = pj.Metrics.StoredBytes, pj.Metrics.NewBytes, pj.Metrics.NewChunks, pj.Metrics.Duration
	}
	return m
}

// hexDigest is a Digest in JSON: 64 lowercase hex digits.
type hexDigest digest

func (d hexDigest) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(d[:])), nil }

func (d *hexDigest) UnmarshalText(b []byte) error {
	if len(b) != 2*len(d) {
		return fmt.Errorf("%w: digest %q: want %d hex digits", ErrBadManifest, clip.String(string(b)), 2*len(d))
	}
	if _, err := hex.Decode(d[:], b); err != nil {
		return fmt.Errorf("%w: digest %q: %v", ErrBadManifest, clip.String(string(b)), err)
	}
	return nil
}

// jsonPartition is a Partition in JSON, byte for byte: {"Table": …, "Key":
// …} when both are valid UTF-8 (which encoding/json would otherwise
// replace with U+FFFD), else with the invalid one as base64 under
// "TableBase64" or "KeyBase64".
type jsonPartition Partition

type partitionFields struct {
	Table       string `json:"Table,omitempty"`
	TableBase64 string `json:"TableBase64,omitempty"`
	Key         string `json:"Key"`
	KeyBase64   string `json:"KeyBase64,omitempty"`
}

func (p jsonPartition) MarshalJSON() ([]byte, error) {
	f := partitionFields{Table: p.Table, Key: p.Key}
	if !utf8.ValidString(p.Table) {
		f.Table, f.TableBase64 = "", base64.StdEncoding.EncodeToString([]byte(p.Table))
	}
	if !utf8.ValidString(p.Key) {
		f.Key, f.KeyBase64 = "", base64.StdEncoding.EncodeToString([]byte(p.Key))
	}
	return json.Marshal(f)
}

func (p *jsonPartition) UnmarshalJSON(b []byte) error {
	var f partitionFields
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	p.Table, p.Key = f.Table, f.Key
	if f.TableBase64 != "" {
		t, err := base64.StdEncoding.DecodeString(f.TableBase64)
		if err != nil || f.Table != "" {
			return fmt.Errorf("%w: partition table %q: bad TableBase64", ErrBadManifest, clip.String(f.TableBase64))
		}
		p.Table = string(t)
	}
	if f.KeyBase64 != "" {
		k, err := base64.StdEncoding.DecodeString(f.KeyBase64)
		if err != nil || f.Key != "" {
			return fmt.Errorf("%w: partition key %q: bad KeyBase64", ErrBadManifest, clip.String(f.KeyBase64))
		}
		p.Key = string(k)
	}
	return nil
}

func jsonPartitions(ps []Partition) []jsonPartition {
	out := make([]jsonPartition, len(ps))
	for i, p := range ps {
		out[i] = jsonPartition(p)
	}
	return out
}
