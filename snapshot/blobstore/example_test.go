package blobstore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/blobstore"
	_ "gocloud.dev/blob/memblob" // the driver of each scheme the program opens
)

func ExampleOpen() {
	ctx := context.Background()
	// In production: "s3://bucket?region=eu-west-1", "gs://bucket", "azblob://container".
	store, err := blobstore.Open(ctx, "mem://")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	fmt.Println(store.PutIfAbsent(ctx, "manifests/m1.json", strings.NewReader(`{"v":1}`)))
	err = store.PutIfAbsent(ctx, "manifests/m1.json", strings.NewReader(`{"v":2}`))
	fmt.Println(errors.Is(err, snapshot.ErrExist))
	r, err := store.Get(ctx, "manifests/m1.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	b, _ := io.ReadAll(r)
	fmt.Println(string(b))
	// Output:
	// <nil>
	// true
	// {"v":1}
}
