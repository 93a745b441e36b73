package smartpaymentstest

import (
	"encoding/base64"
	"strings"
)

// Test cards. The first two are the document's; every other card number
// fails (the document: "All Others Fail"), with the error code chosen by the
// amount (see DeclineCodeForAmount).
const (
	// CardFrictionless is the document's "Frictionless Flow, Success" payment
	// card and its only successful withdrawal card.
	CardFrictionless = "4012000000003010"
	// CardChallenge is the document's "Challenge Flow, Success or Fail" card:
	// the customer must complete a 3-D Secure challenge on form_url.
	CardChallenge = "4003830171874018"
	// CardDeclined is a card that is declined ("All Others Fail"); any
	// number other than the two above behaves the same.
	CardDeclined = "4111111111111111"
)

// FailWalletToken is the apple_pay_dpan / google_pay_dpan value (base64 of
// "fail") that makes a wallet payment decline; every other token succeeds.
var FailWalletToken = base64.StdEncoding.EncodeToString([]byte("fail"))

// Transaction statuses, as the document numbers them.
const (
	StatusWaitingRedirect = 0  // Waiting for redirect
	StatusProcessing      = 1  // Processing
	StatusSuccess         = 2  // Success
	StatusFail            = -1 // Fail
)

// Transaction types as /check spells them in "type".
const (
	TypePayment      = "Payment"
	TypeRefund       = "Refund"
	TypeWithdrawal   = "Withdrawal"
	TypeTokenization = "Tokenization" // invented: the document names no type for tokenization sessions
)

// authorize_status values of two-step payments (invented: the document only
// shows null for one-step payments).
const (
	AuthorizePending   = "PENDING"    // waiting for the 3-D Secure challenge
	AuthorizeApproved  = "AUTHORIZED" // funds held, capture or cancel possible
	AuthorizeCaptured  = "CAPTURED"
	AuthorizeCancelled = "CANCELLED"
	AuthorizeDeclined  = "DECLINED"
)

// Transaction error codes from the document's dictionary.
const (
	CodeProcessingError        = "PROCESSING_ERROR"
	CodeAuthentication         = "AUTHENTICATION_PROCESSING_ERROR"
	CodeDoNotHonour            = "DO_NOT_HONOUR_PROCESSING_ERROR"
	CodeEmitterDenial          = "EMITTER_DENIAL_PROCESSING_ERROR"
	CodeFormTimeout            = "FORM_TIMEOUT_PROCESSING_ERROR"
	CodeInsufficientFunds      = "INSUFFICIENT_FUNDS_PROCESSING_ERROR"
	CodeLimit                  = "LIMIT_PROCESSING_ERROR"
	CodeProcessorDenial        = "PROCESSOR_DENIAL_PROCESSING_ERROR"
	Code3DSRedirectTimeout     = "3DS_REDIRECT_TIMEOUT_PROCESSING_ERROR"
	Code3DSTimeout             = "3DS_TIMEOUT_PROCESSING_ERROR"
	CodeTechnical              = "TECHNICAL_PROCESSING_ERROR"
	CodeValidation             = "VALIDATION_PROCESSING_ERROR"
	CodeDuplicatedOrderID      = "PLATFORM_ERROR_DUPLICATED_ORDER_ID"
	CodeGateExchangeNotAllowed = "PLATFORM_ERROR_ERROR_GATE_EXCHANGE_NOT_ALLOWED"
	CodeGateNotFound           = "PLATFORM_ERROR_GATE_NOT_FOUND"
	CodeOrderBilling           = "PLATFORM_ORDER_BILLING_ERROR"
	CodeCardTimeLimit          = "CARD_TIME_LIMIT_PROCESSING_ERROR"
	Code3DSCancel              = "3DS_CANCEL_PROCESSING_ERROR"
)

// The cascade categories of the document's /check failure example.
const (
	cascadeAntifraudRules       = "PLATFORM_ERROR_ANTIFRAUD_RULES"
	cascadeGateSkipped          = "PLATFORM_ERROR_GATE_SKIPPED"
	cascadeCardBrandUnavailable = "PLATFORM_ERROR_CARD_BRAND_UNAVAILABLE"
)

// Request error codes the simulator puts in "err" of refused requests. Only
// PLATFORM_ERROR_DUPLICATED_ORDER_ID is the document's; the others are
// invented (the document shows no error body). Validation failures carry a
// message naming the field instead of a code, e.g. "customer_email is required".
const (
	ErrCodeOrderNotFound     = "ORDER_NOT_FOUND"
	ErrCodeInvalidOrderState = "INVALID_ORDER_STATE"
	ErrCodeInvalidAmount     = "INVALID_AMOUNT"
	ErrCodeMalformedJSON     = "MALFORMED_JSON"
	ErrCodeTaskNotFound      = "TASK_NOT_FOUND"
	ErrCodeTaskNotReady      = "TASK_NOT_READY"
)

var descriptions = map[string]string{
	CodeProcessingError:        "An error that has not fallen under any of the categories",
	CodeAuthentication:         "Authentication error during processing 3DS level",
	CodeDoNotHonour:            "Rejection by anti fraud system",
	CodeEmitterDenial:          "Rejection by the issuer",
	CodeFormTimeout:            "The buyer has not passed the card data entry form",
	CodeInsufficientFunds:      "Insufficient funds on the card",
	CodeLimit:                  "limits validating error on the bank side",
	CodeProcessorDenial:        "Processing error on the payment gateway side",
	Code3DSRedirectTimeout:     "The customer has not visited the 3DS page",
	Code3DSTimeout:             "The customer has not returned from the 3DS processing",
	CodeTechnical:              "Technical error on the side of the payment gateway",
	CodeValidation:             "Data validating error at the gateway level",
	CodeDuplicatedOrderID:      "error related to the fact that the ID that is sent is already in the system.",
	CodeGateExchangeNotAllowed: "error related to the amount of conversion to another currency, error on our side",
	CodeGateNotFound:           "operation could not find a gate to pass the operation",
	CodeOrderBilling:           "errors not falling under internal categories",
	CodeCardTimeLimit:          "Limit on Minimum time between card transactions 60 seconds",
	Code3DSCancel:              `User clicked "Cancel" button on 3DS page`,
}

// Description returns the document's dictionary description of a transaction
// error code ("" if unknown).
func Description(code string) string { return descriptions[code] }

// declineByAmount maps the last two digits of the amount (in minor units) to
// the error code of a failing instrument. Mostly ISO 8583 mnemonics: 05 do
// not honour, 51 insufficient funds, 61 exceeds limit, 14 invalid card,
// 91 issuer unavailable, 92 no routing, 96 system malfunction.
var declineByAmount = map[int64]string{
	5:  CodeDoNotHonour,
	6:  CodeProcessingError,
	14: CodeValidation,
	51: CodeInsufficientFunds,
	61: CodeLimit,
	65: CodeCardTimeLimit,
	82: CodeAuthentication,
	91: CodeTechnical,
	92: CodeGateNotFound,
	93: CodeGateExchangeNotAllowed,
	96: CodeProcessorDenial,
	97: CodeOrderBilling,
}

// DeclineCodeForAmount returns the transaction error code a failing card,
// failing wallet token or failing withdrawal card gets for an amount in
// minor units, chosen by the amount's last two digits:
//
//	..05 DO_NOT_HONOUR_PROCESSING_ERROR         ..65 CARD_TIME_LIMIT_PROCESSING_ERROR
//	..06 PROCESSING_ERROR                       ..82 AUTHENTICATION_PROCESSING_ERROR
//	..14 VALIDATION_PROCESSING_ERROR            ..91 TECHNICAL_PROCESSING_ERROR
//	..51 INSUFFICIENT_FUNDS_PROCESSING_ERROR    ..92 PLATFORM_ERROR_GATE_NOT_FOUND
//	..61 LIMIT_PROCESSING_ERROR                 ..93 PLATFORM_ERROR_ERROR_GATE_EXCHANGE_NOT_ALLOWED
//	..96 PROCESSOR_DENIAL_PROCESSING_ERROR      ..97 PLATFORM_ORDER_BILLING_ERROR
//	any other                                   EMITTER_DENIAL_PROCESSING_ERROR
//
// e.g. CardDeclined with amount 1051 declines with insufficient funds, with
// amount 1000 with EMITTER_DENIAL_PROCESSING_ERROR.
func DeclineCodeForAmount(amount int64) string {
	if c, ok := declineByAmount[amount%100]; ok {
		return c
	}
	return CodeEmitterDenial
}

// recurrentDeclineCode is the outcome of a merchant-initiated recurrent
// payment: its card was approved before, so only the amount table can fail it.
func recurrentDeclineCode(amount int64) string { return declineByAmount[amount%100] }

// CascadeError is one entry of "cascadeErrors".
type CascadeError struct {
	GatePriority  int    `json:"gatePriority"`
	ErrorCategory string `json:"errorCategory"`
}

// cascadeFor gives the cascade list reported with a failure. For
// PLATFORM_ERROR_GATE_NOT_FOUND it is exactly the document's example.
func cascadeFor(code string) []CascadeError {
	if code == CodeGateNotFound {
		return []CascadeError{
			{0, cascadeAntifraudRules},
			{1, cascadeGateSkipped},
			{2, cascadeCardBrandUnavailable},
		}
	}
	return []CascadeError{{0, code}}
}

// Flow is a 3-D Secure flow forced with WithFlow or SetFlow.
type Flow int

const (
	// FlowFrictionless finishes the payment without customer interaction;
	// the card's result applies (CardChallenge then succeeds).
	FlowFrictionless Flow = iota + 1
	// FlowChallenge makes the customer complete a challenge on form_url
	// first; after a successful challenge the card's result applies (a
	// failing card still declines).
	FlowChallenge
)

// cardJSON is the "card" object of /check, /withdrawal/init and callbacks.
type cardJSON struct {
	Number  string `json:"number"`
	Bin     string `json:"bin"`
	Country string `json:"country"`
	ISO     string `json:"iso"`
	Type    string `json:"type"`
}

// cardInfo describes a PAN the way the document's example does:
// "401200******3010", bin "401200", country "Spain", iso "ESP", type "VISA".
// The simulator's BIN table knows one country: every card is Spanish.
func cardInfo(pan string) *cardJSON {
	if pan == "" {
		return nil
	}
	return &cardJSON{
		Number:  maskPAN(pan),
		Bin:     pan[:6],
		Country: "Spain",
		ISO:     "ESP",
		Type:    brand(pan),
	}
}

// maskPAN keeps the first six and last four digits (PANs have 12 to 19).
func maskPAN(pan string) string {
	return pan[:6] + strings.Repeat("*", len(pan)-10) + pan[len(pan)-4:]
}

func brand(pan string) string {
	switch {
	case strings.HasPrefix(pan, "4"):
		return "VISA"
	case strings.HasPrefix(pan, "34"), strings.HasPrefix(pan, "37"):
		return "AMEX"
	case pan[0] == '5' && pan[1] >= '1' && pan[1] <= '5':
		return "MASTERCARD"
	case pan >= "2221" && pan < "2721":
		return "MASTERCARD"
	case strings.HasPrefix(pan, "62"):
		return "UNIONPAY"
	default:
		return "UNKNOWN"
	}
}
