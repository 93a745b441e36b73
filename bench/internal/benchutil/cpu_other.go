//go:build !unix

package benchutil

import "testing"

// CPU reports nothing where getrusage is missing.
func CPU(b *testing.B) (stop func()) { return func() {} }
