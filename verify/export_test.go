package verify

// SetMaxShrink lets tests measure shrinking; it returns the old value.
func SetMaxShrink(n int) int { old := maxShrink; maxShrink = n; return old }
