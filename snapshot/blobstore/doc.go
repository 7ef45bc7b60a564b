// Package blobstore is a [snapshot.Store] on gocloud.dev/blob, so snapshots
// can live in S3, Google Cloud Storage, Azure Blob Storage or a local directory.
//
//	import _ "gocloud.dev/blob/s3blob" // the driver of each scheme you use
//
//	store, err := blobstore.Open(ctx, "s3://my-snapshots?region=eu-west-1")
//	if err != nil {
//		return err
//	}
//	defer store.Close()
//	manifest, err := snapshot.Take(ctx, source, store, selection)
//
// For an S3-compatible gateway add endpoint=http://host:port&use_path_style=true
// (and disable_https=true for plain HTTP) to the URL. [New] wraps a bucket
// that is already open.
//
// PutIfAbsent is a conditional write (S3 If-None-Match: *, answered with 412
// when the key exists), reported as [snapshot.ErrExist]. Keys follow
// [storekey.Check]. This package imports no cloud driver: a service pays
// only for the SDK of the scheme it imports, and the core snapshot package
// for none.
package blobstore
