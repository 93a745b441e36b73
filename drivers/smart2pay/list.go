package smart2pay

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
	"github.com/gopayments/payments/internal/iso3166"
)

// ListFilter selects payments for ListPayments and ListPaymentsPage. Every
// field is one of the document's filters; zero values are not sent. Filters
// combine.
type ListFilter struct {
	// Card lists the direct card host's payments instead of the
	// alternative-methods host's.
	Card bool
	// Limit is limit: the most entries one request returns. ListPayments
	// uses it as its page size (default 100).
	Limit int
	// Offset is offset: the entry the list starts with. The document counts
	// from one ("limit 2 and offset 3 ... two payments entries starting with
	// the third one"); ListPayments starts at Offset (or 1) and moves it by
	// Limit per page.
	Offset int
	// StartDate and EndDate bound Created (startDate, endDate), sent as
	// YYYYMMDDHHMMSS in UTC (the document does not name a time zone).
	StartDate time.Time
	EndDate   time.Time
	// MethodID is methodID, a GlobalPay payment method (6 is card).
	MethodID int64
	// Country is country, ISO 3166-1 alpha-2 ("DE").
	Country string
	// Currency is currency, ISO 4217 ("EUR").
	Currency payments.Currency
	// MinimumAmount and MaximumAmount are minimumAmount and maximumAmount,
	// sent in minor units; they must be in Currency when Currency is set,
	// and in the same currency as each other.
	MinimumAmount *payments.Money
	MaximumAmount *payments.Money
	// MerchantTransactionID is merchantTransactionID, the merchant's
	// reference (Payment.Reference).
	MerchantTransactionID string
	// StatusID is statusID, a payment Status.ID (the document lists 1 Open,
	// 2 Success, 3 Cancelled, 4 Failed, 5 Expired, 9 Authorized).
	StatusID int
	// MethodTransactionID is methodTransactionID, the payment method
	// provider's transaction ID.
	MethodTransactionID string
	// TypeID is typeID: 1 payments, 2 recurring payments.
	TypeID int
}

// defaultPageSize is ListPayments' page size when ListFilter.Limit is 0.
const defaultPageSize = 100

// query validates the filter and encodes it as the query string.
func (f *ListFilter) query() (url.Values, error) {
	q := url.Values{}
	if f.Limit < 0 {
		return nil, payments.InvalidField("limit", "must not be negative")
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	if f.Offset < 0 {
		return nil, payments.InvalidField("offset", "must not be negative")
	}
	if f.Offset > 0 {
		q.Set("offset", strconv.Itoa(f.Offset))
	}
	if !f.StartDate.IsZero() {
		q.Set("startDate", f.StartDate.UTC().Format(timeLayout))
	}
	if !f.EndDate.IsZero() {
		q.Set("endDate", f.EndDate.UTC().Format(timeLayout))
	}
	if !f.StartDate.IsZero() && !f.EndDate.IsZero() && f.EndDate.Before(f.StartDate) {
		return nil, payments.InvalidField("end_date", "is before start_date")
	}
	if f.MethodID < 0 {
		return nil, payments.InvalidField("method_id", "must not be negative")
	}
	if f.MethodID > 0 {
		q.Set("methodID", strconv.FormatInt(f.MethodID, 10))
	}
	if f.Country != "" {
		if _, ok := iso3166.Alpha3(f.Country); !ok {
			return nil, payments.InvalidField("country", fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 country code", f.Country))
		}
		q.Set("country", f.Country)
	}
	cur := f.Currency
	if cur != "" {
		if !cur.Valid() {
			return nil, payments.InvalidField("currency", fmt.Sprintf("%q is not an ISO 4217 code", string(cur)))
		}
		q.Set("currency", string(cur))
	}
	for _, b := range []struct {
		field, param string
		m            *payments.Money
	}{{"minimum_amount", "minimumAmount", f.MinimumAmount}, {"maximum_amount", "maximumAmount", f.MaximumAmount}} {
		if b.m == nil {
			continue
		}
		if cur == "" {
			cur = b.m.Currency
		}
		if b.m.Currency != cur {
			return nil, payments.InvalidField(b.field+".currency", fmt.Sprintf("is %s; the filter is in %s", b.m.Currency, cur))
		}
		minor, err := b.m.Minor()
		if err != nil {
			return nil, payments.InvalidField(b.field, err.Error())
		}
		if minor < 0 {
			return nil, payments.InvalidField(b.field, "must not be negative")
		}
		q.Set(b.param, strconv.FormatInt(minor, 10))
	}
	if f.MerchantTransactionID != "" {
		if !merchantTxRe.MatchString(f.MerchantTransactionID) {
			return nil, payments.InvalidField("merchant_transaction_id", merchantTxRule)
		}
		q.Set("merchantTransactionID", f.MerchantTransactionID)
	}
	if f.StatusID < 0 {
		return nil, payments.InvalidField("status_id", "must not be negative")
	}
	if f.StatusID > 0 {
		q.Set("statusID", strconv.Itoa(f.StatusID))
	}
	if f.MethodTransactionID != "" {
		if !merchantTxRe.MatchString(f.MethodTransactionID) {
			return nil, payments.InvalidField("method_transaction_id", "must be 1 to 50 letters, digits, '_' or '-'")
		}
		q.Set("methodTransactionID", f.MethodTransactionID)
	}
	switch f.TypeID {
	case 0:
	case 1, 2:
		q.Set("typeID", strconv.Itoa(f.TypeID))
	default:
		return nil, payments.InvalidField("type_id", "must be 1 (payments) or 2 (recurring payments)")
	}
	return q, nil
}

func (f *ListFilter) api() api {
	if f.Card {
		return apiCard
	}
	return apiAlternative
}

// ListPaymentsPage sends one GET /v1/payments with the filter and returns
// the page. GlobalPay gives "only a limited amount of details" per entry
// (Customer, addresses and RedirectURL are null): read one with Status for
// the rest. Each Payment's Raw is its own list entry, scrubbed.
func (g *Gateway) ListPaymentsPage(ctx context.Context, f ListFilter) ([]*payments.Payment, error) {
	q, err := f.query()
	if err != nil {
		return nil, err
	}
	return g.listPage(ctx, f.api(), q)
}

// ListPayments iterates over every payment the filter selects, newest first
// as GlobalPay lists them, one page of f.Limit (default 100) entries per
// request, moving offset by the page size until a page comes back short. A
// payment seen on an earlier page (the list shifts when payments are created
// meanwhile) is not yielded twice. An error ends the iteration after it is
// yielded.
//
//	for p, err := range gw.ListPayments(ctx, smart2pay.ListFilter{StatusID: 2}) {
//		if err != nil { ... }
//	}
func (g *Gateway) ListPayments(ctx context.Context, f ListFilter) iter.Seq2[*payments.Payment, error] {
	return func(yield func(*payments.Payment, error) bool) {
		if f.Limit == 0 {
			f.Limit = defaultPageSize
		}
		if f.Offset == 0 {
			f.Offset = 1
		}
		seen := map[string]bool{}
		for {
			page, err := g.ListPaymentsPage(ctx, f)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, p := range page {
				if seen[p.ID] {
					continue
				}
				seen[p.ID] = true
				if !yield(p, nil) {
					return
				}
			}
			if len(page) < f.Limit {
				return
			}
			f.Offset += f.Limit
		}
	}
}

// listPage is GET /v1/payments?q on host a.
func (g *Gateway) listPage(ctx context.Context, a api, q url.Values) ([]*payments.Payment, error) {
	const op = "list payments"
	u := g.base(a) + "/v1/payments"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	resp, err := g.client.Do(ctx, httpx.Call{Op: op, Method: http.MethodGet, URL: u, Authorization: g.auth(a), Safety: httpx.Query})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, errorFromResponse(op, httpx.Query, resp).err
	}
	var env paymentsResponse
	if err := httpx.DecodeJSON(Name, httpx.Query, op, resp, &env); err != nil {
		return nil, err
	}
	out := make([]*payments.Payment, 0, len(env.Payments))
	for i, raw := range env.Payments {
		w, err := decodeWirePayment(raw)
		if err != nil {
			return nil, malformed(op, httpx.Query, resp.StatusCode, fmt.Errorf("entry %d: %w", i, err))
		}
		p, err := convertPayment(a, w)
		if err != nil {
			return nil, malformed(op, httpx.Query, resp.StatusCode, fmt.Errorf("entry %d: %w", i, err))
		}
		p.Raw = resp.CleanDecoded(raw) // one value of a body DecodeJSON decoded whole
		out = append(out, p)
	}
	return out, nil
}

// CardStatus is GET /v1/payments/{id}/status on the direct card host: the
// payment's ID, MerchantTransactionID and Status only, lighter than Status.
// id is a direct card Payment.ID ("card:202230"). Amount, Captured and
// Refunded are zero in the result.
func (g *Gateway) CardStatus(ctx context.Context, id string) (*payments.Payment, error) {
	a, n, err := parseID("id", id)
	if err != nil {
		return nil, err
	}
	if a != apiCard {
		return nil, payments.InvalidField("id", fmt.Sprintf("%q is not a direct card payment (%q and digits)", id, CardIDPrefix))
	}
	const op = "card status"
	resp, err := g.client.Do(ctx, httpx.Call{Op: op, Method: http.MethodGet, URL: g.cardURL + "/v1/payments/" + n + "/status",
		Authorization: g.cardAuth, Safety: httpx.Query})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, errorFromResponse(op, httpx.Query, resp).err
	}
	p, _, err := g.decodePayment(op, httpx.Query, a, resp)
	if err != nil {
		return nil, err
	}
	if p.ID != id {
		return nil, integrityError(op, "the answer is for payment %q, not %q", p.ID, id)
	}
	return p, nil
}

// Refunds lists the refunds of a payment (GET /v1/payments/{id}/refunds),
// in GlobalPay's order.
func (g *Gateway) Refunds(ctx context.Context, paymentID string) ([]*payments.Refund, error) {
	a, n, err := parseID("id", paymentID)
	if err != nil {
		return nil, err
	}
	const op = "list refunds"
	resp, err := g.client.Do(ctx, httpx.Call{Op: op, Method: http.MethodGet, URL: g.base(a) + "/v1/payments/" + n + "/refunds",
		Authorization: g.auth(a), Safety: httpx.Query})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, errorFromResponse(op, httpx.Query, resp).err
	}
	var env refundsResponse
	if err := httpx.DecodeJSON(Name, httpx.Query, op, resp, &env); err != nil {
		return nil, err
	}
	out := make([]*payments.Refund, 0, len(env.Refunds))
	for i, raw := range env.Refunds {
		var w wireRefund
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, malformed(op, httpx.Query, resp.StatusCode, fmt.Errorf("entry %d: %w", i, err))
		}
		r, err := convertRefund(a, &w)
		if err != nil {
			return nil, malformed(op, httpx.Query, resp.StatusCode, fmt.Errorf("entry %d: %w", i, err))
		}
		if r.PaymentID == "" {
			r.PaymentID = paymentID
		}
		if r.PaymentID != paymentID {
			return nil, integrityError(op, "refund %s is of payment %q, not %q", r.ID, r.PaymentID, paymentID)
		}
		r.Raw = resp.CleanDecoded(raw) // one value of a body DecodeJSON decoded whole
		out = append(out, r)
	}
	return out, nil
}

// RefundByID reads one refund of a payment
// (GET /v1/payments/{id}/refunds/{refundId}).
func (g *Gateway) RefundByID(ctx context.Context, paymentID, refundID string) (*payments.Refund, error) {
	return g.getRefund(ctx, "refund status", paymentID, refundID, "", true)
}

// CardRefundStatus is the direct card API's refund status call
// (GET /v1/payments/{id}/refunds/{refundId}/status; PROVIDERS.md §2, from
// the provider's SDK): lighter than RefundByID, as CardStatus is lighter
// than Status. No document shows its answer; the driver reads it as a
// {"Refund": {...}} object of which it needs only ID and Status (Amount is
// read when present, and is zero otherwise, like CardStatus's amounts).
// paymentID is a direct card Payment.ID ("card:202230").
func (g *Gateway) CardRefundStatus(ctx context.Context, paymentID, refundID string) (*payments.Refund, error) {
	a, _, err := parseID("payment_id", paymentID)
	if err != nil {
		return nil, err
	}
	if a != apiCard {
		return nil, payments.InvalidField("payment_id", fmt.Sprintf("%q is not a direct card payment (%q and digits): the refund status call is the direct card API's", paymentID, CardIDPrefix))
	}
	return g.getRefund(ctx, "card refund status", paymentID, refundID, "/status", false)
}

// getRefund is GET /v1/payments/{id}/refunds/{refundId}{suffix}; full says
// whether the answer must carry the refund's Amount and Currency.
func (g *Gateway) getRefund(ctx context.Context, op, paymentID, refundID, suffix string, full bool) (*payments.Refund, error) {
	a, n, err := parseID("payment_id", paymentID)
	if err != nil {
		return nil, err
	}
	if !isDigits(refundID) || len(refundID) > 18 {
		return nil, payments.InvalidField("refund_id", fmt.Sprintf("%q is not a Smart2Pay refund ID", refundID))
	}
	resp, err := g.client.Do(ctx, httpx.Call{Op: op, Method: http.MethodGet, URL: g.base(a) + "/v1/payments/" + n + "/refunds/" + refundID + suffix,
		Authorization: g.auth(a), Safety: httpx.Query})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, errorFromResponse(op, httpx.Query, resp).err
	}
	var env refundResponse
	if err := httpx.DecodeJSON(Name, httpx.Query, op, resp, &env); err != nil {
		return nil, err
	}
	r, err := convertRefundAmount(a, env.Refund, full)
	if err != nil {
		return nil, malformed(op, httpx.Query, resp.StatusCode, err)
	}
	if r.ID != refundID || (r.PaymentID != "" && r.PaymentID != paymentID) {
		return nil, integrityError(op, "the answer is refund %s of payment %q, not refund %s of %q", r.ID, r.PaymentID, refundID, paymentID)
	}
	if r.PaymentID == "" {
		r.PaymentID = paymentID
	}
	r.Raw = resp.CleanDecoded(resp.Body) // decoded whole by DecodeJSON
	return r, nil
}
