// Command gen regenerates table_gen.go from iso4217.csv. It is meant to be
// run by "go generate ./internal/iso4217", which runs it from the iso4217
// package directory.
package main

import (
	"log"
	"os"

	"github.com/gopayments/payments/internal/iso4217/internal/tablegen"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("iso4217 gen: ")
	src, err := os.ReadFile("iso4217.csv")
	if err != nil {
		log.Fatal(err)
	}
	out, err := tablegen.Generate(src)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("table_gen.go", out, 0o644); err != nil {
		log.Fatal(err)
	}
}
