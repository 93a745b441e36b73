package smart2pay

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/gopayments/payments"
)

// refMembers is the reference for soleMember, from encoding/json's token
// reader: whether body is an object, its members' keys (unescaped) and
// values (as written). body must be valid JSON.
func refMembers(t *testing.T, body []byte) (object bool, keys []string, values [][]byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // 1e1000 is valid JSON, not a float64
	tok, err := dec.Token()
	if err != nil {
		t.Fatalf("valid JSON %q: %v", body, err)
	}
	if tok != json.Delim('{') {
		return false, nil, nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("valid JSON %q: %v", body, err)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("valid JSON %q: %v", body, err)
		}
		keys, values = append(keys, tok.(string)), append(values, v)
	}
	return true, keys, values
}

// checkSoleMember compares soleMember with the reference on valid JSON; on
// anything else it only must not panic.
func checkSoleMember(t *testing.T, body []byte) {
	t.Helper()
	key, value, ok := soleMember(body)
	if !json.Valid(body) {
		return
	}
	object, keys, values := refMembers(t, body)
	if ok {
		if !object || len(keys) != 1 || keys[0] != string(key) || !bytes.Equal(values[0], value) {
			t.Fatalf("soleMember(%q) = %q, %q; the body is object=%v with keys %q", body, key, value, object, keys)
		}
		if !plainKey(key) {
			t.Fatalf("soleMember(%q) accepted the key %q", body, key)
		}
		return
	}
	// A one-member object with a plain key is always recognised (otherwise
	// Notify would take the slow path for nothing).
	if object && len(keys) == 1 && plainKey([]byte(keys[0])) && bytes.Contains(body, []byte(`"`+keys[0]+`"`)) {
		t.Fatalf("soleMember(%q) missed the member %q", body, keys[0])
	}
}

// plainKey: printable ASCII, no backslash.
func plainKey(k []byte) bool {
	for _, c := range k {
		if c < 0x20 || c > 0x7e || c == '\\' {
			return false
		}
	}
	return true
}

// soleMemberCases are bodies of every shape soleMember must tell apart.
var soleMemberCases = []string{
	`{"Payment":{"ID":1}}`,
	` {"Payment" : {"ID":1} } `,
	"\t\r\n{\n\"Payout\"\t:\r[]\n}\n",
	`{"Refund":null}`,
	`{"Dispute":"x"}`,
	`{"Dispute":-12.5e+3}`,
	`{"Dispute":true}`,
	`{"Dispute":{"a":"}\"{,]\\","b":[1,{"c":"]"}],"d":"\\\\"}}`,
	`{"Dispute":"\\\\"}`,
	`{"Dispute":"\\\""}`,
	`{"Pay\u006dent":{"ID":1}}`,
	`{"Pay\"ment":1}`,
	`{"":1}`,
	"{\"\xff\":true}",
	`{"Paymént":{"ID":1}}`,
	`{"Payment":{"ID":1},"Refund":{"ID":2}}`,
	`{"Payment":{"ID":1},"Payment":{"ID":2}}`,
	`{"Payment":1 , "x":2}`,
	`{}`,
	`{ }`,
	`[]`,
	`null`,
	`"Payment"`,
	`7`,
	``,
	`{`,
	`{"`,
	`{"Payment`,
	`{"Payment"`,
	`{"Payment":`,
	`{"Payment":{`,
	`{"Payment":{"ID":1}`,
	`{"Payment":{"ID":1}}}`,
	`{"Payment":{"ID":1}} {}`,
	`{"Payment":{"ID":1}}x`,
	`{"Payment":]}`,
	`{"Payment":}`,
	`{"Payment":"\"}`,
	`{"Payment":{"ID":1]}`,
	`{"Payment" {"ID":1}}`,
	`{"Payment":1 2}`,
	`{"Payment":tru}`,
}

func TestSoleMember(t *testing.T) {
	for _, c := range soleMemberCases {
		checkSoleMember(t, []byte(c))
	}
	for _, c := range []struct{ body, key, value string }{
		{` {"Payment" : {"ID":1} } `, "Payment", `{"ID":1}`},
		{`{"Dispute":{"a":"}\"{,]\\","b":[1,{"c":"]"}]}}`, "Dispute", `{"a":"}\"{,]\\","b":[1,{"c":"]"}]}`},
		{`{"Dispute":-12.5e+3 }`, "Dispute", `-12.5e+3`},
	} {
		key, value, ok := soleMember([]byte(c.body))
		if !ok || string(key) != c.key || string(value) != c.value {
			t.Errorf("soleMember(%q) = %q, %q, %v", c.body, key, value, ok)
		}
	}
	for _, body := range []string{`{}`, `{"Payment":1,"Refund":2}`, `{"Pay\u006dent":1}`, `{"Payment":1} x`, `[{"Payment":1}]`} {
		if _, _, ok := soleMember([]byte(body)); ok {
			t.Errorf("soleMember(%q) accepted it", body)
		}
	}
}

// FuzzSoleMember: on valid JSON soleMember agrees with encoding/json's
// tokens; on any input it does not panic.
func FuzzSoleMember(f *testing.F) {
	for _, c := range soleMemberCases {
		f.Add([]byte(c))
	}
	for _, b := range docBodies(f) {
		f.Add([]byte(`{"Payment":` + b + `}`))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkSoleMember(t, body)
	})
}

// FuzzNotifyPaths: whenever the one-pass parse (parseSoleMember) decides,
// the token walk (parseNotificationTokens) decides the same: the same error,
// or the same notification, Raw included.
func FuzzNotifyPaths(f *testing.F) {
	for _, c := range soleMemberCases {
		f.Add([]byte(c), uint8(1))
	}
	for _, b := range docBodies(f) {
		f.Add([]byte(b), uint8(1))
		f.Add([]byte(`{"Payment":`+b+`}`), uint8(2))
		f.Add([]byte(`{"Refund":`+b+`}`), uint8(3))
	}
	f.Add([]byte(`{"Payment":{"ID":9,"Amount":100,"Currency":"EUR","CapturedAmount":100,"3DSecure":null,"Status":{"ID":11}}}`), uint8(3))
	f.Add([]byte(`{"Refund":{"ID":1,"InitialPaymentID":2,"Amount":5,"Currency":"EUR","Status":{"ID":2,"Info":"Success","Reasons":null}}}`), uint8(2))
	f.Add([]byte(`{"Payment":{"ID":1,"Amount":1,"Currency":"KWD","Status":{"ID":"35"},"ReferenceDetails":{"EntityID":12,"QRCodeURL":"x"}}}`), uint8(1))
	f.Add([]byte(`{"Payment":{"ID":1,"Amount":2000,"CapturedAmount":2000,"Currency":"EUR","Status":{"ID":11,"Info":"Captured"}}}`), uint8(2))
	f.Add([]byte(`{"Payment":{"ID":1,"Amount":2000,"CapturedAmount":1000,"Currency":"EUR","Status":{"ID":35,"Info":"Other text"}}}`), uint8(2))
	f.Add([]byte(`{"Payment":{"ID":1,"Amount":2000,"Currency":"EUR","Status":{"ID":2},"STATUS":{"ID":4}}}`), uint8(1))
	f.Add([]byte(`{"Refund":{"ID":1,"ID":2,"Amount":5,"Currency":"EUR"}} `), uint8(2))
	g, err := New(Config{SiteID: 1, APIKey: "k", CardSiteID: 2, CardAPIKey: "c"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, via uint8) {
		v := hostSet(via%3 + 1)
		n, err := g.parseSoleMember(body, v)
		if err == errUndecided {
			if n != nil {
				t.Fatalf("undecided, but %v", n)
			}
			return
		}
		wn, werr := g.parseNotificationTokens(body, v)
		if (err == nil) != (werr == nil) || (err != nil && err.Error() != werr.Error()) {
			t.Fatalf("%q: one pass (%v, %v), token walk (%v, %v)", body, n, err, wn, werr)
		}
		if !reflect.DeepEqual(n, wn) {
			t.Fatalf("%q: one pass %+v, token walk %+v", body, n, wn)
		}
	})
}

// TestReadBody: readBody reads what io.ReadAll over an io.LimitReader of
// maxNotificationBytes+1 reads, whatever the announced length.
func TestReadBody(t *testing.T) {
	for _, size := range []int{0, 1, 511, 512, 2047, 2048, 2049, 100_000, maxNotificationBytes, maxNotificationBytes + 1, maxNotificationBytes + 5000} {
		body := strings.Repeat("x", size)
		want, _ := io.ReadAll(io.LimitReader(strings.NewReader(body), maxNotificationBytes+1))
		for _, announced := range []int64{-1, 0, 1, int64(size), int64(size) + 10, maxNotificationBytes + 1} {
			var r io.Reader = strings.NewReader(body)
			if size < 5000 {
				r = iotest.OneByteReader(r)
			}
			got, err := readBody(r, announced)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("size %d, announced %d: %d bytes, %v; want %d", size, announced, len(got), err, len(want))
			}
		}
	}
	if _, err := readBody(errReader{}, 0); err == nil {
		t.Error("a read error was lost")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// TestVerify: both sites' credentials are recognised, in constant time and
// without allocating for a header of a usual length.
func TestVerify(t *testing.T) {
	g, err := New(Config{SiteID: 30201, APIKey: "hJ5RobYx9r7FfNwCvHY9LXHqqr+FEzrc7aJvQQk4Gaz1mg7Ryy", CardSiteID: 1010, CardAPIKey: "gabi"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		header string
		want   hostSet
		ok     bool
	}{
		{g.apmAuth, viaAlternative, true},
		{" " + g.cardAuth + "\t", viaCard, true},
		{g.apmAuth + "x", 0, false},
		{g.apmAuth + strings.Repeat("A", 1000), 0, false},
		{"", 0, false},
	} {
		if got, ok := g.verify(c.header); got != c.want || ok != c.ok {
			t.Errorf("verify(%q) = %v, %v", c.header, got, ok)
		}
	}
	if n := testing.AllocsPerRun(100, func() { g.verify(g.apmAuth) }); n != 0 {
		t.Errorf("verify allocates %v times", n)
	}
	shared, err := New(Config{SiteID: 5, APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := shared.verify(shared.apmAuth); got != viaAlternative|viaCard || !ok {
		t.Errorf("shared credentials: %v, %v", got, ok)
	}
}

// TestNotificationMemberDuplicateKeys: a Payment or Refund object that gives
// one of its keys twice, exactly or in another letter case, is refused by
// both parse paths (encoding/json would keep the last: a Status of 2
// Success followed by "STATUS" 4 Failed).
func TestNotificationMemberDuplicateKeys(t *testing.T) {
	g, err := New(Config{SiteID: 1, APIKey: "k", CardSiteID: 2, CardAPIKey: "c"})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		`{"Payment":{"ID":1,"Amount":2000,"Currency":"EUR","Status":{"ID":2},"STATUS":{"ID":4}}}`,
		`{"Payment":{"ID":1,"ID":2,"Amount":2000,"Currency":"EUR","Status":{"ID":2}}}`,
		`{"Refund":{"ID":1,"InitialPaymentID":2,"Amount":5,"amount":500,"Currency":"EUR","Status":{"ID":2}}}`,
	} {
		for name, parse := range map[string]func([]byte, hostSet) (*payments.Notification, error){
			"parseNotification": g.parseNotification, "token walk": g.parseNotificationTokens,
		} {
			n, err := parse([]byte(body), viaAlternative)
			if !errors.Is(err, payments.ErrInvalidRequest) || n != nil || !strings.Contains(err.Error(), "more than once") {
				t.Errorf("%s(%s) = %v, %v; want a duplicate-key error", name, body, n, err)
			}
		}
	}
}
