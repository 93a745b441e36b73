package smart2pay

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gopayments/payments"
)

// documentedStatusCodes is every payment Status.ID GlobalPay documents
// (PROVIDERS.md section 2: "No 20"), with its Info and the canonical status
// the driver must report.
var documentedStatusCodes = []struct {
	id   int
	info string
	want payments.Status
}{
	{1, "Open", payments.StatusRequiresAction},
	{2, "Success", payments.StatusCaptured},
	{3, "Cancelled", payments.StatusCanceled},
	{4, "Failed", payments.StatusFailed},
	{5, "Expired", payments.StatusExpired},
	{6, "PendingOnCustomer", payments.StatusPending},
	{7, "PendingOnProvider", payments.StatusPending},
	{8, "Submitted", payments.StatusPending},
	{9, "Authorized", payments.StatusAuthorized},
	{10, "AuthorizeRequested", payments.StatusPending},
	{11, "Captured", payments.StatusCaptured},
	{12, "Rejected", payments.StatusFailed},
	{13, "CaptureRequested", payments.StatusPending},
	{14, "Exception", payments.StatusPending},
	{15, "CancelRequested", payments.StatusPending},
	{16, "Reversed", payments.StatusRefunded},
	{17, "Completed", payments.StatusCaptured},
	{18, "Processing", payments.StatusPending},
	{19, "Disputed", payments.StatusChargeback},
	{21, "PartiallyRefunded", payments.StatusPartiallyRefunded},
	{22, "Refunded", payments.StatusRefunded},
	{23, "DisputeWon", payments.StatusCaptured},
	{24, "DisputeLost", payments.StatusChargeback},
	{25, "Paid", payments.StatusCaptured},
	{26, "Chargedback", payments.StatusChargeback},
	{30, "PendingChallengeConfirmation", payments.StatusRequiresAction},
	{33, "QueuedForCapturing", payments.StatusPending},
	{34, "QueuedForCanceling", payments.StatusPending},
	{35, "PartiallyCaptured", payments.StatusPartiallyCaptured},
	{36, "SuccessWaitForFraud", payments.StatusPending},
	{37, "ExceptionWaitForFraud", payments.StatusPending},
}

func TestStatusTableWalk(t *testing.T) {
	if len(documentedStatusCodes) != 31 || len(statusTable) != 31 {
		t.Fatalf("%d documented statuses, %d in the table; GlobalPay documents 31", len(documentedStatusCodes), len(statusTable))
	}
	seen := map[int]bool{}
	for _, d := range documentedStatusCodes {
		seen[d.id] = true
		e, ok := statusTable[d.id]
		if !ok {
			t.Errorf("status %d %s is not in the table", d.id, d.info)
			continue
		}
		if e.Info != d.info {
			t.Errorf("status %d: Info %q, documented %q", d.id, e.Info, d.info)
		}
		got, text := MapStatus(d.id, d.info)
		if got != d.want {
			t.Errorf("status %d %s → %s, want %s", d.id, d.info, got, d.want)
		}
		if want := itoa(d.id) + " " + d.info; text != want {
			t.Errorf("ProviderStatus %q, want %q", text, want)
		}
		// Without Info (the provider sent null) the documented name is used.
		if _, text := MapStatus(d.id, ""); text != itoa(d.id)+" "+d.info {
			t.Errorf("ProviderStatus without Info: %q", text)
		}
	}
	for id := range statusTable {
		if !seen[id] {
			t.Errorf("status %d is in the table but not documented", id)
		}
	}
}

func TestUnknownStatusIsNeverFinal(t *testing.T) {
	for _, id := range []int{0, 20, 27, 28, 29, 31, 32, 38, 99, -1, 1 << 20} {
		got, text := MapStatus(id, "Whatever")
		if got != payments.StatusUnknown || got.Final() {
			t.Errorf("undocumented status %d → %s", id, got)
		}
		if text != itoa(id)+" Whatever" {
			t.Errorf("ProviderStatus %q keeps the raw status", text)
		}
	}
	if _, text := MapStatus(20, ""); text != "20" {
		t.Errorf("undocumented status without Info: %q", text)
	}
}

// TestStatusFinalityMatchesDocument: the statuses GlobalPay calls final
// (2, 3, 4, 5, 11, 16, 21, 22) never map to a state that waits for something
// (pending, requires action, authorized).
func TestStatusFinalityMatchesDocument(t *testing.T) {
	for _, id := range []int{2, 3, 4, 5, 11, 16, 21, 22} {
		got, _ := MapStatus(id, "")
		switch got {
		case payments.StatusPending, payments.StatusRequiresAction, payments.StatusAuthorized, payments.StatusUnknown:
			t.Errorf("final status %d maps to %s", id, got)
		}
	}
}

func TestRefundStatusWalk(t *testing.T) {
	for _, tc := range []struct {
		id   int
		info string
		want payments.RefundStatus
	}{
		{1, "Open", payments.RefundPending},
		{2, "Success", payments.RefundSucceeded},
		{4, "Failed", payments.RefundFailed},
		{3, "Cancelled", payments.RefundPending}, // undocumented for refunds: never a guess
		{99, "", payments.RefundPending},
	} {
		got, text := MapRefundStatus(tc.id, tc.info)
		if got != tc.want {
			t.Errorf("refund status %d → %s, want %s", tc.id, got, tc.want)
		}
		want := itoa(tc.id)
		if tc.info != "" {
			want += " " + tc.info
		}
		if text != want {
			t.Errorf("refund ProviderStatus %q, want %q", text, want)
		}
	}
	if len(refundStatusTable) != 3 {
		t.Errorf("refund table has %d entries; 3 are documented", len(refundStatusTable))
	}
}

func TestRedirectionStatusWalk(t *testing.T) {
	for _, tc := range []struct {
		data string
		want payments.Status
	}{
		{"2", payments.StatusCaptured}, {"3", payments.StatusCanceled}, {"4", payments.StatusFailed},
		{"7", payments.StatusPending}, {"9", payments.StatusAuthorized}, {"5", payments.StatusUnknown},
	} {
		r, err := ParseReturn(url.Values{"data": {tc.data}, "MerchantTransactionID": {"215"}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Hint != tc.want || r.Reference != "215" || itoa(r.Data) != tc.data {
			t.Errorf("data=%s: %+v", tc.data, r)
		}
	}
	// The document's example URL.
	u, _ := url.Parse("http://www.merchant.com/redirect.php?data=2&MerchantTransactionID=215")
	if r, err := ParseReturn(u.Query()); err != nil || r.Hint != payments.StatusCaptured {
		t.Errorf("document example: %+v %v", r, err)
	}
	for _, q := range []url.Values{{}, {"data": {"x"}, "MerchantTransactionID": {"1"}}, {"data": {"2"}}} {
		if _, err := ParseReturn(q); payments.CodeOf(err) != payments.InvalidRequest {
			t.Errorf("ParseReturn(%v): %v", q, err)
		}
	}
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// TestStatusTextsMatchFormula: the precomputed "ID Info" texts are what
// MapStatus and MapRefundStatus built before they were precomputed.
func TestStatusTextsMatchFormula(t *testing.T) {
	text := func(id int, info, documented string) string {
		if info == "" {
			info = documented
		}
		s := strconv.Itoa(id)
		if info != "" {
			s += " " + info
		}
		return s
	}
	for id := -1; id <= 40; id++ {
		e, ok := statusTable[id]
		re, rok := refundStatusTable[id]
		for _, info := range []string{"", e.Info, re.Info, "Something else", " Captured"} {
			st, got := MapStatus(id, info)
			want := payments.StatusUnknown
			if ok {
				want = e.Status
			}
			if st != want || got != text(id, info, e.Info) {
				t.Errorf("MapStatus(%d, %q) = %s, %q", id, info, st, got)
			}
			rst, rgot := MapRefundStatus(id, info)
			rwant := payments.RefundPending
			if rok {
				rwant = re.Status
			}
			if rst != rwant || rgot != text(id, info, re.Info) {
				t.Errorf("MapRefundStatus(%d, %q) = %s, %q", id, info, rst, rgot)
			}
		}
	}
}

// TestFormatID: formatID and isID agree with the card prefix and decimal
// digits, and allocate once at most.
func TestFormatID(t *testing.T) {
	for _, c := range []struct {
		a    api
		n    int64
		want string
	}{
		{apiAlternative, 2677982, "2677982"},
		{apiCard, 202230, "card:202230"},
		{apiCard, math.MaxInt64, "card:9223372036854775807"},
		{apiAlternative, 1, "1"},
	} {
		if got := formatID(c.a, c.n); got != c.want {
			t.Errorf("formatID(%d, %d) = %q", c.a, c.n, got)
		}
		if !isID(c.want, c.a, c.n) || isID(c.want+"0", c.a, c.n) || isID(strings.TrimPrefix(c.want, CardIDPrefix), apiCard, c.n) {
			t.Errorf("isID(%q, %d, %d)", c.want, c.a, c.n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = isID("card:202230", apiCard, 202230) }); n != 0 {
		t.Errorf("isID allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = formatID(apiCard, 202230) }); n != 1 {
		t.Errorf("formatID allocates %v times", n)
	}
}
