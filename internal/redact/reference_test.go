package redact

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// The scanner as it was before it copied in bulk (commit 61d5149), kept as
// the reference of FuzzRewriteMatchesReference.

func rewriteJSONRef(body []byte) ([]byte, error) {
	out := make([]byte, 0, len(body))
	// Per open container: is it an object, and are we expecting a key?
	type frame struct {
		object    bool
		expectKey bool
		class     keyClass // of the current key, in an object
		inherit   keyClass // of the key this container is the value of
	}
	var stackBuf [16]frame
	stack := stackBuf[:0]
	valueClass := func() keyClass {
		if len(stack) == 0 {
			return keyPlain
		}
		f := stack[len(stack)-1]
		if f.object && f.class != keyPlain {
			return f.class
		}
		return f.inherit
	}
	afterValue := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].expectKey = true
		}
	}
	// canStart: a value (or key) may begin here. Two values with only
	// whitespace between them are not JSON, and compacting them would join
	// their digits into one run.
	canStart := true
	for i := 0; i < len(body); {
		c := body[i]
		if !canStart && c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != ':' && c != ',' && c != '}' && c != ']' {
			return nil, errNotJSON
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			i++
		case '{', '[':
			stack = append(stack, frame{object: c == '{', expectKey: c == '{', inherit: valueClass()})
			out = append(out, c)
			i++
		case '}', ']':
			if len(stack) == 0 || stack[len(stack)-1].object != (c == '}') {
				return nil, errNotJSON
			}
			stack = stack[:len(stack)-1]
			out = append(out, c)
			i++
			afterValue()
			canStart = false
		case ':', ',':
			out = append(out, c)
			i++
			canStart = true
		case '"':
			j := stringEndRef(body, i)
			if j < 0 {
				return nil, errNotJSON
			}
			raw := body[i:j] // with its quotes
			i = j
			canStart = false
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
				stack[n-1].class = classifyRawKey(raw)
				stack[n-1].expectKey = false
				out = appendMaskedRef(out, raw, false) // a card number as a key is still one
				continue
			}
			switch valueClass() {
			case keyPAN:
				out = appendMaskedRef(out, raw, true)
			case keySecret:
				out = append(out, `"`+Mask+`"`...)
			default:
				out = appendMaskedRef(out, raw, false)
			}
			afterValue()
		default: // number, true, false, null
			j := i
			for j < len(body) && !isDelim(body[j]) {
				j++
			}
			lit := body[i:j]
			i = j
			canStart = false
			isNumber := c == '-' || (c >= '0' && c <= '9')
			switch {
			case isNumber && valueClass() == keyPAN:
				if v := panValue(string(lit)); v != string(lit) {
					out = appendQuoted(out, v)
				} else {
					out = append(out, lit...)
				}
			case isNumber && valueClass() == keySecret:
				out = append(out, `"`+Mask+`"`...)
			case len(lit) >= 13 && hasPANRun(lit):
				// A card number sent as a JSON number under a key of no
				// card meaning (or a digit run in malformed input): masked
				// as a string, since a masked number is no longer a number.
				out = appendQuoted(out, PANs(string(lit)))
			default:
				out = append(out, lit...)
			}
			afterValue()
		}
	}
	if len(stack) != 0 {
		return nil, errNotJSON
	}
	return out, nil
}

func stringEndRef(body []byte, i int) int {
	for j := i + 1; j < len(body); j++ {
		switch body[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

func appendMaskedRef(out, raw []byte, pan bool) []byte {
	content := raw[1 : len(raw)-1]
	if bytes.IndexByte(content, '\\') < 0 {
		if pan && digitCount(content) < 13 || !pan && !hasPANRun(content) {
			return append(out, raw...)
		}
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		// A bad escape: only in a body that is not JSON after all
		// (see Decoded). Mask the text as it is.
		return appendQuoted(out, PANs(string(content)))
	}
	var v string
	if pan {
		v = panValue(s)
	} else {
		v = PANs(s)
	}
	if v == s && bytes.IndexByte(content, '\\') < 0 {
		return append(out, raw...)
	}
	return appendQuoted(out, v)
}

// FuzzRewriteMatchesReference: the bulk-copying scanner accepts and rejects
// what the reference does, and its output means the same JSON. (It keeps a
// string's escapes when nothing in it is masked, where the reference
// re-encoded every escaped string, so the bytes may differ there.)
func FuzzRewriteMatchesReference(f *testing.F) {
	f.Add([]byte(`{"card_number":"4012000000003010","cvv":"123","a":[1,2,{"b":null}]}`))
	f.Add([]byte(`{"u":"https:\/\/x.example\/a","n":"\u0034111111111111111","k":{"Number":4111111111111111}}`))
	f.Add([]byte(" [ \"a\" , 4111111111111111 , {\"token\" : {\"x\": [1]}} ] "))
	f.Add([]byte(`}{]["\`))
	f.Fuzz(func(t *testing.T, in []byte) {
		got, gotErr := rewriteJSON(in)
		want, wantErr := rewriteJSONRef(in)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("%q: error %v, reference %v", in, gotErr, wantErr)
		}
		if gotErr != nil {
			return
		}
		if bytes.Equal(got, want) {
			return
		}
		var g, w any
		if json.Unmarshal(got, &g) != nil || json.Unmarshal(want, &w) != nil {
			if json.Valid(in) {
				t.Fatalf("%q: output %q, reference %q: not both JSON", in, got, want)
			}
			// Malformed input (Decoded's contract broken): only the
			// masking matters, checked by FuzzDecoded.
			return
		}
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("%q: output %q means something else than the reference's %q", in, got, want)
		}
	})
}
