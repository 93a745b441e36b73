// Package reliability holds the cross-driver reliability and security
// suites of the payments library. It has no API: everything is in its
// tests, which run every driver (smartpayments, smart2pay, smartpay)
// against its in-process simulator.
//
//   - Fault matrix (faultmatrix_test.go): every driver × every money-moving
//     operation × every fault of internal/faultnet, injected on every
//     attempt and on the first attempt only. Each cell checks the error
//     class against the taxonomy of package payments, that the simulator
//     executed the operation at most once, and that a following Status
//     reconciles to the simulator's own state. The matrix is written to
//     testdata/fault_matrix.md (go test ./reliability -run FaultMatrix
//     -update) and a test keeps it current; docs/reliability.md shows it.
//   - Real sockets (socket_test.go): the network faults again, on real TCP
//     connections through faultnet's proxy (refused, reset on accept, reset
//     after the request, no answer), with the kernel's own errors.
//   - Retries (retry_test.go): which calls retry, at most 1+N attempts,
//     backoff within bounds, Retry-After honoured and capped, nothing after
//     the context's deadline, identical bodies and idempotency keys on every
//     attempt, no retry of a money-moving call the provider does not dedupe.
//   - Outbound (outbound_test.go): a provider answering 307 to another host
//     or to another port of the same host never gets the request followed
//     (neither body nor Authorization reaches the target; money-moving calls
//     are OutcomeUnknown, queries Integrity); the caller's *http.Client is
//     never modified; a caller's client without a timeout is bounded by
//     Config.Timeout; every call has a deadline by default; a context done
//     before sending is Unavailable and the simulator executes nothing.
//   - Notifications (notify_test.go): forged, tampered, oversized, garbage,
//     unknown, duplicated and reordered notifications through
//     payments.NotificationHandler and the Router's handler.
//   - Secrets (secrets_test.go): sentinel card data and credentials pushed
//     through errors, fmt, JSON, slog (text and JSON, debug level), recorded
//     cassettes and recovered panics never appear.
//   - Input (input_test.go): malformed requests are rejected before any I/O
//     with a message naming the field.
//   - Fuzzing (fuzz_test.go): the notification handler of every driver, and
//     the other untrusted parsers in their own packages; scripts/fuzz.sh runs
//     every target.
//
// Everything is offline and deterministic: simulators listen on loopback
// only, and no test depends on the wall clock beyond bounded waits.
package reliability
