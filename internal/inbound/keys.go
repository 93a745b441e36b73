package inbound

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/gopayments/payments"
)

// CheckKeys returns an ErrInvalidRequest error naming the first key of the
// JSON object obj that repeats an earlier one, exactly or in another letter
// case: encoding/json matches struct fields case-insensitively and keeps the
// last of repeated keys, so {"merchantKey":"ours","MERCHANTKEY":""} would
// otherwise be read as naming no merchant. Keys are compared as
// encoding/json compares them (decoded, Unicode simple case folding).
//
// Only obj's own members are checked, not those of nested objects. A body
// that is not a JSON object, or is malformed, is not this function's to
// judge: it returns nil and leaves it to the caller's parser.
func CheckKeys(provider string, obj []byte) error {
	obj = bytes.TrimSpace(obj)
	if len(obj) == 0 || obj[0] != '{' {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil {
		return nil
	}
	seen := make(map[string]struct{}, 16)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		key, ok := tok.(string)
		if !ok {
			return nil
		}
		folded := fold(key)
		if _, dup := seen[folded]; dup {
			return duplicate(provider, key)
		}
		seen[folded] = struct{}{}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil
		}
	}
	return nil
}

// CheckParams is CheckKeys for a form-encoded body: a parameter given twice,
// or once more in another letter case, is ErrInvalidRequest. Keys are
// visited in sorted order, so the same body always names the same key.
func CheckParams(provider string, q url.Values) error {
	seen := make(map[string]struct{}, len(q))
	for _, k := range slices.Sorted(maps.Keys(q)) {
		vs := q[k]
		if len(vs) > 1 {
			return duplicate(provider, k)
		}
		f := fold(k)
		if _, dup := seen[f]; dup {
			return duplicate(provider, k)
		}
		seen[f] = struct{}{}
	}
	return nil
}

func duplicate(provider, key string) error {
	shown := key
	if len(shown) > 64 {
		shown = shown[:64] + "…"
	}
	return &payments.Error{Code: payments.InvalidRequest, Provider: provider, Field: key,
		Message: fmt.Sprintf("notify: key %q is given more than once (in some letter case): which one is meant cannot be told", shown)}
}

// fold returns the key every case variant of s shares: each rune replaced
// by the smallest rune of its simple case-folding orbit, as encoding/json
// folds field names.
func fold(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = utf8.AppendRune(b, foldRune(r))
	}
	return string(b)
}

func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}
