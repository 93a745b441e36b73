// Package bench holds the library's benchmarks that need no driver: the
// stripe-go peer against a fixed-body server, money parsing and minor-unit
// conversion, and the Router's overhead over calling a gateway directly.
// The drivers' benchmarks are in the sub-packages named after them. See
// README.md for how to run them and the latest results.
//
// This is a module of its own (bench/go.mod) so that stripe-go and the
// other peers never enter the library's go.mod.
package bench
