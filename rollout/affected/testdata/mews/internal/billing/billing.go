// Package billing is used by commander only.
package billing

// Total adds amounts.
func Total(a, b int) int { return a + b }
