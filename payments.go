// Package payments is one provider-neutral interface to several payment
// providers: authorize, capture, cancel, refund, query and receive
// notifications through a [Gateway], with exact decimal [Money], a canonical
// [Status] with transition rules, one error type ([*Error]) whose sentinels
// answer "was it declined?", "may I retry?" and "may I try another
// acquirer?", and a [Router] that spreads payments over several acquirers
// without ever charging a customer twice.
//
// Drivers live in sub-packages (drivers/smartpayments, drivers/smart2pay,
// drivers/smartpay, and drivers/memory for tests); each has an in-process
// simulator of its provider's HTTP API for offline integration tests.
//
// A payment in four lines:
//
//	amount, _ := payments.ParseMoney("49.99", "EUR")
//	p, err := gw.Authorize(ctx, &payments.AuthorizeRequest{
//		Reference: "order-1001", Amount: amount, Capture: true,
//		Method: payments.Card{Number: "4012000000003010", ExpiryMonth: "12", ExpiryYear: "2030", CVV: "123"},
//	})
//	switch {
//	case errors.Is(err, payments.ErrDeclined): // p.Decline says why
//	case errors.Is(err, payments.ErrOutcomeUnknown): // reconcile with gw.Status
//	case err == nil && p.Status == payments.StatusRequiresAction: // follow p.Action
//	}
package payments

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// Gateway is one payment provider (or a [Router] over several) behind the
// provider-neutral API. Implementations are safe for concurrent use.
//
// Every method validates its request before any network call; bad input is
// an *Error with Code InvalidRequest naming the field. A money-moving call
// whose outcome cannot be known (timeout after sending, 5xx, unreadable
// answer) returns ErrOutcomeUnknown, never a plain failure: reconcile it with
// Status.
type Gateway interface {
	// Name is the driver's name, e.g. "smart2pay".
	Name() string
	// Capabilities says which flows and methods the driver supports.
	Capabilities() Capabilities
	// Authorize starts a payment: a one-step sale when req.Capture is true,
	// otherwise an authorization to capture later. A declined payment returns
	// both the Payment (StatusFailed, Decline set) and an ErrDeclined error.
	Authorize(ctx context.Context, req *AuthorizeRequest) (*Payment, error)
	// Capture captures an authorized payment, fully or partly.
	Capture(ctx context.Context, req *CaptureRequest) (*Payment, error)
	// Cancel releases an authorization that was not captured.
	Cancel(ctx context.Context, req *CancelRequest) (*Payment, error)
	// Refund returns captured money, fully or partly.
	Refund(ctx context.Context, req *RefundRequest) (*Refund, error)
	// Status queries the provider for the payment's current state. It
	// succeeds whatever that state is (a failed payment is a successful
	// query).
	Status(ctx context.Context, req *StatusRequest) (*Payment, error)
	// Notify reads, verifies and parses a provider notification (webhook,
	// callback). An unverifiable one is ErrUnverified. Most users mount
	// [NotificationHandler] instead of calling Notify directly.
	Notify(ctx context.Context, r *http.Request) (*Notification, error)
}

// AuthorizeRequest starts a payment.
type AuthorizeRequest struct {
	// Reference is the merchant's order id: required, unique per payment, and
	// the anchor that lets an unknown outcome be reconciled by Status.
	Reference string `json:"reference" validate:"required,max=64,printascii"`
	// Amount is what the customer pays; positive, no finer than the
	// currency's minor unit.
	Amount Money `json:"amount"`
	// Capture true makes a one-step sale; false authorizes only.
	Capture bool `json:"capture"`
	// Method is how the customer pays.
	Method PaymentMethod `json:"method" validate:"required"`
	// Customer is the buyer; many providers require parts of it.
	Customer *Customer `json:"customer,omitempty"`
	// BillingAddress is the buyer's billing address.
	BillingAddress *Address `json:"billing_address,omitempty"`
	// ShippingAddress is where goods are delivered.
	ShippingAddress *Address `json:"shipping_address,omitempty"`
	// Description is shown on the payment page or statement where supported.
	Description string `json:"description,omitempty" validate:"max=255"`
	// ReturnURLs are where the customer comes back after a redirect, and
	// where the provider sends notifications.
	ReturnURLs ReturnURLs `json:"return_urls"`
	// Browser carries the data 3-D Secure 2 needs for a frictionless flow.
	Browser *BrowserInfo `json:"browser,omitempty"`
	// Recurring marks the first payment of a series.
	Recurring *Recurring `json:"recurring,omitempty"`
	// Metadata is passed to the provider where it has a place for it.
	Metadata map[string]string `json:"metadata,omitempty" validate:"max=50"`
	// ProviderOptions carries driver-specific options (for example
	// *smartpay.AuthorizeOptions). Each driver picks out the option types it
	// defines and ignores the others, so one request can carry options for
	// every acquirer a Router may choose.
	ProviderOptions []any `json:"-"`
}

// Customer is the buyer.
type Customer struct {
	FirstName string `json:"first_name,omitempty" validate:"max=100"`
	LastName  string `json:"last_name,omitempty" validate:"max=100"`
	Email     string `json:"email,omitempty" validate:"omitempty,email,max=254"`
	// Phone in international format, e.g. "+442079460612".
	Phone string `json:"phone,omitempty" validate:"omitempty,e164"`
	// IP is the buyer's IP address.
	IP string `json:"ip,omitempty" validate:"omitempty,ip"`
	// BirthDate as YYYY-MM-DD.
	BirthDate string `json:"birth_date,omitempty" validate:"omitempty,datetime=2006-01-02"`
	// Company is set when the buyer is a business (SmartPay businessConsumer).
	Company *Company `json:"company,omitempty"`
}

// Company is a business buyer.
type Company struct {
	Name               string `json:"name" validate:"required,max=100"`
	RegistrationNumber string `json:"registration_number,omitempty" validate:"max=64"`
	VATID              string `json:"vat_id,omitempty" validate:"max=64"`
}

// Address is a postal address. Country is ISO 3166-1 alpha-2 ("GB"); drivers
// convert it where the provider speaks alpha-3.
type Address struct {
	Line1      string `json:"line1,omitempty" validate:"max=200"`
	Line2      string `json:"line2,omitempty" validate:"max=200"`
	City       string `json:"city,omitempty" validate:"max=100"`
	PostalCode string `json:"postal_code,omitempty" validate:"max=20"`
	State      string `json:"state,omitempty" validate:"max=100"`
	Country    string `json:"country" validate:"required,country"`
}

// ReturnURLs are the URLs a provider sends the customer or its
// notifications to.
type ReturnURLs struct {
	Success      string `json:"success,omitempty" validate:"omitempty,url"`
	Failure      string `json:"failure,omitempty" validate:"omitempty,url"`
	Cancel       string `json:"cancel,omitempty" validate:"omitempty,url"`
	Notification string `json:"notification,omitempty" validate:"omitempty,url"`
}

// BrowserInfo is the customer's browser, for 3-D Secure 2.
type BrowserInfo struct {
	AcceptHeader      string `json:"accept_header,omitempty"`
	UserAgent         string `json:"user_agent,omitempty"`
	JavaEnabled       bool   `json:"java_enabled"`
	JavaScriptEnabled bool   `json:"javascript_enabled"`
	ColorDepth        int    `json:"color_depth,omitempty" validate:"gte=0,lte=48"`
	ScreenHeight      int    `json:"screen_height,omitempty" validate:"gte=0"`
	ScreenWidth       int    `json:"screen_width,omitempty" validate:"gte=0"`
	// Language as a BCP 47 tag, e.g. "en-GB".
	Language string `json:"language,omitempty" validate:"max=35"`
	// TimeZoneOffset is the browser's UTC offset in minutes, as JavaScript's
	// getTimezoneOffset returns it (e.g. -60 for UTC+1).
	TimeZoneOffset int `json:"time_zone_offset,omitempty"`
}

// Recurring marks the first payment of a series the merchant will repeat.
type Recurring struct {
	// FrequencyDays is the minimum number of days between payments.
	FrequencyDays int `json:"frequency_days,omitempty" validate:"gte=0"`
	// Expires is when the series ends.
	Expires time.Time `json:"expires,omitempty"`
}

// CaptureRequest captures an authorized payment.
type CaptureRequest struct {
	// ID is Payment.ID.
	ID string `json:"id" validate:"required"`
	// Amount to capture; nil captures the full remaining amount.
	Amount *Money `json:"amount,omitempty"`
	// IdempotencyKey makes a retried call safe where the provider dedupes.
	IdempotencyKey string `json:"idempotency_key,omitempty" validate:"max=64"`
}

// CancelRequest releases an authorization.
type CancelRequest struct {
	// ID is Payment.ID.
	ID string `json:"id" validate:"required"`
	// IdempotencyKey makes a retried call safe where the provider dedupes.
	IdempotencyKey string `json:"idempotency_key,omitempty" validate:"max=64"`
}

// RefundRequest returns captured money to the customer.
type RefundRequest struct {
	// ID is Payment.ID.
	ID string `json:"id" validate:"required"`
	// Amount to refund; nil refunds the full remaining captured amount.
	Amount *Money `json:"amount,omitempty"`
	// Reason is passed to the provider.
	Reason string `json:"reason,omitempty" validate:"max=255"`
	// IdempotencyKey makes a retried call safe where the provider dedupes;
	// drivers whose provider needs a refund reference derive it from this key.
	IdempotencyKey string `json:"idempotency_key,omitempty" validate:"max=64"`
}

// StatusRequest names a payment by ID or, where the provider supports it
// (Capabilities.LookupByReference), by the merchant's Reference.
type StatusRequest struct {
	ID        string `json:"id,omitempty"`
	Reference string `json:"reference,omitempty"`
}

// Payment is a payment as the provider last reported it.
type Payment struct {
	// ID is what this driver needs for later calls.
	ID string `json:"id"`
	// Reference is the merchant's order id.
	Reference string `json:"reference,omitempty"`
	// Provider is the driver name.
	Provider string `json:"provider"`
	// Status is the canonical status.
	Status Status `json:"status"`
	// Amount is the authorized (or requested) amount.
	Amount Money `json:"amount"`
	// Captured is the amount captured so far.
	Captured Money `json:"captured"`
	// Refunded is the amount refunded so far.
	Refunded Money `json:"refunded"`
	// Action is what the customer must do when Status is RequiresAction.
	Action *Action `json:"action,omitempty"`
	// Decline says why the payment failed.
	Decline *Decline `json:"decline,omitempty"`
	// ProviderStatus is the provider's raw status, e.g. "11 Captured".
	ProviderStatus string `json:"provider_status,omitempty"`
	// Created and Updated are the provider's timestamps where it gives them.
	Created time.Time `json:"created,omitzero"`
	Updated time.Time `json:"updated,omitzero"`
	// Attempts lists each route a Router tried, in order; empty when the
	// payment did not go through a Router.
	Attempts []Attempt `json:"attempts,omitempty"`
	// Raw is the provider's response body, with card data and secrets
	// scrubbed.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// Attempt is one try of a Router at one route.
type Attempt struct {
	// Route is the route name.
	Route string `json:"route"`
	// Status is the payment status the attempt reached (Unknown on error).
	Status Status `json:"status"`
	// Code is the error class, empty on success.
	Code Code `json:"code,omitempty"`
	// Err is the attempt's error, nil on success.
	Err error `json:"-"`
	// Reason says why the route was tried at this place: "priority" (the
	// static rule), or what the Router's [Strategy] said (a score,
	// "exploration").
	Reason string `json:"reason,omitempty"`
}

// ActionType says how to present an Action to the customer.
type ActionType string

// The action types.
const (
	// ActionRedirect: send the customer's browser to URL with a GET.
	ActionRedirect ActionType = "redirect"
	// ActionFormPost: auto-submit an HTML form of Fields to URL (3-D Secure
	// ACS: PaReq/MD/TermUrl or creq).
	ActionFormPost ActionType = "form_post"
	// ActionDisplay: show the buyer what to pay and how (invoice reference,
	// bank details, QR code); nothing to follow.
	ActionDisplay ActionType = "display"
)

// Action is what the customer must do to finish a payment.
type Action struct {
	// Type says how to present it.
	Type ActionType `json:"type"`
	// URL to redirect to or post to.
	URL string `json:"url,omitempty"`
	// Method is "GET" or "POST".
	Method string `json:"method,omitempty"`
	// Fields are form fields to post (3-D Secure: PaReq, MD, TermUrl, creq,
	// threeDSMethodData), by the provider's names.
	Fields map[string]string `json:"fields,omitempty"`
	// Reference is what the buyer quotes when paying an invoice or transfer.
	Reference string `json:"reference,omitempty"`
	// Details are further instructions by the provider's names (bank account,
	// beneficiary, amount to transfer).
	Details map[string]string `json:"details,omitempty"`
	// QRCodeURL is an image of a QR code to show the buyer.
	QRCodeURL string `json:"qr_code_url,omitempty"`
	// Token is a checkout token for the provider's widget.
	Token string `json:"token,omitempty"`
	// ExpiresAt is when the action stops working, if known.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Refund is one refund of a payment.
type Refund struct {
	// ID is the provider's refund id.
	ID string `json:"id"`
	// PaymentID is the refunded payment's ID.
	PaymentID string `json:"payment_id"`
	// Status is the refund's state.
	Status RefundStatus `json:"status"`
	// Amount refunded.
	Amount Money `json:"amount"`
	// ProviderStatus is the provider's raw status.
	ProviderStatus string `json:"provider_status,omitempty"`
	// Raw is the provider's response body, scrubbed.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// NotificationKind says what a notification is about.
type NotificationKind string

// The notification kinds.
const (
	NotificationPayment NotificationKind = "payment"
	NotificationRefund  NotificationKind = "refund"
	NotificationPayout  NotificationKind = "payout"
	// NotificationOther is any other kind the provider sends (disputes,
	// preapprovals); Raw has the body.
	NotificationOther NotificationKind = "other"
)

// Verification says how a notification was verified. Flags combine.
type Verification uint8

// The verification methods.
const (
	// VerifiedSignature: a signature over the body checked out.
	VerifiedSignature Verification = 1 << iota
	// VerifiedCredentials: the request carried the shared credentials
	// (e.g. Basic auth), compared in constant time.
	VerifiedCredentials
	// VerifiedByQuery: the state was confirmed by querying the provider; the
	// body itself was not trusted.
	VerifiedByQuery
)

// String lists the flags: "credentials+query".
func (v Verification) String() string {
	if v == 0 {
		return "none"
	}
	var s string
	add := func(flag Verification, name string) {
		if v&flag != 0 {
			if s != "" {
				s += "+"
			}
			s += name
		}
	}
	add(VerifiedSignature, "signature")
	add(VerifiedCredentials, "credentials")
	add(VerifiedByQuery, "query")
	return s
}

// Reply is the exact HTTP answer a provider expects to a notification.
type Reply struct {
	// StatusCode, e.g. 200 or 204.
	StatusCode int
	// ContentType of Body, if any.
	ContentType string
	// Body, if the provider expects one.
	Body []byte
}

// Notification is a verified, parsed provider notification.
type Notification struct {
	// Kind says what it is about.
	Kind NotificationKind `json:"kind"`
	// Payment is the payment's state (confirmed by query where Verified
	// includes VerifiedByQuery).
	Payment *Payment `json:"payment,omitempty"`
	// Refund is set for refund notifications.
	Refund *Refund `json:"refund,omitempty"`
	// Verified says how the notification was verified.
	Verified Verification `json:"verified"`
	// Conflict is set by a [Router] when the notification shows that an
	// attempt which does not own its reference holds the customer's money:
	// a double charge that must be returned. The Router also logs it at
	// error level and lists it in [Router.Conflicts].
	Conflict *Conflict `json:"conflict,omitempty"`
	// Reply is what to answer the provider.
	Reply Reply `json:"-"`
	// Raw is the notification body, scrubbed.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// Capabilities says what a driver supports. The conformance suite picks its
// scenarios from it and the feature matrix of docs/drivers.md is generated
// from it.
type Capabilities struct {
	// Methods are the payment methods the driver accepts.
	Methods []MethodKind `json:"methods"`
	// TwoStep: authorize now, capture later (Capture false).
	TwoStep bool `json:"two_step"`
	// Cancel: an authorization can be canceled (voided).
	Cancel bool `json:"cancel"`
	// PartialCapture: less than the authorized amount can be captured.
	PartialCapture bool `json:"partial_capture"`
	// MultipleCaptures: several partial captures of one authorization.
	MultipleCaptures bool `json:"multiple_captures"`
	// Refund: captured money can be refunded.
	Refund bool `json:"refund"`
	// PartialRefund: less than the captured amount can be refunded.
	PartialRefund bool `json:"partial_refund"`
	// MultipleRefunds: several refunds of one payment.
	MultipleRefunds bool `json:"multiple_refunds"`
	// ThreeDS: card payments may require a 3-D Secure challenge.
	ThreeDS bool `json:"three_ds"`
	// LookupByReference: Status accepts the merchant Reference alone.
	LookupByReference bool `json:"lookup_by_reference"`
	// RefundsInStatus: the provider's status answer shows the refunds of a
	// payment (Refunded, PartiallyRefunded). When false, a [Router] reports
	// refunds from its refund ledger: those issued through it.
	RefundsInStatus bool `json:"refunds_in_status"`
	// IdempotentModifications: the provider dedupes capture, cancel and
	// refund by IdempotencyKey, so the driver retries them safely.
	IdempotentModifications bool `json:"idempotent_modifications"`
	// Payouts: the driver pays money out (see its own methods).
	Payouts bool `json:"payouts"`
	// Notifications says how notifications are verified.
	Notifications Verification `json:"notifications"`
	// Currencies the driver accepts; empty means any ISO 4217 currency.
	Currencies []Currency `json:"currencies,omitempty"`
}

// Supports reports whether the driver accepts payment method kind k.
func (c Capabilities) Supports(k MethodKind) bool {
	for _, m := range c.Methods {
		if m == k {
			return true
		}
	}
	return false
}

// AcceptsCurrency reports whether the driver accepts currency cur. Codes
// compare case-insensitively ("eur" is "EUR").
func (c Capabilities) AcceptsCurrency(cur Currency) bool {
	if len(c.Currencies) == 0 {
		return true
	}
	cur = cur.normalize()
	for _, x := range c.Currencies {
		if x.normalize() == cur {
			return true
		}
	}
	return false
}
