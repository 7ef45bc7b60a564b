package blobstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"gocloud.dev/blob/s3blob"

	"github.com/deploysafe/deploysafe/internal/testenv"
	"github.com/deploysafe/deploysafe/snapshot"
	"github.com/deploysafe/deploysafe/snapshot/blobstore"
	"github.com/deploysafe/deploysafe/snapshot/storetest"
)

// s3Client returns a client for the test gateway.
func s3Client(gw testenv.S3) *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(gw.Endpoint),
		Region:       gw.Region,
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(gw.AccessKeyID, gw.SecretAccessKey, ""),
	})
}

// newBucket creates a uniquely named bucket on the gateway and removes it,
// with its objects, when t ends. The gateway is shared with other packages.
func newBucket(t testing.TB, client *s3.Client) string {
	t.Helper()
	var rnd [6]byte
	rand.Read(rnd[:])
	name := "deploysafe-test-" + hex.EncodeToString(rnd[:])
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket(%s): %v", name, err)
	}
	t.Cleanup(func() {
		p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(name)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Errorf("cleanup: list %s: %v", name, err)
				return
			}
			for _, o := range page.Contents {
				if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: o.Key}); err != nil {
					t.Errorf("cleanup: delete %s/%s: %v", name, aws.ToString(o.Key), err)
				}
			}
		}
		if _, err := client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)}); err != nil {
			t.Errorf("cleanup: DeleteBucket(%s): %v", name, err)
		}
	})
	return name
}

// newS3Store returns a Store on a new bucket of the test gateway.
func newS3Store(t testing.TB) *blobstore.Store {
	t.Helper()
	gw := testenv.S3Gateway(t)
	client := s3Client(gw)
	b, err := s3blob.OpenBucket(context.Background(), client, newBucket(t, client), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return blobstore.New(b)
}

func TestS3Conformance(t *testing.T) {
	storetest.TestStore(t, func(t testing.TB) snapshot.Store { return newS3Store(t) })
}

// TestS3OpenURL opens the gateway through an s3:// URL, credentials from the
// environment as in production.
func TestS3OpenURL(t *testing.T) {
	gw := testenv.S3Gateway(t)
	t.Setenv("AWS_ACCESS_KEY_ID", gw.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", gw.SecretAccessKey)
	bucket := newBucket(t, s3Client(gw))
	q := url.Values{"endpoint": {gw.Endpoint}, "region": {gw.Region}, "use_path_style": {"true"}, "disable_https": {"true"}}
	ctx := context.Background()
	s, err := blobstore.Open(ctx, "s3://"+bucket+"?"+q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.PutIfAbsent(ctx, "manifests/m.json", strings.NewReader("{}")); err != nil {
		t.Fatalf("PutIfAbsent: %v", err)
	}
	if err := s.PutIfAbsent(ctx, "manifests/m.json", strings.NewReader("{}")); !errors.Is(err, snapshot.ErrExist) {
		t.Errorf("second PutIfAbsent = %v, want ErrExist", err)
	}
	if keys, err := s.List(ctx, "manifests/"); err != nil || len(keys) != 1 || keys[0] != "manifests/m.json" {
		t.Errorf("List = %q, %v; want [manifests/m.json]", keys, err)
	}
}

// TestS3GatewayHonoursIfNoneMatch talks to the gateway directly, without
// blobstore's existence pre-check, to prove that the gateway itself refuses
// a conditional write over an existing key with 412 Precondition Failed, for
// PutObject and for CompleteMultipartUpload.
func TestS3GatewayHonoursIfNoneMatch(t *testing.T) {
	gw := testenv.S3Gateway(t)
	client := s3Client(gw)
	bucket := newBucket(t, client)
	ctx := context.Background()
	put := func(body string) error {
		_, err := client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String("k"), Body: strings.NewReader(body), IfNoneMatch: aws.String("*"),
		})
		return err
	}
	if err := put("first"); err != nil {
		t.Fatalf("conditional PutObject of a new key: %v", err)
	}
	if err := put("second"); !isPreconditionFailed(err) {
		t.Errorf("conditional PutObject over an existing key = %v, want 412 PreconditionFailed", err)
	}
	// Multipart: the condition is checked when the upload completes.
	mp, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := client.UploadPart(ctx, &s3.UploadPartInput{
		Bucket: aws.String(bucket), Key: aws.String("k"), UploadId: mp.UploadId, PartNumber: aws.Int32(1),
		Body: bytes.NewReader([]byte("third")),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String("k"), UploadId: mp.UploadId, IfNoneMatch: aws.String("*"),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}},
	})
	if !isPreconditionFailed(err) {
		t.Errorf("conditional CompleteMultipartUpload over an existing key = %v, want 412 PreconditionFailed", err)
		client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("k"), UploadId: mp.UploadId})
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	var got bytes.Buffer
	got.ReadFrom(out.Body)
	if got.String() != "first" {
		t.Errorf("object after refused conditional writes = %q, want %q", got.String(), "first")
	}
}

func isPreconditionFailed(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "PreconditionFailed"
}

// TestS3RacersWithoutPrecheck races conditional writes that all pass the
// existence check (the key is absent when each starts): only the gateway's
// If-None-Match can keep all but one out.
func TestS3RacersWithoutPrecheck(t *testing.T) {
	gw := testenv.S3Gateway(t)
	client := s3Client(gw)
	bucket := newBucket(t, client)
	ctx := context.Background()
	for round := range 10 {
		key := fmt.Sprintf("race/%d", round)
		errs := make(chan error, 6)
		start := make(chan struct{})
		for i := range cap(errs) {
			go func() {
				<-start
				_, err := client.PutObject(ctx, &s3.PutObjectInput{
					Bucket: aws.String(bucket), Key: aws.String(key), IfNoneMatch: aws.String("*"),
					Body: bytes.NewReader(bytes.Repeat([]byte{byte(i)}, 256<<10)),
				})
				errs <- err
			}()
		}
		close(start)
		wins := 0
		for range cap(errs) {
			switch err := <-errs; {
			case err == nil:
				wins++
			case !isPreconditionFailed(err) && !isConflict(err):
				t.Errorf("racing conditional PutObject(%s) = %v, want nil, 412 or 409", key, err)
			}
		}
		if wins != 1 {
			t.Errorf("racing conditional PutObject(%s): %d winners, want exactly 1", key, wins)
		}
	}
}

// isConflict reports S3's 409 ConditionalRequestConflict, which AWS returns to
// a conditional write that races another one still in progress.
func isConflict(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ConditionalRequestConflict"
}
