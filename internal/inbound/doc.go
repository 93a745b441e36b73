// Package inbound holds what the drivers share to receive notifications
// from an untrusted network: a check that a body names no key twice (in any
// letter case), a group that lets concurrent notifications about one
// payment share one confirming status query, and a token bucket that bounds
// how many such queries notifications may start.
package inbound
