package smart2pay

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gopayments/payments"
)

// api is one of GlobalPay's two hosts. They are separate systems with their
// own payment ID sequences, so a payment ID means nothing without its host.
type api uint8

const (
	apiAlternative api = iota // alternative payment methods: paytest / globalpay
	apiCard                   // direct card: securetest / secure
)

// CardIDPrefix starts the Payment.ID of a payment made on the direct card
// host: "card:202230". The ID of a payment on the alternative-methods host is
// GlobalPay's numeric ID alone: "2677982". The two hosts number their
// payments independently, so the prefix is what sends a later capture,
// cancel, refund or status query to the right one.
const CardIDPrefix = "card:"

// formatID returns the neutral Payment.ID for GlobalPay ID n on host a.
func formatID(a api, n int64) string {
	if a != apiCard {
		return strconv.FormatInt(n, 10)
	}
	var buf [maxIDLen]byte
	return string(appendID(buf[:0], a, n))
}

// maxIDLen bounds the length of a neutral Payment.ID: the card prefix and
// an int64.
const maxIDLen = len(CardIDPrefix) + 20

// appendID appends formatID(a, n) to b.
func appendID(b []byte, a api, n int64) []byte {
	if a == apiCard {
		b = append(b, CardIDPrefix...)
	}
	return strconv.AppendInt(b, n, 10)
}

// isID reports whether id is formatID(a, n), without allocating.
func isID(id string, a api, n int64) bool {
	var buf [maxIDLen]byte
	return string(appendID(buf[:0], a, n)) == id
}

// parseID splits a neutral Payment.ID into its host and GlobalPay ID.
func parseID(field, id string) (api, string, error) {
	a := apiAlternative
	n := id
	if rest, ok := strings.CutPrefix(id, CardIDPrefix); ok {
		a, n = apiCard, rest
	}
	if !isDigits(n) || len(n) > 18 {
		return 0, "", payments.InvalidField(field, fmt.Sprintf("%q is not a Smart2Pay payment ID (digits, or %q and digits for a direct card payment)", id, CardIDPrefix))
	}
	return a, n, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// timeLayout is GlobalPay's DateTime: YYYYMMDDHHMMSS. The document does not
// say in which time zone; the driver reads and writes UTC.
const timeLayout = "20060102150405"

// capturedStatuses are the status IDs after which the whole Amount was
// taken, used when the answer has no CapturedAmount (the
// alternative-methods host never sends one): 2 Success is the answer to a
// full capture (seed 002_c6b29c27df04218d.txt l.342–427) and to a one-step
// payment, 11 Captured, 17 Completed and 25 Paid name a completed payment.
// None of them follows a partial capture: that one is 35 PartiallyCaptured
// (l.443–517), and "you can perform only one partial capture" (l.437).
var capturedStatuses = map[int]bool{2: true, 11: true, 17: true, 25: true}

// capturedUnknownStatuses are the status IDs that come after money was
// taken but, without CapturedAmount, do not say how much: 35
// PartiallyCaptured itself, and the refund and dispute statuses (16
// Reversed, 19 Disputed, 21 PartiallyRefunded, 22 Refunded, 23 DisputeWon,
// 24 DisputeLost, 26 Chargedback), which may follow a partial capture as
// well as a full one. No document gives the captured amount there, so the
// driver does not guess it (neither the whole Amount nor zero): such a
// payment is reported StatusUnknown, with ProviderStatus saying GlobalPay's
// status, unless the driver learns the amounts elsewhere (Capture knows what
// it captured; Status reads the refunds of a 22 Refunded payment).
var capturedUnknownStatuses = map[int]bool{
	16: true, 19: true, 21: true, 22: true, 23: true, 24: true, 26: true, 35: true,
}

// refundedStatuses are the status IDs after which the whole captured amount
// went back to the customer (with CapturedAmount, on the card host).
var refundedStatuses = map[int]bool{16: true, 22: true}

// errMalformed marks a payment body that does not make sense (an ID that is
// not an integer, an unknown currency); callers classify it by the call's
// safety.
var errMalformed = errors.New("malformed payment")

// convertPayment turns a wire payment from host a into a neutral Payment.
// Raw is left for the caller (it knows the whole body).
func convertPayment(a api, w *wirePayment) (*payments.Payment, error) {
	if w == nil {
		return nil, fmt.Errorf("%w: no Payment object", errMalformed)
	}
	p := &payments.Payment{Provider: Name, Reference: str(w.MerchantTransactionID)}
	if w.ID != nil {
		id, ok := numInt64(w.ID)
		if !ok || id <= 0 {
			return nil, fmt.Errorf("%w: ID %q is not a positive integer", errMalformed, w.ID.String())
		}
		p.ID = formatID(a, id)
	}
	statusID := 0
	if w.Status != nil && w.Status.ID != nil {
		n, ok := numInt64(w.Status.ID)
		if !ok || n <= 0 || n > 1<<20 {
			return nil, fmt.Errorf("%w: Status.ID %q is not an integer", errMalformed, w.Status.ID.String())
		}
		statusID = int(n)
		p.Status, p.ProviderStatus = MapStatus(statusID, str(w.Status.Info))
	}
	if w.Currency != nil {
		cur, err := payments.ParseCurrency(*w.Currency)
		if err != nil {
			return nil, fmt.Errorf("%w: Currency %q is not an ISO 4217 code", errMalformed, *w.Currency)
		}
		zero := payments.Money{Currency: cur}
		p.Amount, p.Captured, p.Refunded = zero, zero, zero
		if w.Amount != nil {
			m, err := minorMoney(w.Amount, cur)
			if err != nil {
				return nil, fmt.Errorf("%w: Amount: %v", errMalformed, err)
			}
			p.Amount = m
		}
		switch {
		case w.CapturedAmount != nil && w.Amount != nil && *w.CapturedAmount == *w.Amount:
			// All of it, as the card host says of a sale: the same
			// number, already read (Money values are immutable, so
			// sharing one is safe).
			p.Captured = p.Amount
		case w.CapturedAmount != nil:
			m, err := minorMoney(w.CapturedAmount, cur)
			if err != nil {
				return nil, fmt.Errorf("%w: CapturedAmount: %v", errMalformed, err)
			}
			p.Captured = m
		case capturedStatuses[statusID]:
			p.Captured = p.Amount
		case capturedUnknownStatuses[statusID]:
			// Conservative default: the amounts are not knowable.
			p.Status = payments.StatusUnknown
		}
		if refundedStatuses[statusID] && p.Status != payments.StatusUnknown {
			p.Refunded = p.Captured
		}
	} else if w.Amount != nil {
		return nil, fmt.Errorf("%w: Amount without Currency", errMalformed)
	}
	if w.Created != nil && *w.Created != "" {
		t, err := time.ParseInLocation(timeLayout, *w.Created, time.UTC)
		if err != nil {
			return nil, fmt.Errorf("%w: Created %q is not YYYYMMDDHHMMSS", errMalformed, *w.Created)
		}
		p.Created = t
	}
	p.Action = paymentAction(w, p.Status)
	if p.Status == payments.StatusFailed {
		var rs []wireReason
		if w.Status != nil {
			rs = w.Status.Reasons
		}
		p.Decline = declineFromReasons(rs)
	}
	return p, nil
}

// minorMoney reads a minor-unit JSON integer in currency cur.
func minorMoney(n *json.Number, cur payments.Currency) (payments.Money, error) {
	v, ok := numInt64(n)
	if !ok {
		return payments.Money{}, fmt.Errorf("%q is not an integer", n.String())
	}
	return payments.MoneyFromMinor(v, string(cur))
}

// paymentAction says what the customer must do: follow RedirectURL while the
// payment waits for them (1 Open, 30 PendingChallengeConfirmation), and see
// the ReferenceDetails (bank transfer details, QR code) while it is open or
// pending. A RedirectURL on a finished payment (the document's capture answer
// has one) is not an action.
func paymentAction(w *wirePayment, st payments.Status) *payments.Action {
	var act *payments.Action
	if st == payments.StatusRequiresAction && str(w.RedirectURL) != "" {
		act = &payments.Action{Type: payments.ActionRedirect, URL: *w.RedirectURL, Method: "GET"}
	}
	if d := w.ReferenceDetails; d != nil && (st == payments.StatusRequiresAction || st == payments.StatusPending) {
		details := map[string]string{}
		for _, f := range d.fields() {
			if *f.dst != nil && f.name != "QRCodeURL" && **f.dst != "" {
				details[f.name] = **f.dst
			}
		}
		qr := str(d.QRCodeURL)
		if len(details) > 0 || qr != "" {
			if act == nil {
				act = &payments.Action{Type: payments.ActionDisplay}
			}
			act.QRCodeURL = qr
			if len(details) > 0 {
				act.Details = details
			}
			act.Reference = str(d.ReferenceNumber)
			if act.Reference == "" {
				act.Reference = str(d.ReferenceID)
			}
		}
	}
	return act
}

// wireStatusID returns a decoded payment's Status.ID, 0 when absent (the
// payment converted, so a present one is a valid integer).
func wireStatusID(w *wirePayment) int {
	if w == nil || w.Status == nil {
		return 0
	}
	n, _ := numInt64(w.Status.ID)
	return int(n)
}
