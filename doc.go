package payments

// The package documentation is in payments.go. This file holds the
// repository-wide go:generate directives; run `go generate` in the
// repository root after changing a driver's Capabilities().

// Rewrite the feature matrix in docs/drivers.md (between <!-- matrix:begin -->
// and <!-- matrix:end -->) from every driver's Capabilities().
//go:generate go run ./internal/cmd/featurematrix
