package smartpay

import (
	"testing"

	"github.com/gopayments/payments"
)

// documentedStatuses is every paymentStatus the documents name, with the
// canonical status it must map to.
var documentedStatuses = []struct {
	code   string
	source string
	want   payments.Status
}{
	{"CREATED", "seed 003/004", payments.StatusRequiresAction},
	{"AUTORIZATION_INITIALIZED", "PROVIDERS.md (sic)", payments.StatusPending},
	{"AUTHORIZATION_PENDING", "seed 003/004", payments.StatusPending},
	{"AUTHORIZATION_COMPLETED", "seed 003/004", payments.StatusAuthorized},
	{"CAPTURE_PENDING", "seed 003/004", payments.StatusAuthorized},
	{"CAPTURED", "seed 003/004", payments.StatusCaptured},
	{"SETTLED", "seed 004", payments.StatusCaptured},
	{"CANCELLATION_PENDING", "seed 003/004", payments.StatusAuthorized},
	{"CANCELLED", "seed 003/004", payments.StatusCanceled},
	{"EXPIRED", "seed 003/004", payments.StatusExpired},
	{"FAILED", "seed 003/004", payments.StatusFailed},
	{"CHARGEBACK", "seed 004", payments.StatusChargeback},
}

func TestStatusTableCoversEveryDocumentedCode(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range documentedStatuses {
		seen[tc.code] = true
		row, ok := statusTable[tc.code]
		if !ok {
			t.Errorf("%s (%s) is not in statusTable", tc.code, tc.source)
			continue
		}
		if row.Status != tc.want {
			t.Errorf("%s: table says %s, want %s", tc.code, row.Status, tc.want)
		}
		if row.Doc == "" {
			t.Errorf("%s: no Doc", tc.code)
		}
		if got := MapStatus(tc.code); got != tc.want {
			t.Errorf("MapStatus(%s) = %s, want %s", tc.code, got, tc.want)
		}
	}
	for code := range statusTable {
		if !seen[code] {
			t.Errorf("statusTable has %s, which no document names", code)
		}
	}
}

func TestUnknownStatusIsUnknown(t *testing.T) {
	for _, code := range []string{"", "AUTHORIZATION_INITIALIZED", "REFUNDED", "PARTIALLY_CAPTURED", "captured?", "SETTLEMENT"} {
		if got := MapStatus(code); got != payments.StatusUnknown {
			t.Errorf("MapStatus(%q) = %s, want unknown", code, got)
		}
	}
	// Case and surrounding space are tolerated.
	if got := MapStatus(" captured "); got != payments.StatusCaptured {
		t.Errorf("MapStatus(\" captured \") = %s", got)
	}
}

// A pending sub-state never reports a later canonical state than the one
// the money has reached: each _PENDING code maps to the state before the
// operation it waits for.
func TestPendingSubStatesAreNotAhead(t *testing.T) {
	cases := []struct {
		pending string
		done    string
	}{
		{"AUTHORIZATION_PENDING", "AUTHORIZATION_COMPLETED"},
		{"AUTORIZATION_INITIALIZED", "AUTHORIZATION_COMPLETED"},
		{"CAPTURE_PENDING", "CAPTURED"},
		{"CANCELLATION_PENDING", "CANCELLED"},
	}
	for _, c := range cases {
		p, d := MapStatus(c.pending), MapStatus(c.done)
		if p == d {
			t.Errorf("%s maps to %s, the same as %s", c.pending, p, c.done)
		}
		if !p.CanTransition(d) {
			t.Errorf("%s (%s) cannot move on to %s (%s)", c.pending, p, c.done, d)
		}
		if p.Final() {
			t.Errorf("%s maps to final %s", c.pending, p)
		}
	}
}

func TestNoDocumentedTransitionGoesBack(t *testing.T) {
	// The provider's own life cycle must be representable.
	paths := [][]string{
		{"CREATED", "AUTORIZATION_INITIALIZED", "AUTHORIZATION_PENDING", "AUTHORIZATION_COMPLETED", "CAPTURE_PENDING", "CAPTURED", "SETTLED", "CHARGEBACK"},
		{"CREATED", "AUTHORIZATION_COMPLETED", "CANCELLATION_PENDING", "CANCELLED"},
		{"CREATED", "EXPIRED"},
		{"AUTHORIZATION_PENDING", "FAILED"},
	}
	for _, path := range paths {
		for i := 1; i < len(path); i++ {
			from, to := MapStatus(path[i-1]), MapStatus(path[i])
			if !from.CanTransition(to) {
				t.Errorf("%s (%s) -> %s (%s) is refused by CanTransition", path[i-1], from, path[i], to)
			}
		}
	}
}

// No document defines a refund's status values (seed
// 003_6c7386b3129bc046.txt l.366-368; seed 004_63b579a9eeecc4a0.txt's
// example shows "string"): none of them makes a refund final; only an
// error on the modification fails it.
func TestRefundStatusTable(t *testing.T) {
	cases := []struct {
		m    *modification
		want payments.RefundStatus
	}{
		{nil, payments.RefundPending},
		{&modification{Status: "REFUNDED"}, payments.RefundPending},
		{&modification{Status: "refunded"}, payments.RefundPending},
		{&modification{Status: "SUCCESS"}, payments.RefundPending},
		{&modification{Status: "FAILED"}, payments.RefundPending},
		{&modification{Status: "string"}, payments.RefundPending},
		{&modification{}, payments.RefundPending},
		{&modification{Status: "REFUNDED", Error: &gatewayError{Error: "payment_provider_processing"}}, payments.RefundFailed},
		{&modification{Error: &gatewayError{ErrorDetails: &gatewayErrorDetails{GatewayDescription: "no"}}}, payments.RefundFailed},
		{&modification{Status: "REFUNDED", Error: &gatewayError{}}, payments.RefundPending},
	}
	for _, c := range cases {
		if got := mapRefundStatus(c.m); got != c.want {
			t.Errorf("mapRefundStatus(%+v) = %s, want %s", c.m, got, c.want)
		}
	}
}

func TestCancelSpellings(t *testing.T) {
	for _, s := range []string{"CANCELLATION", "CANCELATION", "cancellation"} {
		if !isCancelType(s) {
			t.Errorf("isCancelType(%q) = false", s)
		}
	}
	for _, s := range []string{"CAPTURE", "REFUND", "CANCEL", ""} {
		if isCancelType(s) {
			t.Errorf("isCancelType(%q) = true", s)
		}
	}
}

// refineStatus: amounts turn CAPTURED into PartiallyCaptured, an invoice
// awaiting the buyer is RequiresAction, and a prepayment is paid only on
// SETTLED or a SETTLEMENT modification.
func TestRefineStatus(t *testing.T) {
	eur := func(s string) payments.Money {
		m, err := payments.ParseMoney(s, "EUR")
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	prepayment := func(status string, mods ...modification) paymentDoc {
		return paymentDoc{PaymentStatus: status, TransactionReference: "119344737107897",
			TransactionOverview: transactionOverview{PaymentMethod: "PREPMNT"}, Modification: mods}
	}
	settlement := modification{ModificationData: modificationData{Type: "SETTLEMENT"}}
	failedSettlement := modification{ModificationData: modificationData{Type: "SETTLEMENT"}, Error: &gatewayError{Error: "gateway_processing"}}
	cases := []struct {
		name     string
		doc      paymentDoc
		captured string
		want     payments.Status
		wantCapt string
	}{
		{"captured in full", paymentDoc{PaymentStatus: "CAPTURED"}, "50.00", payments.StatusCaptured, "50.00"},
		{"captured, no history", paymentDoc{PaymentStatus: "CAPTURED"}, "0", payments.StatusCaptured, "50.00"},
		{"settled, no history", paymentDoc{PaymentStatus: "SETTLED"}, "0", payments.StatusCaptured, "50.00"},
		{"partially captured", paymentDoc{PaymentStatus: "CAPTURED"}, "20.00", payments.StatusPartiallyCaptured, "20.00"},
		{"capture pending stays authorized", paymentDoc{PaymentStatus: "CAPTURE_PENDING"}, "0", payments.StatusAuthorized, "0"},
		{"prepayment awaiting the buyer", prepayment("AUTHORIZATION_PENDING"), "0", payments.StatusRequiresAction, "0"},
		{"prepayment answered CAPTURED is not paid", prepayment("CAPTURED"), "0", payments.StatusRequiresAction, "0"},
		{"prepayment CAPTURED with a captured history is not paid", prepayment("CAPTURED"), "50.00", payments.StatusRequiresAction, "0"},
		{"prepayment authorized is not paid", prepayment("AUTHORIZATION_COMPLETED"), "0", payments.StatusRequiresAction, "0"},
		{"prepayment without reference", paymentDoc{PaymentStatus: "CAPTURED",
			TransactionOverview: transactionOverview{PaymentMethod: "PREPMNT"}}, "0", payments.StatusPending, "0"},
		{"prepayment being cancelled", prepayment("CANCELLATION_PENDING"), "0", payments.StatusPending, "0"},
		{"prepayment settled", prepayment("SETTLED"), "0", payments.StatusCaptured, "50.00"},
		{"prepayment with a settlement", prepayment("CAPTURED", settlement), "0", payments.StatusCaptured, "50.00"},
		{"prepayment with a failed settlement", prepayment("CAPTURED", failedSettlement), "0", payments.StatusRequiresAction, "0"},
		{"prepayment expired", prepayment("EXPIRED"), "0", payments.StatusExpired, "0"},
		{"prepayment failed", prepayment("FAILED"), "0", payments.StatusFailed, "0"},
		{"prepayment unknown code", prepayment("SOMETHING_NEW"), "0", payments.StatusUnknown, "0"},
		{"pay upon invoice awaiting the buyer", paymentDoc{PaymentStatus: "AUTHORIZATION_PENDING", TransactionReference: "1",
			TransactionOverview: transactionOverview{PaymentMethod: "PAYINVC"}}, "0", payments.StatusRequiresAction, "0"},
		{"pending card payment", paymentDoc{PaymentStatus: "AUTHORIZATION_PENDING",
			TransactionOverview: transactionOverview{PaymentMethod: "CARDS"}}, "0", payments.StatusPending, "0"},
		{"unknown", paymentDoc{PaymentStatus: "SOMETHING_NEW"}, "0", payments.StatusUnknown, "0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			captured := eur(c.captured)
			got := refineStatus(&c.doc, eur("50.00"), &captured)
			if got != c.want {
				t.Errorf("status %s, want %s", got, c.want)
			}
			if !captured.Equal(eur(c.wantCapt)) {
				t.Errorf("captured %s, want %s", captured, c.wantCapt)
			}
		})
	}
}
