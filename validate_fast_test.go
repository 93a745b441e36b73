package payments

import (
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/gopayments/payments/internal/redact"
)

// fastPathTags are the tags with a fast path, as a struct tag spells them.
var fastPathTags = []string{"email", "url", "e164", "ip", "printascii", "max=0", "max=8", "max=64"}

// fastPathCases are inputs for the differential test and the fuzz seed
// corpus: valid, invalid and edge cases for every fast tag.
var fastPathCases = []string{
	"",
	" ",
	".",
	"@",
	"a",
	"\x00",
	"\x7f",
	"\xff",
	"\xc3",
	"é",
	"\t",
	"\n",
	strings.Repeat("a", 64),
	strings.Repeat("a", 65),
	strings.Repeat("é", 32),
	strings.Repeat("é", 33),
	strings.Repeat("x", 10000),

	// email
	"john@example.com",
	"john.doe@example.com",
	"John.Doe+tag@Example.COM",
	"a@b.co",
	"a@b.c",
	"a@b",
	"a@localhost",
	"a@b.c1",
	"a@b.1c",
	"a@1.2.3.4",
	"a@[1.2.3.4]",
	"a@[IPv6:::1]",
	"a@b.co.",
	"a@b..co",
	"a@.b.co",
	"a@-b.co",
	"a@b-.co",
	"a@b.-co",
	"a@b.co-",
	"a@b_c.co",
	"a@b~c.co",
	"a@b.c~o",
	"a@b.c.o",
	".a@b.co",
	"a.@b.co",
	"a..b@b.co",
	"a@@b.co",
	"a@b@c.co",
	"@b.co",
	"a@",
	"a b@c.co",
	" a@b.co",
	"a@b.co ",
	"a@b.co\n",
	"\na@b.co",
	"<a@b.co>",
	"John <a@b.co>",
	"a@b.co (John)",
	`"john doe"@example.com`,
	`"john\"doe"@example.com`,
	`""@example.com`,
	"!#$%&'*+-/=?^_`{|}~@example.com",
	"a/b@example.com",
	"a\\b@example.com",
	"a,b@example.com",
	"a(b)@example.com",
	"a:b@example.com",
	"ü@example.com",
	"a@exämple.com",
	"a@example.cöm",
	"a@xn--exmple-cua.com",
	"a@EXAMPLE.COM",
	"a@example.com.",
	"a@example..com",
	"a@" + strings.Repeat("b", 63) + ".com",
	"a@" + strings.Repeat("b", 64) + ".com",
	strings.Repeat("a", 64) + "@example.com",
	strings.Repeat("a", 65) + "@example.com",
	strings.Repeat("a", 240) + "@example.com",
	strings.Repeat("a", 250) + "@example.com",
	"a@" + strings.Repeat("b.", 200) + "com",
	"a@b.co\x00",
	"a@b.co\xff",
	"a\xff@b.co",

	// url
	"https://shop.example.com/return/success",
	"https://shop.example/ok",
	"http://127.0.0.1:9/notify",
	"http://127.0.0.1",
	"http://localhost:8080",
	"http://localhost:8080/",
	"HTTPS://SHOP.EXAMPLE.COM/Return?Order=1",
	"https://shop.example/ok?order=1&x=%20y",
	"https://shop.example/ok?order=%zz",
	"https://shop.example/%zz",
	"https://shop.example/%2",
	"https://shop.example/%2F",
	"https://shop.example/ok#frag",
	"https://shop.example/ok#frag#frag",
	"https://shop.example/ok#%zz",
	"https://shop.example#",
	"https://shop.example?",
	"https://shop.example/?",
	"https://shop.example:",
	"https://shop.example:/",
	"https://shop.example:80:90/",
	"https://shop.example:123456/",
	"https://shop.example:99999/",
	"https://shop.example:8a/",
	"https://shop.example.:443/",
	"https://.shop.example/",
	"https://shop..example/",
	"https://-shop.example/",
	"https://shop-.example/",
	"https://sh_op.example/",
	"https://user:pass@shop.example/",
	"https://user@shop.example/",
	"https://@shop.example/",
	"https://[::1]/",
	"https://[::1]:443/",
	"https://[fe80::1%25en0]/",
	"https://[1.2.3.4]/",
	"https://::1/",
	"https://shop.example/a b",
	"https://shop.example/a\tb",
	"https://shop.example/a\x7fb",
	"https://shop.example/ä",
	"https://shöp.example/",
	"https://shop.example/a\\b",
	"https://shop.example/a|b",
	"https://shop.example/a\"b",
	"https://shop.example/a<b>",
	"https://shop.example/a{b}",
	"https://shop.example/a^b`",
	"https://shop.example/!$&'()*+,;=:@/-._~",
	"https://shop.example?a=b/c?d",
	"https://shop.example/a@b",
	"https:shop.example",
	"https:/shop.example",
	"https://",
	"https:///path",
	"http://",
	"http:",
	"http",
	"https//shop.example",
	"ftp://shop.example/",
	"file:///etc/passwd",
	"file:///",
	"file://",
	"mailto:a@b.co",
	"urn:isbn:0451450523",
	"//shop.example/",
	"/relative/path",
	"not a url",
	"*",
	"https://shop.example/\x00",
	"https://shop.example\n",
	"\nhttps://shop.example",
	" https://shop.example",
	"https://shop.example ",
	"https://" + strings.Repeat("a", 300) + ".example/",
	"https://shop.example/" + strings.Repeat("a/", 3000),
	"HtTp://x",
	"http://x:1",
	"http://1",
	"http://a.b.c.d.e.f",
	"https://shop.example/?#",

	// e164
	"+442079460612",
	"442079460612",
	"+4420794606",
	"+12345678",
	"+1234567",
	"12345678",
	"1234567",
	"+123456789012345",
	"+1234567890123456",
	"123456789012345",
	"1234567890123456",
	"+042079460612",
	"042079460612",
	"++442079460612",
	"+",
	"+44 20 7946 0612",
	"+44-2079460612",
	"+4420794606１２",
	"+٤٤٢٠٧٩٤٦٠٦١٢",
	"+442079460612\n",

	// ip
	"192.0.2.10",
	"127.0.0.1",
	"0.0.0.0",
	"255.255.255.255",
	"256.0.0.1",
	"300.1.1.1",
	"1.2.3",
	"1.2.3.4.5",
	"01.2.3.4",
	"1.2.3.04",
	"1.2.3.4 ",
	" 1.2.3.4",
	"::1",
	"::",
	"2001:db8::1",
	"2001:DB8::1",
	"fe80::1%eth0",
	"fe80::1%",
	"::ffff:1.2.3.4",
	"::ffff:01.2.3.4",
	"1:2:3:4:5:6:7:8",
	"1:2:3:4:5:6:7:8:9",
	"1::2::3",
	"[::1]",
	"1.2.3.4/24",
	"0x7f.0.0.1",
	"localhost",

	// printascii
	"order-1001",
	"bench-000000000001",
	"ordér",
	"a\x1fb",
	"~",
	"a\x80",
}

// fastFor returns the recognizer for tag, with the param of "max" applied
// to a string.
func fastFor(tag string) func(string) bool {
	if p, ok := strings.CutPrefix(tag, "max="); ok {
		limit, ok := plainDecimal(p)
		return func(s string) bool { return ok && len(s) <= limit }
	}
	return fastTags[tag]
}

// checkFastPath fails t if the fast recognizer accepts s while the
// built-in rejects it, or if our validator and the built-in disagree.
func checkFastPath(t *testing.T, tag, s string) {
	t.Helper()
	want := original().Var(s, tag) == nil
	if fastFor(tag)(s) && !want {
		t.Errorf("fast %s accepts %q, the built-in rejects it", tag, s)
	}
	if got := validate().Var(s, tag) == nil; got != want {
		t.Errorf("%s(%q) = %v, the built-in says %v", tag, s, got, want)
	}
}

func TestValidateFastPathsMatchBuiltIns(t *testing.T) {
	for _, tag := range fastPathTags {
		for _, s := range fastPathCases {
			checkFastPath(t, tag, s)
		}
	}
}

// TestValidateFastPathsHit pins that the shapes requests usually carry are
// answered by the fast path (the slow path allocates and is slower).
func TestValidateFastPathsHit(t *testing.T) {
	hits := map[string][]string{
		"email": {"john@example.com", "john.doe@example.com", "J.O+x_y-z@sub.Example.co.uk", "a@b.co", "a@1.example.com"},
		"url": {
			"https://shop.example.com/return/success", "http://127.0.0.1:9/notify", "https://shop.example/ok?order=1&sig=a%2Fb",
			"HTTPS://Shop.Example:8443", "https://shop.example/ok#top", "https://shop.example?x=1",
		},
		"e164":       {"+442079460612", "+12345678", "442079460612", "+123456789012345"},
		"ip":         {"192.0.2.10", "127.0.0.1", "2001:db8::1", "::ffff:1.2.3.4"},
		"printascii": {"", "order-1001", " ~"},
	}
	for tag, ss := range hits {
		for _, s := range ss {
			if !fastTags[tag](s) {
				t.Errorf("fast %s rejects %q", tag, s)
			}
			checkFastPath(t, tag, s)
		}
	}
	for _, p := range []string{"0", "8", "64", "255", "123456789"} {
		if n, ok := plainDecimal(p); !ok || strconv.Itoa(n) != p {
			t.Errorf("plainDecimal(%q) = %d, %v", p, n, ok)
		}
	}
}

func TestPlainDecimal(t *testing.T) {
	for _, p := range []string{"", "-1", "+1", "01", "0x10", "0o10", "0b1", "1_000", "1e3", " 1", "1234567890", "８"} {
		if n, ok := plainDecimal(p); ok {
			t.Errorf("plainDecimal(%q) = %d, want not ok", p, n)
		}
	}
}

// TestValidateFastPathsRandomShapes compares the fast paths with the
// built-ins on strings assembled from the pieces of e-mail addresses, URLs,
// phone numbers and IP addresses, which reach the fast paths' accepting
// branches far more often than random bytes do.
func TestValidateFastPathsRandomShapes(t *testing.T) {
	pieces := []string{
		"http", "https", "HTTPS", "ftp", "file", "://", ":", "/", "//", "?", "#", "@", ".", "..", "-", "_", "~",
		"%", "%2F", "%zz", "%4", "a", "Z", "x1", "0", "1", "9", "80", "65536", "1.2.3.4", "[::1]", "::", "ffff",
		"+", "+44", "2079460612", " ", "\t", "\n", "é", "\xff", "com", "example", "co.uk", "!", "&", "=", "'",
		"\"", "\\", "(", ")", ",", ";", "<", ">", "[", "]", "{", "|", "^", "`", "*", "$",
	}
	// Common pieces of the valid shapes, drawn more often.
	common := []string{"a", "b", "x1", "0", "1", "9", ".", "-", "/", "example", "com"}
	numeric := []string{"0", "1", "9", "44", "255", "256", "2079460612", ".", ":", "::", "ffff", "%", "+"}
	schemes := []string{"http://", "https://", "HTTPS://", "ftp://", "http:/", ""}
	rng := rand.New(rand.NewPCG(1, 2))
	n := 20000
	if testing.Short() || raceEnabled {
		n = 2000
	}
	var b strings.Builder
	add := func(k int, from ...[]string) {
		for range 1 + rng.IntN(k) {
			set := from[rng.IntN(len(from))]
			b.WriteString(set[rng.IntN(len(set))])
		}
	}
	hits := map[string]int{}
	for i := range n {
		b.Reset()
		switch i % 3 {
		case 0: // URL shaped
			b.WriteString(schemes[rng.IntN(len(schemes))])
			add(8, common, common, pieces)
		case 1: // e-mail shaped
			add(4, common, common, pieces)
			b.WriteString("@")
			add(4, common, common, pieces)
			b.WriteString(".")
			add(2, []string{"com", "de", "c0m", "x-y"}, pieces)
		case 2: // phone number or IP address shaped
			add(16, numeric, numeric, numeric, pieces)
		}
		s := b.String()
		for _, tag := range fastPathTags {
			if fastFor(tag)(s) {
				hits[tag]++
			}
			checkFastPath(t, tag, s)
		}
	}
	// The fast paths' accepting branches were exercised.
	for _, tag := range []string{"email", "url", "e164", "ip", "printascii"} {
		if hits[tag] < n/1000 {
			t.Errorf("only %d of %d strings took the fast %s path", hits[tag], n, tag)
		}
	}
	t.Logf("fast-path hits: %v of %d", hits, n)
}

// FuzzValidateFastPaths checks, for any string, that every fast recognizer
// only accepts what the built-in accepts and that our validator answers as
// the built-in does. FUZZ_TAG=<tag> restricts a run to one tag (e.g.
// FUZZ_TAG=email go test -run '^$' -fuzz FuzzValidateFastPaths -fuzztime 60s).
func FuzzValidateFastPaths(f *testing.F) {
	for _, s := range fastPathCases {
		f.Add(s)
	}
	tags := fastPathTags
	if tag := os.Getenv("FUZZ_TAG"); tag != "" {
		tags = []string{tag}
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tag := range tags {
			checkFastPath(t, tag, s)
		}
		if got, want := panProblem(s), panProblemRef(s); got != want {
			t.Errorf("panProblem(%q) = %q, want %q", s, got, want)
		}
		// plainDecimal must read a param as the built-in's parser does.
		if n, ok := plainDecimal(s); ok {
			if want, err := strconv.ParseInt(s, 0, 64); err != nil || want != int64(n) {
				t.Errorf("plainDecimal(%q) = %d, strconv.ParseInt says %d, %v", s, n, want, err)
			}
		}
	})
}

// panProblemRef is panProblem as it was before the stack buffer: the
// reference the new one must agree with.
func panProblemRef(n string) string {
	for i := 0; i < len(n); i++ {
		c := n[i]
		if (c < '0' || c > '9') && c != ' ' && c != '-' {
			return "must contain only digits, spaces and dashes"
		}
	}
	d := digitsOnly(n)
	if len(d) < 12 || len(d) > 19 {
		return "must be 12 to 19 digits"
	}
	if !redact.Luhn(d) {
		return "fails the Luhn check"
	}
	return ""
}

func TestPANProblemMatchesReference(t *testing.T) {
	cases := append([]string{
		"4012000000003010", "4012 0000 0000 3010", "4012-0000-0000-3010", "4012000000003011",
		"401200000000", "40120000000", "4012000000000000006", "40120000000000000063",
		"4012 0000 0000 0000 006", "4012 0000 0000 0000 0063", "  4012000000003010  ", "--",
		"4012x00000003010", "4012000000003010\n", "٤٠١٢٠٠٠٠٠٠٠٠٣٠١٠", "", " ",
		strings.Repeat("4", 40), strings.Repeat("0", 12), strings.Repeat("0", 19), strings.Repeat("0", 20),
		strings.Repeat("0 ", 19), strings.Repeat("0-", 20),
	}, fastPathCases...)
	for _, s := range cases {
		if got, want := panProblem(s), panProblemRef(s); got != want {
			t.Errorf("panProblem(%q) = %q, want %q", s, got, want)
		}
	}
	for _, s := range []string{"4012000000003010", "4012 0000 0000 3010", "4012-0000-0000-3010"} {
		if n := testing.AllocsPerRun(100, func() { _ = panProblem(s) }); n != 0 {
			t.Errorf("panProblem(%q) allocates %v times, want 0", s, n)
		}
	}
}

// validAuthorizeRequest is a request with every field the fast paths see.
func validAuthorizeRequest() *AuthorizeRequest {
	amount, _ := ParseMoney("49.99", "EUR")
	return &AuthorizeRequest{
		Reference: "order-1001",
		Amount:    amount,
		Capture:   true,
		Method:    Card{Number: "4012 0000 0000 3010", Holder: "John Doe", ExpiryMonth: "2", ExpiryYear: "25", CVV: "123"},
		Customer: &Customer{
			FirstName: "John", LastName: "Doe", Email: "john@example.com", Phone: "+442079460612",
			IP: "127.0.0.1", BirthDate: "1997-06-06",
		},
		BillingAddress: &Address{Line1: "10 Downing Street", City: "London", PostalCode: "SW1A 2AA", Country: "GB"},
		Description:    "order",
		ReturnURLs: ReturnURLs{
			Success: "https://shop.example/ok", Failure: "https://shop.example/ko",
			Cancel: "https://shop.example/cancel", Notification: "http://127.0.0.1:9/hook",
		},
		Metadata: map[string]string{"k": "v"},
	}
}

func TestValidateAllocations(t *testing.T) {
	amount, _ := ParseMoney("1.00", "EUR")
	reqs := map[string]interface{ Validate() error }{
		"authorize": validAuthorizeRequest(),
		"capture":   &CaptureRequest{ID: "p1", Amount: &amount, IdempotencyKey: "k1"},
		"cancel":    &CancelRequest{ID: "p1"},
		"refund":    &RefundRequest{ID: "p1", Amount: &amount, Reason: "returned"},
		"status":    &StatusRequest{Reference: "order-1"},
	}
	for name, r := range reqs {
		if err := r.Validate(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if raceEnabled {
			continue
		}
		if n := testing.AllocsPerRun(100, func() { _ = r.Validate() }); n != 0 {
			t.Errorf("%s: Validate allocates %v times, want 0", name, n)
		}
	}
}

// TestValidateMaxSlowPath covers "max" beyond the fast path: strings longer
// in bytes than the limit but not in runes, and maps.
func TestValidateMaxSlowPath(t *testing.T) {
	r := validAuthorizeRequest()
	r.Description = strings.Repeat("é", 255) // 510 bytes, 255 runes
	if err := r.Validate(); err != nil {
		t.Errorf("255-rune description: %v", err)
	}
	r.Description = strings.Repeat("é", 256)
	if err := r.Validate(); err == nil || err.Error() != "payments: invalid_request: description: longer than 255 characters" {
		t.Errorf("256-rune description: %v", err)
	}
	r = validAuthorizeRequest()
	r.Metadata = map[string]string{}
	for i := range 50 {
		r.Metadata[strconv.Itoa(i)] = "v"
	}
	if err := r.Validate(); err != nil {
		t.Errorf("50 metadata entries: %v", err)
	}
	r.Metadata["50"] = "v"
	if err := r.Validate(); err == nil || !strings.Contains(err.Error(), "metadata: more than 50 entries") {
		t.Errorf("51 metadata entries: %v", err)
	}
}

// TestValidateStructByValue runs the struct-level checks on structs that
// are not addressable (validated by value), the path that copies them.
func TestValidateStructByValue(t *testing.T) {
	r := validAuthorizeRequest()
	if err := validate().Struct(*r); err != nil {
		t.Fatalf("valid request by value: %v", err)
	}
	r.Amount.Amount = decimal.Zero
	if err := validate().Struct(*r); err == nil || !strings.Contains(err.Error(), "'positive'") {
		t.Errorf("zero amount by value: %v", err)
	}
	r.Amount.Amount = decimal.RequireFromString("1.001")
	if err := validate().Struct(*r); err == nil || !strings.Contains(err.Error(), "'money_scale'") {
		t.Errorf("over-precise amount by value: %v", err)
	}
	zero, _ := ParseMoney("0", "EUR")
	if err := validate().Struct(CaptureRequest{ID: "p1", Amount: &zero}); err == nil || !strings.Contains(err.Error(), "'positive'") {
		t.Errorf("zero capture by value: %v", err)
	}
	if err := validate().Struct(RefundRequest{ID: "p1", Amount: &zero}); err == nil || !strings.Contains(err.Error(), "'positive'") {
		t.Errorf("zero refund by value: %v", err)
	}
	if err := validate().Struct(StatusRequest{}); err == nil || !strings.Contains(err.Error(), "'id_or_reference'") {
		t.Errorf("empty status by value: %v", err)
	}
}
