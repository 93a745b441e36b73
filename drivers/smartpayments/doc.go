// Package smartpayments is the payments driver for SmartPayments (the
// SmartCore API, also published as magua-pay): cards in one or two steps
// with 3-D Secure, the hosted payment form, Apple Pay and Google Pay
// tokens, refunds, and the provider's own features — recurrent payments,
// withdrawals (payouts) to a card, a tokenized card or an account, the
// withdrawal balance and the transaction export.
//
//	gw, err := smartpayments.New(smartpayments.Config{
//		MerchantKey:  os.Getenv("SMARTPAYMENTS_MERCHANT_KEY"),
//		Secret:       os.Getenv("SMARTPAYMENTS_SECRET"),
//		Account:      "EUR-sandbox",
//		MerchantSite: "https://shop.example",
//	})
//	if err != nil { ... }
//	amount, _ := payments.ParseMoney("10.00", "EUR")
//	p, err := gw.Authorize(ctx, &payments.AuthorizeRequest{
//		Reference: "order-1001", Amount: amount, Capture: true,
//		Method:    payments.Card{Number: "4012000000003010", Holder: "John Doe", ExpiryMonth: "02", ExpiryYear: "30", CVV: "123"},
//		Customer:  &payments.Customer{FirstName: "John", LastName: "Doe", Email: "john@example.com", Phone: "+442079460612", IP: "203.0.113.7"},
//		BillingAddress: &payments.Address{Line1: "10 Downing Street", City: "London", PostalCode: "SW1A 2AA", Country: "GB"},
//	})
//
// The smartpaymentstest package is an in-process simulator of the
// provider's API for tests and offline examples.
//
// # Config fields: our name ↔ the provider's name
//
//	MerchantKey, Secret   Basic auth base64(merchantKey:secret)
//	Account               "account" (e.g. "EUR-sandbox")
//	PayoutAccount         "account" of withdrawals, tokenization forms and balance (e.g. "EUR-sandbox-payout")
//	Currency              — (the provider reports amounts without a currency; default: the account name's prefix)
//	MerchantSite          "merchant_site"
//	NotificationURL       "callback_url" (default for refunds, recurrent payments, withdrawals, payments without ReturnURLs.Notification)
//	BaseURL               https://api-gateway.smartcore.pro
//	CardBaseURL           https://chd-api.smartcore.pro (PCI DSS host)
//	ExportBaseURL         https://service.magua-pay.com
//	HTTPClient, Timeout   — (transport; cassettes, simulators and proxies plug in here)
//	MaxExportBytes        — (cap on a downloaded xlsx)
//	Logger                — (debug logs, scrubbed; nil is silent)
//
// # Request fields: neutral ↔ provider
//
//	Reference                      order_id (also Payment.ID: every later call takes the merchant's order_id)
//	Amount                         amount (integer minor units, "cents"), currency
//	Description                    purpose
//	Customer.FirstName/LastName    customer_first_name / customer_last_name
//	Customer.Email/Phone/IP        customer_email / customer_phone / customer_ip_address
//	BillingAddress.Line1(+Line2)   customer_address
//	BillingAddress.City/PostalCode customer_city / customer_zip_code
//	BillingAddress.Country         customer_country (alpha-2, as the examples)
//	ReturnURLs.Success             success_url
//	ReturnURLs.Failure (or Cancel) fail_url
//	ReturnURLs.Notification        callback_url
//	AuthorizeOptions.StatusURL     status_url
//	Card                           card_holder, card_number, card_exp_month, card_exp_year (2 digits), card_cvv
//	ApplePay / GooglePay           apple_pay_dpan + apple_pay_payment_method_network / google_pay_dpan + google_pay_payment_method_network
//	Recurring                      recurrent: true, recur_freq (days), recur_exp (ISO 8601)
//	Browser                        browser_* (3-D Secure 2)
//
// # Where the document is silent or contradicts itself
//
//   - Payment.ID is the merchant order id: /check, /capture, /cancel and
//     /refund all take it, while the card-data host answers its own
//     processing id in "order_id" (kept in Raw).
//   - Amounts coming back (/check, balances) carry no currency: the
//     gateway works in one currency, its account's.
//   - customer_zip_code is a String in every table and a number in the
//     examples: sent as a string. /capture's amount is typed String: sent as
//     a string of digits. recur_exp is typed Long but described as an ISO
//     8601 date: sent as the date. The export's dateTo is typed String but a
//     number in the example: sent as a number, like dateFrom.
//   - Only /initPaymentHost2Host lists the browser_*, recur_freq and
//     recur_exp fields, and /authorize's table has no customer_ip_address:
//     each endpoint gets exactly its table's fields.
//   - /cancel answers the payment's status afterwards: -1 (Fail) is a
//     successful cancel, as in the document's example.
//   - /capture and /cancel answer {order_id, status} only: the driver reads
//     the payment back with /check to report its amounts (a failed read-back
//     leaves them zero; the capture or cancel stands). A full refund (nil
//     Amount) reads the amount left with /check first; if that read fails,
//     no refund is sent and its error (ErrUnavailable, ...) is returned.
//   - The provider deduplicates nothing but order_id, so money-moving calls
//     are never retried once they may have been sent; /check, the balance
//     and the export are retried on 5xx.
//   - /initPaymentHost2Host and /authorize answer status 1 + REDIRECT even
//     for the frictionless test card (seed 000_2d15c756a78f42ef.txt l.31,
//     l.164-180, l.685-701): Authorize reads such a payment back with /check
//     and reports its final state if it has one, else RequiresAction.
//   - /refund's example answers "success": false with a refund_id (l.438-443)
//     and gives it no meaning: RefundPending, resolved through the refund's
//     own /check by refund_id (RefundStatus; Status does it for the refunds
//     this Gateway made). true is RefundSucceeded.
//   - /check's finalAmount is in no table: it stays in Raw and is never
//     read. Status 2 is Captured for "amount"; Payment.Refunded counts the
//     refunds this Gateway made that succeeded (/check of a payment shows no
//     refunds). authorize_status is only shown null: a two-step payment's
//     state comes from this Gateway's own /authorize, /capture and /cancel;
//     any authorize_status value is StatusUnknown (see Check).
//   - In cascadeErrors, a gate's hard decline wins over a cascadable
//     errorMessage (see classify). FORM_TIMEOUT is an expired payment, not a
//     decline; CARD_TIME_LIMIT is RateLimited ("try later").
//   - The callback is not documented and not signed: Notify only reads
//     which order it is about (orderId or order_id) and reports the state
//     /check gives.
//   - Error bodies are not documented: "err" is read from any answer and
//     mapped by the transaction error table (19 documented codes plus the
//     three cascadeErrors categories of the /check example), else by the
//     HTTP status.
//
// See Check for the provider details /check gives beyond the Payment, and
// Recurrent, TokenizeForm, Withdraw, GetWithdrawal, Balance and Export for
// the provider-only features.
package smartpayments
