// Package smart2pay is the payments driver for Smart2Pay GlobalPay (now part
// of Nuvei): the REST API at /v1/payments on two hosts, one for alternative
// payment methods and the hosted payment page (paytest / globalpay
// .smart2pay.com) and one for direct card payments (securetest / secure
// .smart2pay.com).
//
//	gw, err := smart2pay.New(smart2pay.Config{SiteID: 30201, APIKey: apiKey})
//	amount, _ := payments.ParseMoney("20.00", "EUR")
//	p, err := gw.Authorize(ctx, &payments.AuthorizeRequest{
//		Reference: "order-1001", Amount: amount, Capture: true,
//		Method: payments.Card{Holder: "John Doe", Number: "4111111111111111", ExpiryMonth: "02", ExpiryYear: "2030", CVV: "312"},
//	})
//	// p.ID is "card:202230", p.Status payments.StatusCaptured, p.ProviderStatus "11 Captured".
//
// # Config fields: our name ↔ GlobalPay's name
//
//   - SiteID ↔ SiteID (the user name of Basic authentication)
//   - APIKey ↔ API Key (its password)
//   - CardSiteID, CardAPIKey ↔ the SiteID and API Key of the direct card site
//     when it differs
//   - Live ↔ the live environment (globalpay / secure.smart2pay.com) instead
//     of the test one (paytest / securetest.smart2pay.com)
//   - BaseURL ↔ the alternative payment methods host
//   - CardBaseURL ↔ the direct card host
//   - HTTPClient, Timeout, Logger: transport (never modified, redirects not
//     followed), the bound of one HTTP attempt (DefaultTimeout) and debug
//     logs (scrubbed)
//
// # Requests: our name ↔ GlobalPay's name
//
//   - AuthorizeRequest.Reference ↔ Payment.MerchantTransactionID (1 to 50 of
//     [0-9a-zA-Z_-])
//   - Amount ↔ Amount (integer minor units) and Currency
//   - Capture ↔ Capture (sent to the card host always; to the other host only
//     when false, to ask for an authorization)
//   - Card ↔ Payment.Card{HolderName (required), Number, ExpirationMonth
//     "02", ExpirationYear "2030", SecurityCode}
//   - ProviderMethod.ID ↔ MethodID; HostedPage ↔ no MethodID (the customer
//     chooses on GlobalPay's page)
//   - ReturnURLs.Success ↔ ReturnURL (GlobalPay has one; Failure or Cancel
//     are used when Success is empty). ReturnURLs.Notification has no
//     counterpart: the notification URL is set in the Merchant Dashboard.
//   - Customer ↔ Customer{Email, FirstName, LastName, Phone, Company}, and
//     Customer.IP ↔ ClientIP
//   - BillingAddress, ShippingAddress ↔ {Street (Line1, Line2), City,
//     ZipCode, State, Country (alpha-2)}. Send the billing country: GlobalPay
//     otherwise guesses it from the IP address.
//   - Description ↔ Description; AuthorizeOptions ↔ TokenLifetime,
//     MethodOptionID, Include/Exclude/PrioritizeMethodIDs, SkinID,
//     StatementDescriptor, Customer.MerchantCustomerID, Articles (the order
//     lines some methods require; see Article for what the document does
//     and does not define)
//   - Recurring ↔ nothing: ErrUnsupported (see below)
//   - RefundRequest.IdempotencyKey ↔ Refund.MerchantTransactionID; Reason ↔
//     Refund.Description
//
// # Payment IDs
//
// The two hosts number their payments independently. Payment.ID is
// GlobalPay's numeric ID for a payment on the alternative-methods host
// ("2677982") and "card:" followed by it for a direct card payment
// ("card:202230"), so that Capture, Cancel, Refund and Status reach the right
// host.
//
// # Statuses
//
// Every documented payment Status.ID is mapped in one table (see MapStatus);
// Payment.ProviderStatus is "ID Info", e.g. "11 Captured". Captured comes from
// CapturedAmount on the card host. The alternative-methods host sends no
// CapturedAmount, so there the driver knows the captured amount only where
// a status implies it: 2 Success, 11 Captured, 17 Completed and 25 Paid took
// the whole amount (a partial capture answers 35 PartiallyCaptured, and only
// one is allowed). After 35 PartiallyCaptured, or a refund or dispute status
// that may follow one (16, 19, 21, 22, 23, 24, 26), the captured amount is
// not knowable from the answer, and the payment is reported StatusUnknown
// with ProviderStatus saying GlobalPay's status; Capture reports what it
// captured itself, and Status reads the refunds of a 22 Refunded payment,
// whose sum is then both the captured and the refunded amount. Refund with no
// amount of a payment in StatusUnknown is refused (the rest is not knowable):
// pass the amount. GlobalPay's payment carries no refunded amount: Status
// adds up the successful refunds of a 21 PartiallyRefunded (and, on the
// alternative-methods host, 22 Refunded) payment with one more GET; on the
// card host a 22 Refunded or 16 Reversed payment is refunded in full; a
// notified payment shows Refunded zero unless its status implies it.
//
// Disputes: 19 Disputed, 24 DisputeLost and 26 Chargedback are
// StatusChargeback, and 23 DisputeWon is StatusCaptured again, a move that
// payments.Status.CanTransition allows (Chargeback → Captured), so a won
// dispute is visible.
//
// Amounts are integer minor units of the currency's ISO 4217 exponent
// (PROVIDERS.md: "integer minor units"); an amount finer than that is an
// error, never rounded. Dates (Created, the list filters) are read and
// written in UTC: the document names no time zone.
//
// # Notifications
//
// Mount payments.NotificationHandler(gw, fn): it answers 204 No Content as
// GlobalPay requires. Notifications are verified by their Basic
// Authorization header; match the amount with CheckAmount before releasing
// goods, and never treat the customer's return to the ReturnURL (ParseReturn)
// as proof of payment.
//
// # Documented elsewhere, not implemented
//
// PROVIDERS.md §2 lists, from the provider's SDK, calls that no document
// defines the body or answer of. The driver implements what can be done
// without inventing:
//
//   - the card refund status call, GET /v1/payments/{id}/refunds/{refundId}/status:
//     CardRefundStatus (it reads the refund's ID and Status, and its Amount
//     when present);
//   - Articles on create: AuthorizeOptions.Articles, sent as the document's
//     example spells them.
//
// Not implemented, because their wire format is nowhere documented:
// recurring payments (POST /v1/payments/recurrent; an AuthorizeRequest with
// Recurring set is ErrUnsupported, before any call) and the card 3-D Secure
// challenge accept/reject calls (POST /v1/payments/{id}/challenge/accept|reject;
// Capabilities.ThreeDS is false).
//
// # Test data
//
// On the card test host, amounts of 1 to 10000 minor units succeed, 10001
// fails, 10002 gives 33 QueuedForCapturing and 10003 13 CaptureRequested.
// The smart2paytest package simulates both hosts offline.
package smart2pay
