package smart2paytest

// Payment status IDs (Payment.Status.ID) as GlobalPay numbers them. The simulator knows all 31
// documented values; there is no status 20. Refunds use a subset: StatusOpen, StatusSuccess and
// StatusFailed.
const (
	StatusOpen                         = 1  // Open: created, waiting for the customer
	StatusSuccess                      = 2  // Success: paid (alternative methods)
	StatusCancelled                    = 3  // Cancelled
	StatusFailed                       = 4  // Failed
	StatusExpired                      = 5  // Expired: TokenLifetime ran out
	StatusPendingOnCustomer            = 6  // PendingOnCustomer
	StatusPendingOnProvider            = 7  // PendingOnProvider
	StatusSubmitted                    = 8  // Submitted
	StatusAuthorized                   = 9  // Authorized: capture or cancel next
	StatusAuthorizeRequested           = 10 // AuthorizeRequested
	StatusCaptured                     = 11 // Captured (direct card)
	StatusRejected                     = 12 // Rejected
	StatusCaptureRequested             = 13 // CaptureRequested
	StatusException                    = 14 // Exception (manual review)
	StatusCancelRequested              = 15 // CancelRequested
	StatusReversed                     = 16 // Reversed
	StatusCompleted                    = 17 // Completed
	StatusProcessing                   = 18 // Processing
	StatusDisputed                     = 19 // Disputed
	StatusPartiallyRefunded            = 21 // PartiallyRefunded
	StatusRefunded                     = 22 // Refunded
	StatusDisputeWon                   = 23 // DisputeWon
	StatusDisputeLost                  = 24 // DisputeLost
	StatusPaid                         = 25 // Paid
	StatusChargedback                  = 26 // Chargedback
	StatusPendingChallengeConfirmation = 30 // PendingChallengeConfirmation
	StatusQueuedForCapturing           = 33 // QueuedForCapturing
	StatusQueuedForCanceling           = 34 // QueuedForCanceling
	StatusPartiallyCaptured            = 35 // PartiallyCaptured
	StatusSuccessWaitForFraud          = 36 // SuccessWaitForFraud
	StatusExceptionWaitForFraud        = 37 // ExceptionWaitForFraud
)

var statusInfo = map[int]string{
	StatusOpen:                         "Open",
	StatusSuccess:                      "Success",
	StatusCancelled:                    "Cancelled",
	StatusFailed:                       "Failed",
	StatusExpired:                      "Expired",
	StatusPendingOnCustomer:            "PendingOnCustomer",
	StatusPendingOnProvider:            "PendingOnProvider",
	StatusSubmitted:                    "Submitted",
	StatusAuthorized:                   "Authorized",
	StatusAuthorizeRequested:           "AuthorizeRequested",
	StatusCaptured:                     "Captured",
	StatusRejected:                     "Rejected",
	StatusCaptureRequested:             "CaptureRequested",
	StatusException:                    "Exception",
	StatusCancelRequested:              "CancelRequested",
	StatusReversed:                     "Reversed",
	StatusCompleted:                    "Completed",
	StatusProcessing:                   "Processing",
	StatusDisputed:                     "Disputed",
	StatusPartiallyRefunded:            "PartiallyRefunded",
	StatusRefunded:                     "Refunded",
	StatusDisputeWon:                   "DisputeWon",
	StatusDisputeLost:                  "DisputeLost",
	StatusPaid:                         "Paid",
	StatusChargedback:                  "Chargedback",
	StatusPendingChallengeConfirmation: "PendingChallengeConfirmation",
	StatusQueuedForCapturing:           "QueuedForCapturing",
	StatusQueuedForCanceling:           "QueuedForCanceling",
	StatusPartiallyCaptured:            "PartiallyCaptured",
	StatusSuccessWaitForFraud:          "SuccessWaitForFraud",
	StatusExceptionWaitForFraud:        "ExceptionWaitForFraud",
}

// StatusInfo returns the Status.Info text GlobalPay sends with a status ID ("Captured" for 11),
// and false for an ID that is not documented.
func StatusInfo(id int) (string, bool) {
	s, ok := statusInfo[id]
	return s, ok
}

// StatusIDs returns every documented payment status ID in ascending order.
func StatusIDs() []int {
	return []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
		21, 22, 23, 24, 25, 26, 30, 33, 34, 35, 36, 37}
}

// Redirection statuses: the value of the data query parameter GlobalPay appends to ReturnURL.
const (
	RedirectSuccess    = 2 // data=2 Success
	RedirectCancelled  = 3 // data=3 Cancelled
	RedirectFailed     = 4 // data=4 Failed
	RedirectProcessing = 7 // data=7 Processing
	RedirectAuthorized = 9 // data=9 Authorized
)

// Return codes (Status.Reasons[].Code) the simulator answers with. Codes 1–125 are GlobalPay's
// documented return codes; 2206–2207 are the direct card API's refund codes (PROVIDERS.md). The
// simulator uses no undocumented code.
const (
	CodeMissingParameter     = 1    // a required parameter is missing
	CodeValidationFailed     = 2    // a parameter has the wrong type or format
	CodeMethodInvalid        = 5    // MethodID is not a valid method
	CodePaymentInvalid       = 17   // unknown payment, or the action is not allowed in its status
	CodeRefundInvalid        = 18   // alternative-methods host: the refund is not allowed
	CodeCountryInvalid       = 19   // a country code is not ISO 3166-1 alpha-2
	CodeDuplicate            = 20   // MerchantTransactionID already used on this host
	CodeCurrencyInvalid      = 100  // alternative-methods host: Currency is not ISO 4217
	CodeAmountInvalid        = 118  // Amount (or a capture's ?amount=) is not a positive integer or too large
	CodeUnableToAuthorize    = 121  // the card test amount 10001 was declined
	CodeRefundExceedsPayment = 2206 // card host: the refund exceeds what is left to refund
	CodeAnotherRefundPending = 2207 // card host: another refund is still Open
)
