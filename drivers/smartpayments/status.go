package smartpayments

import (
	"strconv"

	"github.com/gopayments/payments"
)

// statusInfo is one documented transaction status.
type statusInfo struct {
	// Name is the document's description.
	Name string
	// Status is the canonical status of a payment in this provider status.
	// Status 2 (Success) is Captured for a one-step sale; context adjusts
	// it (see mapStatus): Authorized for a two-step authorization, Canceled
	// for a successful /cancel.
	Status payments.Status
}

// statuses is THE table of the document's "Transaction statuses" (seed
// 000_2d15c756a78f42ef.txt l.411-417 and l.895-900; the same codes serve
// payments, refunds, withdrawals and export tasks, l.816).
var statuses = map[int64]statusInfo{
	0:  {Name: "Waiting for redirect", Status: payments.StatusRequiresAction},
	1:  {Name: "Processing", Status: payments.StatusPending},
	2:  {Name: "Success", Status: payments.StatusCaptured},
	-1: {Name: "Fail", Status: payments.StatusFailed},
}

// The documented status codes, by name.
const (
	statusWaitingRedirect int64 = 0
	statusProcessing      int64 = 1
	statusSuccess         int64 = 2
	statusFail            int64 = -1
)

// call says which answer a status comes from, for the adjustments the table
// cannot express.
type call uint8

// The calls whose answers carry a status.
const (
	callSale      call = iota // one-step payment creation (sale, hosted page, recurrent)
	callAuthorize             // two-step /authorize
	callCapture               // /capture
	callCancel                // /cancel
	callCheck                 // /check (authorize_status applies)
)

// statusLabels are providerStatus's answers for the documented codes,
// formatted once.
var statusLabels = func() map[int64]string {
	m := make(map[int64]string, len(statuses))
	for code, info := range statuses {
		m[code] = strconv.FormatInt(code, 10) + " " + info.Name
	}
	return m
}()

// providerStatus formats a status code for Payment.ProviderStatus:
// "2 Success", "-1 Fail", or the bare number for an undocumented code.
func providerStatus(code int64) string {
	if s, ok := statusLabels[code]; ok {
		return s
	}
	return strconv.FormatInt(code, 10)
}

// mapStatus maps a provider status to the canonical one. hasAction says the
// answer carried something for the customer to do (form_url, 3-D Secure
// fields); authStatus is /check's authorize_status (nil when null).
// Two-step payments are settled by Gateway.Check from what the driver
// itself did (its /authorize, /capture and /cancel answers), not here.
func mapStatus(code int64, c call, hasAction bool, authStatus *string) payments.Status {
	info, ok := statuses[code]
	if !ok {
		return payments.StatusUnknown
	}
	st := info.Status
	switch code {
	case statusWaitingRedirect, statusProcessing:
		if hasAction {
			return payments.StatusRequiresAction
		}
		if c == callCapture || c == callCancel {
			// "Capture operation can return a pending status": the
			// payment is not waiting for the customer.
			return payments.StatusPending
		}
		return st
	case statusSuccess:
		switch c {
		case callAuthorize:
			return payments.StatusAuthorized
		case callCancel:
			// A cancel answers the payment's status afterwards; the
			// document's example answers -1. A 2 says the payment is
			// still a success: the driver cannot tell what happened.
			return payments.StatusUnknown
		case callCheck:
			// authorize_status: the document shows null only (l.340,
			// l.376) and names no value. With null, 2 is the one-step
			// payment of the example (l.325-344): Captured. Any value is
			// undocumented: Unknown (a conservative default); the caller
			// decides two-step payments from the driver's own calls
			// (see Gateway.Check).
			if authStatus != nil {
				return payments.StatusUnknown
			}
			return st
		}
		return st
	case statusFail:
		switch c {
		case callCancel:
			// The document's /cancel example answers -1: the
			// authorization is voided.
			return payments.StatusCanceled
		}
		return st
	}
	return st
}
