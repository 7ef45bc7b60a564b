// Package snapshot takes verified, deduplicated snapshots of database
// partitions before a deploy, checks invariants after it, and restores
// exactly the damaged partitions, atomically and resumably.
//
// A partition is the rows of one table that share a partition key, such as
// one tenant's orders. The main use, around a deploy:
//
//	store, _ := snapshot.NewDirStore("/var/backups/deploysafe")
//	targets := []snapshot.Partition{{Table: "orders", Key: "site-17"}, {Table: "orders", Key: "site-42"}}
//	m, err := snapshot.Take(ctx, src, store, targets, snapshot.ID("deploy-1234"))
//	// … deploy …
//	violations, err := snapshot.Check(ctx, src, m, snapshot.RowCountDrop(0.05))
//	for _, v := range violations {
//		log.Print(v) // orders/site-42: row count dropped 61.0%, …
//	}
//	damaged := snapshot.Damaged(violations)
//	plan, err := snapshot.Diff(ctx, src, store, m, damaged) // the plan: writes nothing
//	fmt.Print(plan)
//	res, err := snapshot.Restore(ctx, src, store, m, damaged) // restores, verified
//
// # Sources and stores
//
// A [Source] is the database (snapshot/sqlsource implements it for
// PostgreSQL and SQLite); a [Store] holds the snapshot ([NewDirStore] for a
// local directory, snapshot/blobstore for S3, GCS, Azure and file:// URLs, with the
// gocloud driver of each scheme imported by the application).
// Rows travel between them in PostgreSQL's COPY TEXT encoding (see
// [Source]). On a directory store, Take makes a snapshot's chunks durable
// together: flushed in the background while the dumps run, and committed,
// each directory synced once, just before the manifest.
//
// # Layout in the store
//
//	chunks/a/abcdef…                  zstd of a chunk; the name is the SHA-256 of its uncompressed bytes
//	manifests/<id>.json.zst           one per snapshot (zstd of its JSON), written last
//	restores/<restore id>/plan.json   a restore's journal: what it restores…
//	restores/<restore id>/done/…      …and each partition it has committed
//	takes/<start>-<random>            a Take in progress, so that Prune keeps its chunks
//	prune/pending.json                when Prune first found each unused chunk unused
//
// [Forget] removes a snapshot's manifest (and its restores' journals);
// [Prune] deletes the chunks no snapshot uses once two runs a grace apart
// found them unused and no Take younger than the grace runs.
//
// Chunks are cut by content (a gear hash, 32 KiB–512 KiB, ~128 KiB on
// average), so a snapshot of unchanged data writes nothing new, and a small
// change rewrites only the chunks around it.
//
// # Guarantees
//
// What holds for a tenant whose rows span several tables (orders,
// order_items … each with the tenant's key), with a Source that is a
// [Pinner] and a [GroupReplacer], as snapshot/sqlsource is:
//
//   - One moment. Every partition of one Take, across tables and parallel
//     workers, is read from one database snapshot, recorded in
//     Manifest.Moment: an order and its items committed together are in
//     the snapshot together or not at all. A Source without Pin is read
//     one partition at a time, each consistent only with itself.
//   - Complete or refused. A read that row-level security would shorten
//     fails (as pg_dump's does); a snapshot is never smaller than the table.
//   - Take writes the manifest last: an interrupted Take leaves no snapshot,
//     and rerunning it (with the same [ID]) completes it.
//   - [Verify] re-reads and re-hashes chunks and names the partition and
//     chunk that is missing or corrupt; Restore verifies before it writes.
//   - A tenant is a unit. Restore writes all selected partitions of one key
//     in one transaction (a Source without ReplaceGroup: each partition in
//     its own), dumps each again inside it and commits only if every one
//     matches the manifest's count and digest. A crash or kill at any
//     point leaves the tenant as it was or as the snapshot has it.
//   - Nothing outside the selection. Rows are changed in place, so no
//     DELETE + INSERT cascades; a delete a foreign key would carry to rows
//     of an unselected table or key is refused before anything is written
//     (sqlsource.ErrDependents), unless [IncludeDependents] adds them. A
//     partition that was not selected is never touched.
//   - Rerunning is safe. An interrupted restore, run again with the same
//     [ID], resumes from its journal; a partition it restored before
//     is compared with the snapshot again and restored again if it was
//     damaged since, never skipped with damage left.
//
// # Metrics and logs
//
// Take, Verify, Diff and Restore record OpenTelemetry metrics through the
// [MeterProvider] option (default: the global provider, a no-op until the
// application installs one), once per call. Every instrument has the
// attribute op: take, verify, rehearse or restore.
//
//	name                            unit          attributes        meaning
//	deploysafe.snapshot.bytes.read  By            op                uncompressed bytes dumped (take) or read from the store
//	deploysafe.snapshot.bytes.stored By           op                compressed bytes of the chunks a snapshot references
//	deploysafe.snapshot.bytes.new   By            op                compressed bytes a take added to the store
//	deploysafe.snapshot.chunks      {chunk}       op, new (take)    chunks cut by a take (new: added) or read
//	deploysafe.snapshot.partitions  {partition}   op, outcome       partitions done, failed or skipped (restored before, unchanged)
//	deploysafe.snapshot.damage      {problem}     op                missing or corrupt chunks and mismatched partitions found
//	deploysafe.snapshot.duration    s             op                how long the call took (histogram)
//
// [Logger] sends a summary of each call at Info, each partition at Debug,
// damage and failed partitions at Warn and Error; without it the package
// logs nothing.
package snapshot
