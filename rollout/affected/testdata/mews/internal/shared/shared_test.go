package shared

import "testing"

func TestBanner(t *testing.T) {
	if Banner("x") == "" {
		t.Fatal("empty banner")
	}
}
