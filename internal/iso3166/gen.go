package iso3166

// table_gen.go is generated from iso3166.csv; edit the CSV, then run
// "go generate ./internal/iso3166". TestTableIsUpToDate fails when the two
// disagree.

//go:generate go run ./internal/gen
