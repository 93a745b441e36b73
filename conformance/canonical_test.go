package conformance

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

func TestCanonicalJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{name: "sorted keys", in: `{"b":1,"a":2}`, want: `{"a":2,"b":1}`},
		{name: "nested and whitespace", in: " {\n \"z\" : [ 1 , {\"y\":true,\"x\":null} ],\t\"a\":\"s\" }\n", want: `{"a":"s","z":[1,{"x":null,"y":true}]}`},
		{name: "numbers kept as written", in: `{"amount":10.50,"minor":1050,"e":1E+2,"neg":-0.0}`, want: `{"amount":10.50,"e":1E+2,"minor":1050,"neg":-0.0}`},
		{name: "big integer exact", in: `[12345678901234567890123]`, want: `[12345678901234567890123]`},
		{name: "escapes normalised", in: `{"k":"\u0041\/<>&\u00e9"}`, want: `{"k":"A/<>&é"}`},
		{name: "duplicate key last wins", in: `{"a":1,"a":2}`, want: `{"a":2}`},
		{name: "scalar", in: `"x"`, want: `"x"`},
		{name: "empty", in: ``, wantErr: true},
		{name: "trailing data", in: `{} {}`, wantErr: true},
		{name: "trailing garbage", in: `{}x`, wantErr: true},
		{name: "truncated", in: `{"a":`, wantErr: true},
		{name: "not json", in: `amount=10`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CanonicalJSON([]byte(tt.in))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("CanonicalJSON(%q) = %q, want an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("CanonicalJSON(%q): %v", tt.in, err)
			}
			if string(got) != tt.want {
				t.Errorf("CanonicalJSON(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzCanonicalJSON checks that CanonicalJSON accepts exactly the valid
// JSON documents, that its output is valid JSON with the same meaning
// (numbers compared as written), and that it is idempotent.
func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range []string{
		`{"b":1,"a":[true,false,null,"x"]}`, `10.50`, `"\u00e9\ud83d\ude00"`, ` [ ] `, `{"a":{"b":{"c":-1.5e-7}}}`,
		`{"a":1,"a":2}`, `{"amount":"10.50","card":{"number":"4012000000003010"}}`, `nul`, `{"a" 1}`, "\"\xff\"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := CanonicalJSON(data)
		if valid := json.Valid(data); valid != (err == nil) {
			t.Fatalf("json.Valid = %v but CanonicalJSON error = %v for %q", valid, err, data)
		}
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("output %q of %q is not valid JSON", out, data)
		}
		again, err := CanonicalJSON(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", data, out, again, err)
		}
		if !reflect.DeepEqual(decodeNumbers(t, data), decodeNumbers(t, out)) {
			t.Fatalf("meaning changed: %q -> %q", data, out)
		}
	})
}

func decodeNumbers(t *testing.T, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", data, err)
	}
	return v
}
