package blobstore

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"

	"gocloud.dev/blob"

	"github.com/deploysafe/deploysafe/snapshot"
)

// Open opens the bucket at urlstr and returns a Store on it:
//
//   - s3://bucket?region=…&endpoint=…&use_path_style=true (S3 and S3-compatible gateways)
//   - gs://bucket (Google Cloud Storage)
//   - azblob://container (Azure Blob Storage)
//   - file:///abs/dir (a local directory)
//   - mem:// (in memory, for tests)
//
// As gocloud's convention is, the application imports the drivers it uses,
// which registers them (this package imports none, so a service on S3 does
// not build the GCS and Azure SDKs): `import _ "gocloud.dev/blob/s3blob"`
// for s3://, gcsblob for gs://, azureblob for azblob://, memblob for mem://.
// file:// needs none.
//
// Credentials come from the environment, as each driver documents; the query
// parameters are the driver's (gocloud.dev/aws lists them for s3://). A
// file:// URL is served by [snapshot.NewDirStore] rather than gocloud's fileblob,
// whose put-if-absent is not atomic (see [New]), and takes no query parameters.
// The returned Store owns the bucket: Close it.
func Open(ctx context.Context, urlstr string) (*Store, error) {
	u, err := url.Parse(urlstr)
	if err != nil {
		return nil, fmt.Errorf("blobstore: open: %w", err)
	}
	if u.Scheme == "file" {
		return openDir(u)
	}
	if u.Scheme == "" || !blob.DefaultURLMux().ValidBucketScheme(u.Scheme) {
		return nil, fmt.Errorf("blobstore: open %q: no driver for scheme %q: import its gocloud driver (_ \"gocloud.dev/blob/s3blob\" for s3, gcsblob for gs, azureblob for azblob, memblob for mem)", redact(u), u.Scheme)
	}
	b, err := blob.OpenBucket(ctx, urlstr)
	if err != nil {
		return nil, fmt.Errorf("blobstore: open %q: %w", redact(u), err)
	}
	return &Store{bucket: b, owned: true}, nil
}

// openDir opens file:///dir (or file://localhost/dir) as a DirStore.
func openDir(u *url.URL) (*Store, error) {
	if u.Host != "" && u.Host != "localhost" {
		return nil, fmt.Errorf("blobstore: open %q: file URLs take no host other than localhost", redact(u))
	}
	if u.RawQuery != "" || u.Opaque != "" || u.Path == "" {
		return nil, fmt.Errorf("blobstore: open %q: want file:///absolute/dir with no query parameters", redact(u))
	}
	p := u.Path
	if runtime.GOOS == "windows" && len(p) > 2 && p[0] == '/' && p[2] == ':' {
		p = p[1:] // file:///C:/dir
	}
	d, err := snapshot.NewDirStore(filepath.FromSlash(p))
	if err != nil {
		return nil, fmt.Errorf("blobstore: open %q: %w", redact(u), err)
	}
	return &Store{dir: d}, nil
}

// redact drops user information and query parameters (which may hold keys or
// SAS tokens) from u for error messages.
func redact(u *url.URL) string {
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		c.RawQuery = "…"
	}
	return c.String()
}
