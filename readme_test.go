package payments_test

import (
	"bytes"
	"os"
	"testing"
)

// TestREADMEFirstProgram fails when the README's first Go block is not
// examples/firstscreen/main.go byte for byte: the program a newcomer copies
// from the README is the one examples/firstscreen's test runs.
func TestREADMEFirstProgram(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	program, err := os.ReadFile("examples/firstscreen/main.go")
	if err != nil {
		t.Fatal(err)
	}
	const open, fence = "```go\n", "\n```\n"
	i := bytes.Index(readme, []byte(open))
	if i < 0 {
		t.Fatal("README.md has no ```go block")
	}
	block := readme[i+len(open):]
	j := bytes.Index(block, []byte(fence))
	if j < 0 {
		t.Fatal("README.md's first ```go block is not closed")
	}
	block = block[:j+1] // with the program's final newline
	if !bytes.Equal(block, program) {
		t.Errorf("README.md's first ```go block differs from examples/firstscreen/main.go: copy the file into the README (it is the block right after the opening paragraphs)\nREADME:\n%s\nmain.go:\n%s", block, program)
	}
}
