// Package smartpaymentstest is an in-process simulator of the SmartPayments
// (SmartCore) HTTP API, written from the provider's API document alone (it
// imports neither the payments package nor the driver, so a driver that
// misreads the document fails against it instead of being mirrored).
//
// It is meant for the driver's conformance suite (recording cassettes), for
// examples that run offline, for users' integration tests and for
// fault-injection tests, whose ground truth is Server.Operations.
//
//	srv := smartpaymentstest.NewServer()
//	defer srv.Close()
//	// point the driver at srv.BaseURL(), srv.CardBaseURL(), srv.ExportBaseURL()
//	// (the driver's Config.BaseURL, CardBaseURL and ExportBaseURL)
//	// with merchant key DefaultMerchantKey and secret DefaultSecret
//
// # Hosts
//
// Like the provider, the simulator listens on separate hosts, so a driver
// that sends card data to the wrong host gets a 404:
//
//	BaseURL()       (api-gateway.smartcore.pro)  POST /initPayment, /check, /refund, /recurrent,
//	                                              /capture, /cancel, /withdrawal/tokenize-form,
//	                                              /withdrawal/balance/get
//	CardBaseURL()   (chd-api.smartcore.pro, PCI)  POST /initPaymentHost2Host, /authorize, /withdrawal/init
//	ExportBaseURL() (service.magua-pay.com)       POST /aggregation-service/public/transaction/excel
//	                                              GET  .../excel/task/{id}, .../excel/task/{id}/result
//	FormURL()       (payment.magua-pay.com)       GET/POST /{id}: payment form, 3-D Secure challenge,
//	                                              tokenization form (the customer's browser; no auth)
//
// Every API call needs "Authorization: Basic base64(merchantKey:secret)"
// (defaults "test" / "qwerty", the document's example header) and, for
// POSTs, "Content-Type: application/json".
//
// # Test data
//
// Payments (/initPaymentHost2Host, /authorize, the /initPayment form):
//
//	4012000000003010 (CardFrictionless)  frictionless, success
//	4003830171874018 (CardChallenge)     3-D Secure challenge on form_url, then success
//	                                     (or AUTHENTICATION_PROCESSING_ERROR / 3DS_CANCEL_PROCESSING_ERROR)
//	any other card (e.g. CardDeclined)   frictionless, declined with the code chosen by the
//	                                     amount's last two digits (DeclineCodeForAmount):
//	                                     ..51 INSUFFICIENT_FUNDS, ..05 DO_NOT_HONOUR, ..92 GATE_NOT_FOUND
//	                                     (with the document's cascadeErrors), ... ; otherwise
//	                                     EMITTER_DENIAL_PROCESSING_ERROR
//
// Wallets (payment_method applePayDPan / googlePayDPan) succeed unless the
// token is FailWalletToken (base64 "fail"), which declines like a failing
// card. A google_pay_dpan whose base64-decoded text contains "PAN_ONLY" goes
// through a challenge, as the document says PAN_ONLY tokens do.
//
// WithFlow / SetFlow force the flow by order_id or card number: a forced
// challenge on a failing card still declines after the challenge; a forced
// frictionless CardChallenge succeeds at once.
//
// Recurrent payments (/recurrent) reuse the parent's card without 3-D
// Secure; they succeed unless the amount's last two digits are in the
// DeclineCodeForAmount table (then they decline with that code).
//
// Withdrawals (/withdrawal/init): 4012000000003010 succeeds, any other card
// fails with DeclineCodeForAmount(amount). payment_method "token" pays out to
// the card entered on a /withdrawal/tokenize-form session (by its merchant
// order_id). A successful withdrawal debits the account's balance (default
// DefaultBalance = 10000 per account; WithBalance, WithDefaultBalance); a
// withdrawal above the balance fails with PLATFORM_ORDER_BILLING_ERROR.
//
// # Lifecycle
//
// Statuses are the document's: 0 waiting for redirect, 1 processing,
// 2 success, -1 fail.
//
//   - /initPayment answers status 1, form_url and responseType "REDIRECT"
//     (the document's example). The payment is 0 until the customer opens
//     form_url, then 1. The customer enters a card there (HTML form, or
//     SubmitCard); the card rules above apply, a challenge card leads to the
//     challenge page.
//   - /initPaymentHost2Host and /authorize: a challenge answers status 1,
//     form_url, "REDIRECT" (the document's example); the payment is 0 until
//     form_url is opened, 1 after. The customer completes it on form_url
//     (POST outcome=success|fail|cancel, or GET form_url?outcome=...) or the
//     test calls Complete (by order_id, processing id or Router ID; the same
//     method as on the other simulators, see package simulator). Frictionless payments (success or
//     decline) answer like the document's example too: status 1, form_url
//     and "REDIRECT" (seed 000_2d15c756a78f42ef.txt l.31, l.164-180,
//     l.685-701), while the payment reaches its final state at once: /check
//     reports it, and form_url redirects the customer. WithImmediateResults
//     (an assumption) makes them answer the final result instead (status 2
//     with endDate, or -1 with err = the error code and msg = its dictionary
//     description, responseType and form_url null).
//   - Once final, form_url redirects (302 after GET, 303 after POST) to
//     success_url or fail_url, or shows a result page if they were not given.
//     status_url is accepted and ignored.
//   - Expire times out a transaction waiting for the customer
//     (FORM_TIMEOUT_PROCESSING_ERROR, 3DS_REDIRECT_TIMEOUT_PROCESSING_ERROR if
//     the challenge page was never opened, else 3DS_TIMEOUT_PROCESSING_ERROR).
//   - Two-step: a successful /authorize leaves status 2. authorize_status
//     is null, the only value the document shows (l.340, l.376);
//     WithAuthorizeStatus (an assumption) reports "AUTHORIZED" (while the
//     challenge is pending: "PENDING"; declined: "DECLINED"), "CAPTURED"
//     after /capture and "CANCELLED" after /cancel. /capture (optional amount ≤ the
//     authorized amount, one capture) sets "CAPTURED" and answers
//     {"order_id": processing id, "status": 2}. /cancel sets status -1 and
//     "CANCELLED" and answers status -1: in the document the cancel example
//     answers -1 and a cancelled payment is Fail, so -1 is a successful
//     cancel. Both only work on authorized payments not yet captured or
//     cancelled.
//   - /refund: on a successful one-step payment or a captured two-step one;
//     the amount must be ≤ captured minus already refunded; several partial
//     refunds are allowed. A refund answers as the document's example
//     (l.438-443): "success": false, "message": "", a refund_id (UUID) and
//     parentTransaction (the payment's processing id); the refund itself
//     succeeds at once and /check by its refund_id reports status 2.
//     WithImmediateResults (an assumption) answers "success": true.
//   - /withdrawal/init answers status 1 as the document's example
//     (l.553-565); WithImmediateResults (an assumption) answers the final
//     status.
//   - /check reports payments, refunds (by refund_id, "type": "Refund" with
//     parentTransaction), withdrawals and tokenization sessions by order_id.
//
// # Callbacks
//
// When a transaction with a callback_url reaches a final status, or a
// two-step payment is captured or cancelled, or a refund is made (to the
// refund request's callback_url), the simulator POSTs JSON to the URL from a
// goroutine:
//
//	{"orderId": "...", "status": 2, "amount": 1000, "currency": "EUR", "finalAmount": 1000,
//	 "type": "Payment", "message": "", "errorCategory": null, "cascadeErrors": null,
//	 "rrn": "...", "eci": "05", "card": {"number": "401200******3010", ...},
//	 "authorize_status": "AUTHORIZED" (two-step only), "parentTransaction": "..." (refunds only),
//	 "sign": "..."}
//
// orderId is the merchant order_id (for a refund its refund_id), a value
// /check accepts. "message" is the dictionary description of errorCategory.
// "sign" is an opaque HMAC: the real algorithm is not public, so a receiver
// must confirm with /check. Only HTTP 200 counts as delivered; other answers
// and transport errors are retried up to DefaultNotificationAttempts times with
// a doubling pause (WithNotificationRetry). Delivery order across transactions
// is not guaranteed. WaitIdle waits until nothing is in flight; Notifications
// lists what was sent; WithoutNotifications turns them off. Callbacks only go to
// loopback hosts (localhost, 127.0.0.0/8, ::1) unless WithExternalNotifications
// is given, so a request copied from the document (callback_url
// "https://site.com/callback") never reaches the internet; such a callback
// is recorded with Skipped set. SetNotificationURL (an assumption) gives a
// target to transactions created without a callback_url.
//
// # Export
//
// POST .../transaction/excel {"type", "status", "dateFrom", "dateTo"}
// snapshots the transactions of that type and status created within
// [dateFrom, dateTo] (Unix milliseconds, inclusive) and answers {"id",
// "status": 1}. GET .../task/{id} answers status 1 until its
// WithExportPolls-th call (default the 2nd), then 2. GET .../task/{id}/result
// answers an .xlsx (XLSXContentType) with the header row ExportColumns and a
// row per transaction; before the task is done it answers 400
// {"status": 1, "err": "TASK_NOT_READY", ...}; an unknown id 404.
//
// # Where the document is silent
//
//   - Errors of the HTTP layer look like Spring Boot's default body:
//     401 (with WWW-Authenticate: Basic), 404 unknown path (including a PCI
//     path on the gateway host), 405 wrong method, 415 missing JSON
//     Content-Type: {"timestamp": "...", "status": 401, "error":
//     "Unauthorized", "path": "/check"}. Auth is checked first, so an
//     unauthenticated call to an unknown path gets 401. Note that "status"
//     there is the HTTP status, not a transaction status.
//   - Refused requests (nothing executed) answer HTTP 400, or 404 for an
//     unknown order, with {"status": -1, "order_id": <as sent>, "err": CODE,
//     "msg": text}; /refund uses {"success": false, "message", "refund_id":
//     null, "parentTransaction": null, "err"}, /recurrent {"success": false,
//     "message", "payment_id": null, "err"}, balance and export {"status": -1,
//     "err", "msg"}. CODE is PLATFORM_ERROR_DUPLICATED_ORDER_ID for a reused
//     order_id (payments, withdrawals, tokenizations and refund ids share
//     one namespace), ORDER_NOT_FOUND, INVALID_ORDER_STATE (capture/cancel of
//     a payment that is not authorized, refund of one not captured, recurrent
//     from a failed parent, withdrawal from an unfinished tokenization),
//     INVALID_AMOUNT (capture above the authorization, refund above the
//     refundable rest), MALFORMED_JSON; a validation failure puts a message
//     naming the field in err, e.g. "customer_email is required".
//   - Declines are not request errors: HTTP 200 with status -1.
//   - Order ids in requests are always the merchant's order_id (the
//     document's tables say "Merchant Order ID"); processing ids are not
//     accepted by /check, /capture, /cancel, /refund, /recurrent. In
//     responses order_id is as the document's examples show: the merchant's
//     for /initPayment, /check and /withdrawal/init; the processing id
//     (24 hex digits) for /initPaymentHost2Host, /authorize, /capture,
//     /cancel and /withdrawal/tokenize-form. /withdrawal/init does not
//     return processing_order_id (its example does not).
//   - finalAmount is in both /check examples but in no response table, and
//     its meaning is not given (both examples, the failed one too, say 900
//     of 1000). The simulator reports a value of its own invention: the
//     captured amount minus refunds; 0 unless the status is 2 and something
//     was captured; for refunds and withdrawals their amount once
//     successful. That is an assumption: a client must not read money from
//     it.
//   - endDate is set when a transaction becomes final (and moved by capture
//     and cancel); null before. Format "2006-01-02T15:04:05.000Z".
//   - /check carries the document's example keys plus rrn and eci, which
//     its response table lists (l.404-405; null until the transaction
//     succeeds), but no card holder or expiry; parentTransaction is added
//     for refunds. card is
//     null for wallets and for forms without a card yet. firstName and
//     lastName are null when unknown.
//   - Tokenization sessions are reported by /check with "type":
//     "Tokenization", amount 0, status 0/1 while waiting, 2 once a card was
//     entered (any card), -1 when expired; a callback is sent when final.
//     They are not in exports.
//   - Card issuer data: every card is reported as country "Spain", iso
//     "ESP" (the document's example); type by BIN (VISA, MASTERCARD, AMEX,
//     UNIONPAY, UNKNOWN).
//   - IDs are deterministic, one counter per kind: processing ids
//     "64a7eec2d46c5db1" + an 8-digit hex counter (the first is
//     "64a7eec2d46c5db100000001"), refund_id / payment_id
//     "%08x-1cda-11ee-82d1-a58ec416e4a2", export task ids
//     "641def1d70836759%08x", rrn a 12-digit counter; Reset restarts them.
//   - holdBalance and rollingBalance are always 0; incoming payments do not
//     change withdrawal balances.
//   - Callback body, retry policy and success code (see Callbacks).
//
// # Where the document contradicts itself
//
//   - customer_zip_code is a String in the tables but a number in the
//     examples: both are accepted. The /capture amount is a String ("Capture
//     Amount in Cents"): a JSON number or a string of digits is accepted.
//     dateTo of the export is a String in its table and a number in the
//     example: both are accepted. Other Long fields must be JSON integers;
//     Boolean fields also accept "true"/"false" strings.
//   - card_holder is "required" for /initPaymentHost2Host, but the Google Pay
//     example omits it: it is required for payment_method card only.
//   - The /initPaymentHost2Host example answers status 1 + REDIRECT for the
//     frictionless card: that is the default answer; see WithImmediateResults.
//   - The /refund example answers "success": false with a refund_id, with
//     no explanation: that is the default answer, and the refund succeeds
//     (see /check by refund_id).
//   - The /check failure example shows finalAmount 900 for a failed payment;
//     the simulator reports 0 for failed payments.
//   - recur_freq / recur_exp (Long vs ISO date) are ignored.
package smartpaymentstest
