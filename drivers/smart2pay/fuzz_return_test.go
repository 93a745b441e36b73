package smart2pay

import (
	"net/url"
	"testing"

	"github.com/gopayments/payments"
)

// FuzzParseReturn feeds any query string to ParseReturn: the customer's
// browser controls it. It never panics; what it accepts has a reference and
// a hint that is a documented redirection status or Unknown, never a final
// status for an undocumented value.
func FuzzParseReturn(f *testing.F) {
	for _, s := range []string{
		"data=2&MerchantTransactionID=215", // the document's example
		"data=9&MerchantTransactionID=order-1001",
		"data=4&MerchantTransactionID=a%20b",
		"data=77&MerchantTransactionID=x",
		"data=&MerchantTransactionID=x",
		"data=2",
		"data=-1&data=2&MerchantTransactionID=x&MerchantTransactionID=y",
		"%zz",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		r, err := ParseReturn(q)
		if err != nil {
			if r != nil || payments.CodeOf(err) != payments.InvalidRequest {
				t.Fatalf("(%v, %v)", r, err)
			}
			return
		}
		if r.Reference == "" {
			t.Fatalf("accepted %q without a reference", raw)
		}
		want, documented := redirectTable[r.Data]
		if !documented {
			want = payments.StatusUnknown
		}
		if r.Hint != want {
			t.Fatalf("data=%d hints %s, want %s", r.Data, r.Hint, want)
		}
	})
}
