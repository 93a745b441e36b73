// Package smartpaytest is an in-process simulator of the SmartPay checkout
// HTTP API (J.P. Morgan Mobility Payment Solutions, formerly VW FS
// "SmartPay"), written from the provider's documents only: seed
// 003_6c7386b3129bc046.txt (Get Payment Status), seed
// 004_63b579a9eeecc4a0.txt (API-only Payment Authorization, PREPMNT /
// PAYINVC, error bodies) and section 3 of PROVIDERS.md. Its defaults are
// the documents' example behaviour; what the documents do not show is
// either listed under "Where the document is silent" or an option whose
// godoc says it is an assumption (WithPrepaymentPending,
// WithInvoicePaidOnAuthorize, WithRefundStatus,
// WithDuplicateReferenceCode, WithAutoCapture). It does not import the payments library or its driver, so a
// field the driver spells differently shows up as a failure.
//
// # What is simulated
//
// One loopback listener (NewServer; URL, Client, Close) serves:
//
//	POST /oauth/token                 OAuth2 client-credentials grant
//	POST /payment/creation            Create Checkout (widget / hosted page)
//	POST /payment/authorize/          API-only authorization (PREPMNT, PAYINVC); note the trailing slash
//	GET  /payment/status/{transactionId}
//	POST /payment/capture             full or partial (modifiedAmount), several partial captures allowed
//	POST /payment/cancel              before capture only
//	POST /payment/refund              full or partial, after capture only
//	POST /payment/cancelOrRefund      cancel if nothing is captured, else refund of the whole rest
//	GET|POST /checkout/{checkoutToken} buyer-facing checkout page (redirectUrl)
//
// Every API call needs Authorization, either Basic
// base64(merchantKey:authenticationKey) or "Bearer <token>" from
// /oauth/token, plus the documented headers Accept-Language (must be en-US),
// Origin and User-Agent, and Content-Type: application/json on requests
// with a body. Defaults: DefaultMerchantKey / DefaultAuthenticationKey
// (WithCredentials, WithMerchant for more merchants).
//
// Amounts are JSON numbers with exactly two fraction digits
// (^\d{1,18}\.\d{2}$, e.g. 49.99). The simulator checks the raw JSON text
// of the number and computes with math/big in hundredths, never float64: a
// string amount ("49.99"), a wrong scale (49.9, 49, 49.999, 4.999e1) or
// 0.00 is a 400 validation error naming the property path
// (e.g. "payment.amount", "modifiedAmount.amount").
//
// Responses follow the document field for field: the authorize response is
// the shape of seed 004's example (description, paymentStatus, creationDate,
// lastStatusDate, transactionOverview{transactionId, paymentMethod, amount,
// currencyCode, mit, paymentOrigin}, reconciliationReferenceId,
// transactionReference, modificationId), with partnerReference,
// transactionOverview.customReferences, customerAccountId and
// targetMerchantAccountReference added when the request carried them. Get
// Payment Status and the modification endpoints answer the same payment
// document plus "modification" (the latest, resp. the just-performed,
// modification: creationDate, lastStatusDate, modificationAmount,
// modificationData{captureId|cancelId|refundId, customReferences,
// modificationId, reconciliationReferenceId, type}, status,
// statusHistory[]) and the top-level "statusHistory" (every status change
// and modification: modificationAmount{amount, currencyCode, description,
// option}, status, statusDate, error). Optional fields without a value are
// omitted, as in the document's example; dates look like
// "2024-10-09T10:50:15.708Z".
//
// Errors use the two documented bodies. Shape MOD2
// {traceId, errors[{message, code, property, context}]}: 400 validation
// (missing header, bad field, bad amount, duplicate partnerReference, amount
// out of bounds, reused modificationId; a duplicate partnerReference has no
// code unless WithDuplicateReferenceCode), 401 {"code":"unauthorized"}, 403
// {"code":"forbidden"} (body merchantKey differs from the authenticated
// merchant), 404 {"code":"not_found"} (unknown transactionId, another
// merchant's transaction, unknown path), 405 on a wrong method, 500
// {"message":"Internal server error."} (injected). Shape MOD1
// {error, errorDetails{context, gatewayDescription,
// paymentProviderDescription}, message}: 400 with error
// "payment_provider_processing" for a declined authorization and 400 with
// error "gateway_processing" for a modification the payment's status does
// not allow.
//
// # Status model and flows
//
// Statuses (AllStatuses): CREATED, AUTORIZATION_INITIALIZED (sic),
// AUTHORIZATION_PENDING, AUTHORIZATION_COMPLETED, CAPTURE_PENDING, CAPTURED,
// SETTLED, CANCELLATION_PENDING, CANCELLED, EXPIRED, FAILED, CHARGEBACK.
//
//   - Invoice (POST /payment/authorize/, 201): PREPMNT answers CAPTURED
//     at once, as the document's example does (seed 004 l.482-498), although
//     the buyer has not paid yet; WithPrepaymentPending answers
//     AUTHORIZATION_PENDING instead (assumption). PAYINVC starts in
//     AUTHORIZATION_COMPLETED (assumption: the invoice is granted, the
//     merchant captures on shipment; the documents show no PAYINVC answer);
//     WithInvoicePaidOnAuthorize answers CAPTURED like the example. Both
//     carry a 15-digit transactionReference for the buyer's invoice.
//     PayInvoice (the buyer pays) moves either to SETTLED with a SETTLEMENT
//     modification and captured = amount (assumption, see PayInvoice).
//   - Checkout (POST /payment/creation, 201): CREATED; the buyer opens
//     redirectUrl and pays (or the test calls Complete): success gives
//     AUTHORIZATION_COMPLETED, or CAPTURED with WithAutoCapture; fail gives
//     FAILED; pending gives AUTHORIZATION_PENDING.
//   - Capture: from AUTHORIZATION_COMPLETED, or CAPTURED with an uncaptured
//     rest; amount ≤ authorized − captured; without modifiedAmount the whole
//     rest. Result paymentStatus CAPTURED, modification type CAPTURE.
//   - Cancel: from CREATED, AUTORIZATION_INITIALIZED, AUTHORIZATION_PENDING,
//     AUTHORIZATION_COMPLETED with nothing captured. Answers 200 with
//     paymentStatus CANCELLED and modification type "CANCELLATION".
//   - Refund: from CAPTURED or SETTLED; amount ≤ captured − refunded;
//     without modifiedAmount the whole rest (assumption: PROVIDERS.md says
//     only that modifiedAmount is for partial refunds). paymentStatus stays
//     as it is (the provider's refund example answers CAPTURED); the
//     modification has type REFUND, its own refundId and
//     reconciliationReferenceId, and no status (the documents define no
//     refund status value) unless WithRefundStatus sets one.
//   - SetStatus forces any status (SETTLED adds a SETTLEMENT modification,
//     CHARGEBACK a CHARGEBACK modification).
//
// Idempotency: a capture/cancel/refund/cancelOrRefund whose modificationId
// the same merchant already used successfully, for the same endpoint and
// transactionId, returns the original response byte for byte and executes
// nothing. The same modificationId with another endpoint or transactionId is
// a 400 (code "not_unique", property "modificationId"). Rejected requests
// are not remembered, so they may be retried with the same modificationId.
// partnerReference is unique per merchant (also for FAILED transactions).
//
// # Test data
//
//   - consumer.lastName "Declined" (DeclineLastName, any case) on
//     POST /payment/authorize/: declined. 400 shape MOD1 with error
//     "payment_provider_processing", paymentProviderDescription "Declined";
//     the transaction is stored as FAILED (acquirerResponse "Declined") and
//     its partnerReference stays taken.
//   - consumer.lastName "Failed" (FailedLastName, any case) on
//     POST /payment/authorize/: declined the other way: 201 with
//     paymentStatus FAILED, acquirerResponse "Declined" and the
//     transactionId, so the failed payment can be queried.
//   - Checkout outcomes: Complete(id, simulator.Success | simulator.Failure |
//     simulator.Pending), id being the transactionId or a Router ID (the
//     same method as on the other simulators, see package simulator), or
//     the buttons on the checkout page.
//   - Any amount, currency (three capital letters) and address otherwise
//     succeeds; there are no card numbers (cards are entered in the widget).
//   - Failure injection: WithFailNext / FailNext(path, status) answers the
//     next matching request with status and the document's error body
//     without executing it; FailNextAfterExecute executes it first and only
//     replaces the response (the "outcome unknown" case). path is exact or a
//     prefix ending in "*" ("/payment/status/*").
//
// # Webhooks
//
// With WithNotificationURL (or SetNotificationURL, also after the server
// started) every state change is POSTed as JSON:
//
//	{"id", "merchantKey", "createdAt", "origin", "eventType": "updated",
//	 "objectId", "objectType", "context", "data", "metadata"}
//
// origin is "api" (caused by an API call), "widget" (buyer in the checkout)
// or "automated" (PayInvoice, SetStatus). objectType is "prepayment" for
// PREPMNT payments, "payment" for the others, "refund" for refunds (objectId
// is then the refundId). context is {"transactionId", "partnerReference"?};
// data is {"transactionId", "paymentStatus", "amount", "currencyCode",
// "transactionReference"?, "modificationId"?} for payments and {"refundId",
// "transactionId", "modificationId", "status"?, "amount", "currencyCode"} for
// refunds; metadata is {}. Authentication: none (default),
// WithNotificationBasicAuth(user, pass), or WithNotificationOAuth (bearer token from
// the merchant's token URL). A non-2xx answer or a transport error is retried
// with doubling backoff (WithNotificationRetry; default 5 attempts from 50 ms,
// capped at 5 s); retries keep the same id. Events go out one at a time, in
// order, from one goroutine, never while the state lock is held, never to
// any URL but the one configured when the event was queued (redirects are
// not followed). WaitIdle
// returns once nothing is queued or in flight.
//
// # Operation log and helpers
//
// Operations lists every executed state change (kinds OpCreate, OpAuthorize,
// OpComplete, OpCapture, OpCancel, OpRefund, OpPayInvoice, OpSetStatus).
// Payment, PaymentByReference, PayInvoice, Complete, SetNotificationURL,
// SetStatus, TokenIssues and Reset complete the test API. Ids are deterministic
// counters in the provider's formats (transactionId
// "00000000-0000-4000-8000-000000000001", 21-character
// reconciliationReferenceId, 15-digit transactionReference), so recording a
// cassette twice gives the same bytes when the clock is fixed (WithClock).
//
// # Where the document is silent
//
//   - Seed 003 has no example response (the page ends in "Loading..."). The
//     status response uses the schema of seed 003 and the field layout of
//     seed 004's "Example (from schema)", which is the same schema:
//     transactionReference and modification at top level, statusHistory
//     inside modification, and (seed 003) a top-level statusHistory.
//     "modification" is typed object but described as "Array of all
//     performed transaction modifications": the simulator returns one object,
//     the latest modification (as the provider's cancel/refund examples do),
//     and lists all of them in the top-level statusHistory. It is omitted
//     while there is none, like in seed 004's real example, although the
//     schema marks it required. paymentLinkId is never set.
//   - Seed 004's "Example (from schema)" has "amount": false and
//     "targetMerchantAccountReference": 123456789; the schema says decimal
//     and string, which the simulator follows.
//   - Seed 004's real example answers paymentStatus CAPTURED for a fresh
//     prepayment, while its prose says the buyer pays later with the
//     transactionReference. Default: the example; the prose:
//     WithPrepaymentPending(true).
//   - Decline trigger and body: not documented; DeclineLastName, 400 MOD1
//     with context {} (no transactionId is disclosed, as in the example).
//   - Missing/invalid headers: 400 MOD2, property = header name, code
//     "required" or "invalid_value". Content-Type is checked only on
//     requests with a body (seed 003 lists it for GET too). The token
//     endpoint needs none of these headers.
//   - Authentication is checked before headers and body; 401 carries
//     WWW-Authenticate.
//   - OAuth2: endpoint path /oauth/token, client id/secret are the
//     merchant's merchantKey/authenticationKey (Basic or form fields),
//     errors in RFC 6749 form {"error","error_description"} (400
//     invalid_request / unsupported_grant_type, 401 invalid_client), tokens
//     are opaque and expire after expires_in seconds on the simulator clock.
//   - Create Checkout response: schema not public; the simulator answers 201
//     {"transactionId", "checkoutToken", "redirectUrl"}. Auto-capture is not
//     a request field in the documents; it is modelled as the channel setting
//     WithAutoCapture. payment.description is required (the Create Checkout
//     v1 table marks it mandatory; the status schema requires description).
//   - Country codes in billingAddress/shippingAddress must be ISO alpha-3
//     (seed 004: exactly 3 characters) for creation and authorization; state
//     is required for USA and CAN. Required address fields (addressLine1,
//     city, postCode, countryCode) follow the provider's data model; number
//     is optional. shopCountry is alpha-2. consumer and businessConsumer:
//     exactly one (both → "mutually_exclusive", none → "required", property
//     "consumer"); businessConsumer's field names are not in the seed, so
//     only its object type is checked. Unknown fields are ignored.
//   - The authorize request has no merchantKey in seed 004; if one is sent
//     it must be the authenticated merchant's (else 403). Creation and the
//     modification endpoints require it.
//   - Duplicate partnerReference: 400 MOD2 with property
//     "partnerReference" and no code (the document shows none);
//     WithDuplicateReferenceCode adds one. A reused modificationId with
//     another endpoint or transactionId: 400 MOD2 code "not_unique",
//     property "modificationId" (PROVIDERS.md documents only the replay).
//   - Status violations (capture before authorization, cancel after
//     capture, refund before capture, nothing left): 400 MOD1 with error
//     "gateway_processing" (the document lists no 409). Amount above the
//     rest: 400 MOD2 "value_out_of_bounds" with context {minimum, maximum},
//     like the document's example. Currency differing from the payment's:
//     400 MOD2 "invalid_value" on modifiedAmount.currencyCode.
//   - Cancel spelling: the response uses "CANCELLATION" (PROVIDERS.md and
//     the provider's Cancel page); the seed enum's "CANCELATION" is not used.
//   - modification.status values: the paymentStatus the modification
//     leaves the transaction in (CAPTURED, CANCELLED, SETTLED, CHARGEBACK);
//     a refund has none by default (WithRefundStatus); the capture and
//     cancel reconciliationReferenceId is the
//     payment's (as in the provider's cancel example), refunds and
//     chargebacks get their own.
//   - paymentMethod of a checkout is "CARDS" (the documented value when the
//     brand is not known); mit is always false.
//   - The provider's refund example sends "amount": 25 (no fraction digits);
//     the simulator follows the documented pattern and rejects it.
//   - Webhook context/data/metadata contents, the retry schedule and the
//     choice to notify on every state change (including CREATED) are not
//     documented; see Webhooks.
//   - Opening the checkout page does not move the payment to
//     AUTORIZATION_INITIALIZED; that status is reachable with SetStatus only.
package smartpaytest
