package smartpayments

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// This file holds the request and response bodies exactly as the provider
// spells them: snake_case requests, mixed-case responses (form_url next to
// responseType, ACSUrl on /initPayment next to acsurl on
// /initPaymentHost2Host), integer minor units, and explicit nulls. Field
// order follows the document's examples.

// Endpoint paths, by host.
const (
	pathInitPayment   = "/initPayment"          // gateway host
	pathHost2Host     = "/initPaymentHost2Host" // card-data host
	pathAuthorize     = "/authorize"            // card-data host
	pathCapture       = "/capture"              // gateway host
	pathCancel        = "/cancel"               // gateway host
	pathRefund        = "/refund"               // gateway host
	pathCheck         = "/check"                // gateway host
	pathRecurrent     = "/recurrent"            // gateway host
	pathTokenizeForm  = "/withdrawal/tokenize-form"
	pathWithdrawal    = "/withdrawal/init" // card-data host
	pathBalance       = "/withdrawal/balance/get"
	pathExport        = "/aggregation-service/public/transaction/excel" // export host
	pathExportTask    = pathExport + "/task/"
	pathExportResult  = "/result"
	paymentMethodCard = "card"
	paymentMethodAP   = "applePayDPan"
	paymentMethodGP   = "googlePayDPan"
)

// paymentRequest is the body of /initPayment, /initPaymentHost2Host and
// /authorize. Which optional groups are set depends on the endpoint: the
// driver fills exactly the fields the endpoint's request table lists.
type paymentRequest struct {
	PaymentMethod     string `json:"payment_method,omitempty"` // initPaymentHost2Host only
	Account           string `json:"account"`
	Amount            int64  `json:"amount"`
	Currency          string `json:"currency"`
	OrderID           string `json:"order_id"`
	MerchantSite      string `json:"merchant_site,omitempty"`
	Recurrent         bool   `json:"recurrent"`
	Purpose           string `json:"purpose,omitempty"`
	CustomerFirstName string `json:"customer_first_name"`
	CustomerLastName  string `json:"customer_last_name"`
	CustomerAddress   string `json:"customer_address"`
	CustomerCity      string `json:"customer_city"`
	// CustomerZipCode is a String in every request table; the examples send
	// a number (121165). The driver follows the tables.
	CustomerZipCode   string `json:"customer_zip_code"`
	CustomerCountry   string `json:"customer_country"`
	CustomerPhone     string `json:"customer_phone"`
	CustomerEmail     string `json:"customer_email"`
	CustomerIPAddress string `json:"customer_ip_address,omitempty"` // not in /authorize's table
	SuccessURL        string `json:"success_url,omitempty"`
	FailURL           string `json:"fail_url,omitempty"`
	CallbackURL       string `json:"callback_url,omitempty"`
	StatusURL         string `json:"status_url,omitempty"`

	CardHolder   string `json:"card_holder,omitempty"`
	CardNumber   string `json:"card_number,omitempty"`
	CardExpMonth string `json:"card_exp_month,omitempty"`
	CardExpYear  string `json:"card_exp_year,omitempty"`
	CardCVV      string `json:"card_cvv,omitempty"`

	ApplePayDPAN                  string `json:"apple_pay_dpan,omitempty"`
	ApplePayPaymentMethodNetwork  string `json:"apple_pay_payment_method_network,omitempty"`
	GooglePayDPAN                 string `json:"google_pay_dpan,omitempty"`
	GooglePayPaymentMethodNetwork string `json:"google_pay_payment_method_network,omitempty"`

	// RecurFreq is a Long (days). RecurExp is typed Long in the table but
	// described as an ISO 8601 date ("2023-12-13T14:00:53.421Z"): the driver
	// sends the string the description shows.
	RecurFreq int64  `json:"recur_freq,omitempty"`
	RecurExp  string `json:"recur_exp,omitempty"`

	BrowserAcceptHeader string `json:"browser_accept_header,omitempty"`
	BrowserUserAgent    string `json:"browser_user_agent,omitempty"`
	BrowserJavaEnabled  *bool  `json:"browser_java_enabled,omitempty"`
	BrowserJSEnabled    *bool  `json:"browser_js_enabled,omitempty"`
	BrowserColorDepth   string `json:"browser_color_depth,omitempty"`
	BrowserScreenHeight string `json:"browser_screen_height,omitempty"`
	BrowserScreenWidth  string `json:"browser_screen_width,omitempty"`
	BrowserLanguage     string `json:"browser_language,omitempty"`
	BrowserTimeZone     string `json:"browser_time_zone,omitempty"`
}

// paymentResponse is the answer of /initPayment, /initPaymentHost2Host,
// /authorize and /withdrawal/tokenize-form. /initPayment spells the 3-D
// Secure fields ACSUrl, MD, TermUrl; the card-data host spells them acsurl,
// md, termUrl: both are decoded (encoding/json prefers the exact key).
//
// Only the members the driver reads are listed (the answers also carry
// stage, description and responseType): encoding/json skips the others, and
// every listed one costs an allocation per answer. The strings are plain
// strings, not pointers: nothing tells null from absent or "".
type paymentResponse struct {
	FormURL           string  `json:"form_url"`
	ThreeDSMethodData string  `json:"threeDSMethodData"`
	OrderID           string  `json:"order_id"`
	Status            wireInt `json:"status"`
	EndDate           string  `json:"endDate"`
	Err               string  `json:"err"`
	Msg               string  `json:"msg"`
	PaReq             string  `json:"paReq"`
	Creq              string  `json:"creq"`
	MD                string  `json:"md"`
	TermURL           string  `json:"termUrl"`
	ACSURL            string  `json:"acsurl"`
	ACSURLForm        string  `json:"ACSUrl"`
	MDForm            string  `json:"MD"`
	TermURLForm       string  `json:"TermUrl"`
}

// statusResponse is the answer of /capture and /cancel.
type statusResponse struct {
	Status wireInt `json:"status"`
	Err    string  `json:"err"`
	Msg    string  `json:"msg"`
}

// orderRequest is the body of /check and /cancel.
type orderRequest struct {
	OrderID string `json:"order_id"`
}

// orderBody is the body of /check: orderRequest's JSON, written directly
// when the id needs no escaping (printable ASCII without '"' and '\\': the
// bytes encoding/json would write), else orderRequest for httpx to encode.
func orderBody(orderID string) any {
	for i := 0; i < len(orderID); i++ {
		if c := orderID[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return orderRequest{OrderID: orderID}
		}
	}
	const head, tail = `{"order_id":"`, `"}`
	b := make([]byte, 0, len(head)+len(orderID)+len(tail))
	return append(append(append(b, head...), orderID...), tail...)
}

// captureRequest is the body of /capture. amount is typed String in the
// document's table ("Capture Amount in Cents"); the driver sends the digits
// as a JSON string, as the table says.
type captureRequest struct {
	OrderID string `json:"order_id"`
	Amount  string `json:"amount,omitempty"`
}

// refundRequest is the body of /refund.
type refundRequest struct {
	OrderID     string `json:"order_id"`
	Amount      int64  `json:"amount"`
	Reason      string `json:"reason"`
	CallbackURL string `json:"callback_url,omitempty"`
}

// refundResponse is the answer of /refund. The document's example answers
// "success": false with a refund_id: the refund was accepted and is being
// processed.
type refundResponse struct {
	Success           *bool   `json:"success"`
	Message           *string `json:"message"`
	RefundID          *string `json:"refund_id"`
	ParentTransaction *string `json:"parentTransaction"`
	Err               *string `json:"err"`
}

// checkResponse is the answer of /check. AuthorizeStatus stays a pointer:
// null (a one-step payment) and "" are told apart. "finalAmount" (in the
// examples, in no table: seed 000_2d15c756a78f42ef.txt l.329, l.389-409) is
// deliberately not decoded: it stays in Raw only, and nothing reads it.
type checkResponse struct {
	OrderID           string        `json:"order_id"`
	Status            wireInt       `json:"status"`
	Amount            wireInt       `json:"amount"`
	Card              *wireCard     `json:"card"`
	Err               string        `json:"err"`
	ErrorMessage      string        `json:"errorMessage"`
	CascadeErrors     cascadeErrors `json:"cascadeErrors"`
	EndDate           string        `json:"endDate"`
	AuthorizeStatus   *string       `json:"authorize_status"`
	Type              string        `json:"type"`
	FirstName         string        `json:"firstName"`
	LastName          string        `json:"lastName"`
	RRN               string        `json:"rrn"`
	ECI               string        `json:"eci"`
	ParentTransaction string        `json:"parentTransaction"`
}

// wireCard is the "card" object of /check and /withdrawal/init. The number
// is masked by the provider ("401200******3010").
type wireCard struct {
	Number       string `json:"number"`
	CardHolder   string `json:"card_holder"`
	CardExpMonth string `json:"card_exp_month"`
	CardExpYear  string `json:"card_exp_year"`
	Bin          string `json:"bin"`
	Country      string `json:"country"`
	ISO          string `json:"iso"`
	Type         string `json:"type"`
}

// wireCascadeError is one entry of cascadeErrors.
type wireCascadeError struct {
	GatePriority  wireInt `json:"gatePriority"`
	ErrorCategory string  `json:"errorCategory"`
}

// cascadeErrors is "cascadeErrors": typed String in the response table, an
// array of {gatePriority, errorCategory} in the example. Both decode: a
// string becomes one entry without a priority; null is empty.
type cascadeErrors []wireCascadeError

func (c *cascadeErrors) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*c = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*c = nil
		if s != "" {
			*c = cascadeErrors{{ErrorCategory: s}}
		}
		return nil
	}
	var list []wireCascadeError
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*c = list
	return nil
}

// recurrentRequest is the body of /recurrent.
type recurrentRequest struct {
	OrderID       string `json:"order_id"`
	ParentOrderID string `json:"parent_order_id"`
	Amount        int64  `json:"amount"`
	Purpose       string `json:"purpose"`
	CallbackURL   string `json:"callback_url,omitempty"`
	RecurPeriod   string `json:"recur_period,omitempty"`
}

// recurrentResponse is the answer of /recurrent.
type recurrentResponse struct {
	Success   *bool   `json:"success"`
	Message   *string `json:"message"`
	PaymentID *string `json:"payment_id"`
	Err       *string `json:"err"`
}

// tokenizeRequest is the body of /withdrawal/tokenize-form.
type tokenizeRequest struct {
	Account     string `json:"account"`
	OrderID     string `json:"order_id"`
	CallbackURL string `json:"callback_url,omitempty"`
	SuccessURL  string `json:"success_url,omitempty"`
	FailURL     string `json:"fail_url,omitempty"`
}

// withdrawalRequest is the body of /withdrawal/init, every documented field.
type withdrawalRequest struct {
	Account                        string `json:"account"`
	OrderID                        string `json:"order_id"`
	Amount                         int64  `json:"amount"`
	PaymentMethod                  string `json:"payment_method,omitempty"`
	CustomerCardNumber             string `json:"customer_card_number,omitempty"`
	TokenizeTransactionOrderID     string `json:"tokenize_transaction_order_id,omitempty"`
	CustomerCardExpMonth           string `json:"customer_card_exp_month,omitempty"`
	CustomerCardExpYear            string `json:"customer_card_exp_year,omitempty"`
	Purpose                        string `json:"purpose,omitempty"`
	MerchantSite                   string `json:"merchant_site,omitempty"`
	CustomerFirstName              string `json:"customer_first_name,omitempty"`
	CustomerMiddleName             string `json:"customer_middle_name,omitempty"`
	CustomerLastName               string `json:"customer_last_name,omitempty"`
	CustomerPhone                  string `json:"customer_phone,omitempty"`
	CustomerBirthdate              string `json:"customer_birthdate,omitempty"`
	CustomerCountry                string `json:"customer_country,omitempty"`
	CustomerZipCode                string `json:"customer_zip_code,omitempty"`
	CustomerIPAddress              string `json:"customer_ip_address,omitempty"`
	CallbackURL                    string `json:"callback_url,omitempty"`
	ProviderID                     string `json:"provider_id,omitempty"`
	AccountWithdrawal              string `json:"account_withdrawal,omitempty"`
	AccountWithdrawalHolder        string `json:"account_withdrawal_holder,omitempty"`
	AccountWithdrawalIIN           string `json:"account_withdrawal_iin,omitempty"`
	AccountWithdrawalBIN           string `json:"account_withdrawal_bin,omitempty"`
	AccountWithdrawalKBE           string `json:"account_withdrawal_kbe,omitempty"`
	AccountWithdrawalBankCode      string `json:"account_withdrawal_bank_code,omitempty"`
	AccountWithdrawalBankName      string `json:"account_withdrawal_bank_name,omitempty"`
	AccountWithdrawalCNP           string `json:"account_withdrawal_cnp,omitempty"`
	AccountWithdrawalRecipientCode string `json:"account_withdrawal_recipient_code,omitempty"`
	AccountWithdrawalSenderCode    string `json:"account_withdrawal_sender_code,omitempty"`
	AccountWithdrawalRecipientRNN  string `json:"account_withdrawal_recipient_rnn,omitempty"`
	AccountWithdrawalRecipientName string `json:"account_withdrawal_recipient_name,omitempty"`
	A2ASenderCountry               string `json:"a2a_sender_country,omitempty"`
	A2ASenderCity                  string `json:"a2a_sender_city,omitempty"`
	A2ASenderAddress               string `json:"a2a_sender_address,omitempty"`
	A2ASenderZipCode               string `json:"a2a_sender_zip_code,omitempty"`
}

// withdrawalResponse is the answer of /withdrawal/init.
type withdrawalResponse struct {
	OrderID           *string   `json:"order_id"`
	ProcessingOrderID *string   `json:"processing_order_id"`
	Status            wireInt   `json:"status"`
	Card              *wireCard `json:"card"`
	Err               *string   `json:"err"`
	Msg               *string   `json:"msg"`
}

// accountRequest is the body of /withdrawal/balance/get.
type accountRequest struct {
	Account string `json:"account"`
}

// balanceResponse is the answer of /withdrawal/balance/get.
type balanceResponse struct {
	Balance        wireInt `json:"balance"`
	HoldBalance    wireInt `json:"holdBalance"`
	RollingBalance wireInt `json:"rollingBalance"`
	Err            *string `json:"err"`
}

// exportRequest is the body that creates an export task. dateTo is typed
// String in the table but a number in the example, like dateFrom: the
// driver sends a number.
type exportRequest struct {
	Type     string `json:"type"`
	Status   int64  `json:"status"`
	DateFrom int64  `json:"dateFrom"`
	DateTo   int64  `json:"dateTo"`
}

// exportTaskResponse is the answer of task creation and task status.
type exportTaskResponse struct {
	ID     *string `json:"id"`
	Status wireInt `json:"status"`
	Err    *string `json:"err"`
}

// errorResponse is what the driver reads from a non-2xx answer: the
// provider's "err"/"msg"/"message" fields where present, and the Spring-style
// "error" of framework errors (401, 404, 405).
type errorResponse struct {
	Status  wireInt `json:"status"`
	Err     *string `json:"err"`
	Msg     *string `json:"msg"`
	Message *string `json:"message"`
	Error   *string `json:"error"`
}

// wireInt is an integer the provider sends as a JSON number (Long, Int).
// It also accepts a string of digits (some fields are typed String in the
// tables and numbers in the examples, or the reverse) and null (Valid
// false). A fraction or exponent is an error: amounts are integers and never
// pass through float64.
type wireInt struct {
	Valid bool
	V     int64
}

var errNotInteger = errors.New("not an integer")

func (w *wireInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*w = wireInt{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		return w.parse(strings.TrimSpace(s))
	}
	// The conversion does not escape: a number costs no allocation.
	return w.parse(string(b))
}

// parse reads the decimal digits of s (an optional sign, no fraction).
func (w *wireInt) parse(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return errNotInteger
	}
	*w = wireInt{Valid: true, V: n}
	return nil
}

// MarshalJSON writes the number, or null.
func (w wireInt) MarshalJSON() ([]byte, error) {
	if !w.Valid {
		return []byte("null"), nil
	}
	return strconv.AppendInt(nil, w.V, 10), nil
}

// str dereferences an optional string.
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
