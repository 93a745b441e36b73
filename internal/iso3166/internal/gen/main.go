// Command gen regenerates table_gen.go from iso3166.csv. It is meant to be
// run by "go generate ./internal/iso3166", which runs it from the iso3166
// package directory.
package main

import (
	"log"
	"os"

	"github.com/gopayments/payments/internal/iso3166/internal/tablegen"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("iso3166 gen: ")
	src, err := os.ReadFile("iso3166.csv")
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
