package inbound

import (
	"net/url"
	"testing"
)

// A form body whose keys collide names the same key on every reading:
// a parser's error must not depend on map iteration order (found by
// FuzzParseCallbackMatchesMap in CI).
func TestCheckParamsDeterministic(t *testing.T) {
	q := url.Values{"\xcf": {""}, "\xc3": {""}} // both fold to U+FFFD
	first := CheckParams("p", q)
	if first == nil {
		t.Fatal("colliding keys accepted")
	}
	for range 50 {
		if err := CheckParams("p", q); err.Error() != first.Error() {
			t.Fatalf("error %q, then %q", first, err)
		}
	}
}
