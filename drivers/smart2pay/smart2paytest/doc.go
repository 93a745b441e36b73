// Package smart2paytest is an in-process simulator of the Smart2Pay GlobalPay REST API
// (now part of Nuvei), written from the provider's document (seed 002_c6b29c27df04218d.txt) and
// the provider facts in PROVIDERS.md §2, independently of the driver: it imports neither the root
// payments package nor drivers/smart2pay, so a field the driver spells wrong fails against it.
//
// # Two hosts, one state
//
// GlobalPay has two APIs on two hosts. NewServer starts two loopback listeners over one shared
// state:
//
//	BaseURL()      alternative payment methods  (test host paytest.smart2pay.com)
//	CardBaseURL()  direct card payments         (test host securetest.smart2pay.com)
//
// Endpoints (all require Authorization: Basic base64(SiteID:APIKey) of the host's site):
//
//	POST /v1/payments                                  both hosts
//	GET  /v1/payments[?filters]                        both hosts (each lists its own payments)
//	GET  /v1/payments/{id}                             both hosts
//	POST /v1/payments/{id}/capture[?amount=N]          both hosts
//	POST /v1/payments/{id}/cancel                      both hosts
//	POST /v1/payments/{id}/refunds                     both hosts
//	GET  /v1/payments/{id}/refunds                     both hosts
//	GET  /v1/payments/{id}/refunds/{refundId}          both hosts
//	GET  /v1/payments/{id}/status                      card host only (404 on the other)
//	GET  /v1/payments/{id}/refunds/{refundId}/status   card host only
//	GET|POST /Home?PaymentToken=…                      the customer's page (RedirectURL), no auth
//
// A payment lives on the host that created it; its ID is unknown to the other host (400 with
// code 17), as the two APIs are separate systems with separate ID ranges.
//
// Credentials default to the document's examples: DefaultSiteID/DefaultAPIKey (30201) on the
// alternative-methods host and DefaultCardSiteID/DefaultCardAPIKey (1010, "gabi") on the card
// host. WithCredentials sets one pair for both hosts; WithCardCredentials overrides the card
// host's. A missing or wrong Authorization header is answered 401 with
// WWW-Authenticate: Basic realm="GlobalPay" and the body
// {"Message":"Authorization has been denied for this request."} (the ASP.NET Web API message;
// the document does not show a 401).
//
// # Responses
//
// Every answer is JSON (Content-Type: application/json; charset=utf-8) with the fields of the
// document's example for the same situation, in the same order, nulls included; amounts are
// integers in minor units; Created and NotificationDateTime are YYYYMMDDHHMMSS in UTC. The
// tests replay every example of the document and compare keys and JSON types field by field.
//
// # Test data
//
// Direct card payments (POST /v1/payments on CardURL with a "Card" object; any Luhn-valid number
// such as 4111111111111111 or 4548812049400004, an expiry not in the past, a holder name):
//
//	Amount 1–10000  Capture true (or omitted): 11 Captured, CapturedAmount = Amount
//	                Capture false: 9 Authorized (then capture or cancel)
//	Amount 10001    4 Failed, Reasons [{"Code":"121","Info":"Unable to authorize"}]
//	Amount 10002    33 QueuedForCapturing (stays there; SetStatus moves it)
//	Amount 10003    13 CaptureRequested (stays there; SetStatus moves it)
//	Amount > 10003  like 1–10000
//
// Card numbers are shown as BRAND-LAST4 ("VISA-1111"; MASTERCARD, AMEX, or CARD otherwise) and
// never stored beyond what the answers need; the security code is never echoed.
//
// Alternative-method payments (on URL, no "Card") are created in 1 Open with a RedirectURL
// pointing at the simulator's /Home page; MethodID 1066 (WeChat Pay, the document's example) also
// gets ReferenceDetails.QRCodeURL. The payment then waits for the customer. A person or a test
// opens RedirectURL (GET shows a tiny HTML page with one button per outcome) and completes it by
// POSTing the form or with GET …&result=OUTCOME; Server.Complete (the method every simulator
// has, see package simulator; it also takes Router IDs) and Server.CompleteRedirect do the same
// without HTTP. The customer is sent (303 See Other) to ReturnURL?data=N&MerchantTransactionID=REF:
//
//	success     2 Success, data=2 (9 Authorized, data=9, when the payment has Capture false)
//	authorize   9 Authorized, data=9 (capture or cancel it next, as for Klarna)
//	processing  7 PendingOnProvider, data=7 (SetStatus finishes it)
//	fail        4 Failed, data=4
//	cancel      3 Cancelled, data=3
//
// # Notifications
//
// With WithNotificationURL (or SetNotificationURL) every status change of a payment or refund is
// POSTed there from a background goroutine as {"Payment": …} (the GET shape, as in the
// document's example) or {"Refund": …}, with Authorization: Basic base64(SiteID:APIKey) of the
// payment's host. Only 204 No Content counts as delivered; any other answer, a transport error
// or a timeout (WithNotificationTimeout, default 2 s) is retried with exponential backoff,
// bounded by WithNotificationRetry (default 5 attempts, 10 ms doubling). Notifications are sent
// one at a time in the order the changes happened. WithDuplicateNotifications(n) sends each n
// times. WaitIdle returns once nothing is queued or in flight; NotificationAttempts lists every
// attempt. After a 204 the payment's NotificationDateTime is set.
//
// Changes that notify: card payment creation (any status), the customer's outcome, capture,
// cancel, expiry, SetStatus, refund creation and settlement, and the payment's move to
// 21 PartiallyRefunded / 22 Refunded (sent after the refund's own notification). Creating an
// alternative-method payment (1 Open) does not notify.
//
// # Ground truth for tests
//
// Operations lists every state-changing operation executed (see Operation for the kinds);
// refused requests are not in it. Payment, PaymentByReference and Refund return snapshots;
// SetStatus and SetRefundStatus make the changes only the provider can make; Reset forgets
// everything. IDs are deterministic: alternative-method payments count from 2700001, card
// payments from 210001, refunds from 150001, customers from 501, addresses from 401, invalid
// card requests from i3101, and the RedirectURL token is derived from the ID, so two runs
// produce the same traffic.
//
// # Where the document is silent or self-contradictory, and what the simulator does
//
//   - Response shapes differ between examples of the same resource. The alternative-methods
//     create example (and its duplicate 400) has ClientIP, OriginatorTransactionID and
//     Customer.DateOfBirth; the capture, cancel, get, list and notification examples do not. The
//     simulator follows each example for its own endpoint: the POST /v1/payments answer has
//     them, the others do not.
//   - On the card host the create example shows the Card object while the partial-capture and
//     cancel examples show "Card": null: capture and cancel answers have Card null; create, GET,
//     list and notifications show the Card object.
//   - Reason codes are JSON strings ("20") in both POST /v1/payments examples and JSON numbers
//     (17) in the capture and cancel examples. The simulator answers POST /v1/payments with
//     string codes (also the 10001 decline) and every other endpoint, GET and notifications with
//     numbers. A client must accept both.
//   - Status.Reasons is null on the alternative-methods host and [] on the card host when empty,
//     as in the examples.
//   - Error bodies: POST /v1/payments echoes the request (Status ID/Info null), as in the
//     duplicate examples; on the card host every validation failure carries InvalidRequestID,
//     and its Card.Number is "Ends with NNNN" (the example's spelling) where success shows
//     "VISA-NNNN". Capture, cancel and GET errors keep only ID, Created, MethodID, SiteID,
//     NotificationDateTime and Status (current ID/Info plus Reasons) and null everything else, as
//     in the capture/cancel 400 examples. List filter errors use that shape too (ID null).
//   - An unknown payment, a payment of the other host, or a capture/cancel in the wrong status is
//     400 with code 17 "Payment is invalid - {id}" on every endpoint (the document shows 17 for
//     the wrong-status case; GET of an unknown ID is not shown).
//   - Validation codes: 1 missing parameter, 2 wrong type/format, 5 bad MethodID, 19 bad
//     country, 20 duplicate MerchantTransactionID. On the alternative-methods host a bad
//     Currency is 100 and a bad Amount 118; on the card host, whose code table gives 100 and 118
//     other meanings (InvalidRoute, ChallengeRejected), both are 2. Field names are matched
//     case-sensitively and amounts must be JSON integers (no strings, fractions or exponents),
//     stricter than a .NET binder might be, so that a wrongly spelled or typed field fails.
//     Required: MerchantTransactionID (^[0-9a-zA-Z_-]{1,50}$), Amount (> 0), Currency (three
//     upper-case letters); ReturnURL on the alternative-methods host; Card (HolderName, Number,
//     ExpirationMonth, ExpirationYear; SecurityCode optional, 3–4 digits) on the card host.
//   - Wrong host: a body with a "Card" object sent to BaseURL() is 400 with code 2 ("Card is not
//     accepted by the alternative payment methods API"); a body without "Card" sent to
//     CardBaseURL() is 400 with code 1 ("Card is missing") and an InvalidRequestID.
//   - MerchantTransactionID is unique per host; the duplicate check runs after validation. The
//     same Customer.Email gets the same Customer.ID (the duplicate example repeats 473), and
//     identical addresses share an address ID (the capture example shows 340 twice).
//   - Card "Capture" omitted means true, "Retry" omitted means false; both are echoed that way.
//   - Alternative methods: cancel is allowed in 1 Open until the customer opens RedirectURL (then
//     400 code 17), and in 9 Authorized. Card: cancel only in 9 Authorized. A cancelled or
//     expired payment shows TokenLifetime and RedirectURL null, as in the cancel example.
//   - Capture needs 9 Authorized. Without ?amount= it captures everything: 11 Captured on the card
//     host, 2 Success on the other (as in the capture example). ?amount= smaller than Amount is
//     the one allowed partial capture (35 PartiallyCaptured; nothing more can be captured);
//     equal is a full capture; larger, or not a positive integer, is 400 with code 118 on both
//     hosts.
//   - Opening RedirectURL does not change the status (it stays 1 Open; the document shows no
//     6 PendingOnCustomer for it) but forbids the merchant's cancel. TokenLifetime (minutes)
//     expires an Open payment to 5 Expired, checked on every request and helper call; without
//     TokenLifetime a payment never expires.
//   - NotificationDateTime is null until a notification of that payment was answered with 204
//     (the notification and GET examples show null for a Success payment).
//   - GET /v1/payments: newest first; without limit everything matching is returned; limit must
//     be >= 1; offset is 1-based as the document's text says ("limit 2 and offset 3 … starting
//     with the third one"; offset 0 and 1 both start at the first); startDate/endDate,
//     minimumAmount/maximumAmount are inclusive; country matches BillingAddress.Country;
//     typeID 1 matches every simulated payment and 2 (recurring) none; methodTransactionID
//     matches none (MethodTransactionID is always null); card payments have methodID 6. The
//     card host lists card payments in the full card shape (the document has no card list
//     example); the alternative-methods list nulls Customer, addresses, Articles, Details,
//     ReferenceDetails, CustomParameters, TokenLifetime and RedirectURL ("only a limited amount
//     of details"), as its examples do.
//   - Refunds (not in the document; shape from PROVIDERS.md and the SDKs): body
//     {"Refund":{"MerchantTransactionID","Amount","Description"}}; answer 201
//     {"Refund":{ID, Created, MerchantTransactionID, InitialPaymentID, Amount, Currency,
//     Description, TypeID, Status}} with TypeID 1. A refund's MerchantTransactionID need not be
//     unique (the SDK's own tests reuse the payment's); there is no server-side deduplication, so
//     a retried refund request refunds twice, as a blind retry would against the real API.
//     A payment can be refunded in 2, 11, 17, 21, 22, 25 and 35, up to CapturedAmount minus
//     successful and Open refunds. Refusals are 400 {"Refund":{… echo, ID/Created/TypeID null,
//     Status {null, null, Reasons}}}: on the card host 17 (status), 2206 (amount exceeds),
//     2207 (another refund still Open); on the alternative-methods host 18 for both status and
//     amount; 17 for an unknown payment; 1/2/118 (2 on the card host) for missing or bad fields.
//     Refunds are 2 Success at once by default; WithPendingRefunds makes them 1 Open until
//     SetRefundStatus (2 Success, or 4 Failed with Reasons [{18, "Refund failed"}]). A payment
//     becomes 21 PartiallyRefunded or 22 Refunded when a refund succeeds. An unknown refund ID is
//     400 with code 18 (alternative methods) or 2 (card). The card refund status call
//     (GET …/refunds/{refundId}/status, named by the SDK; no document shows its answer) answers
//     {"Refund":{ID, InitialPaymentID, MerchantTransactionID, Status}}: an assumption modelled
//     on the card payment status call, which sends "only the status information" (seed
//     002_c6b29c27df04218d.txt l.1298–1324).
//   - Articles are accepted as an array of objects and echoed with the members the document's
//     answers show (MerchantArticleID, Name, Quantity, Price, VAT, Discount, Type; seed
//     002_c6b29c27df04218d.txt l.402–412); their values are not checked, as the document
//     defines none.
//   - 3-D Secure (and its challenge accept/reject calls), tokens (CreditCardToken), recurring
//     payments (POST /v1/payments/recurrent), preapprovals, payouts, disputes and the method list
//     are not simulated: the SDK names them, no document defines them. "3DSecure",
//     "CreditCardToken", "PreapprovalID", "Details" and "MethodTransactionID" are always null.
//   - Notifications: the document says unanswered payment notifications are re-sent for 7 days;
//     the simulator bounds that (see above) so tests stay fast. A 2xx other than 204 is not
//     accepted. Requests to unknown paths get Go's plain 404/405 before authentication.
package smart2paytest
