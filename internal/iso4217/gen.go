package iso4217

// table_gen.go is generated from iso4217.csv; edit the CSV, then run
// "go generate ./internal/iso4217". TestTableIsUpToDate fails when the two
// disagree.

//go:generate go run ./internal/gen
