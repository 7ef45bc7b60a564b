// Package shared is code both products use.
package shared

import (
	_ "embed"
	"strings"
)

//go:embed templates/banner.tmpl
var banner string

// Banner greets product.
func Banner(product string) string { return strings.ReplaceAll(banner, "{{product}}", product) }
