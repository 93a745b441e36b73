package smartpaymentstest_test

// The document's example requests (the curl --data bodies) and example
// responses, copied verbatim from the provider's API document.
const (
	docInitPaymentReq = `{
    "account": "EUR-sandbox",
    "amount": 1000,
    "currency": "EUR",
    "order_id": "sandboxFormId_1015",
    "merchant_site": "https://merchant.site",
    "recurrent": false,
    "purpose": "description",
    "customer_first_name": "John",
    "customer_last_name": "Doe",
    "customer_address": "10 Downing Street",
    "customer_city": "London",
    "customer_zip_code": 121165,
    "customer_country": "GB",
    "customer_phone": "+442079460612",
    "customer_email": "[email protected]",
    "customer_ip_address": "127.0.0.1",
    "success_url": "https://site.com/success",
    "fail_url": "https://site.com/fail",
    "callback_url": "https://site.com/callback",
    "status_url": "https://site.com/redir"
}`

	docHost2HostReq = `{
    "payment_method": "card",
    "account": "EUR-sandbox",
    "amount": 1000,
    "currency": "EUR",
    "order_id": "sandboxId_1015",
    "merchant_site": "https://merchant.site",
    "recurrent": false,
    "purpose": "description",
    "customer_first_name": "John",
    "customer_last_name": "Doe",
    "customer_address": "10 Downing Street",
    "customer_city": "London",
    "customer_zip_code": 121165,
    "customer_country": "GB",
    "customer_phone": "+442079460612",
    "customer_email": "[email protected]",
    "customer_ip_address": "127.0.0.1",
    "success_url": "https://site.com/success",
    "fail_url": "https://site.com/fail",
    "callback_url": "https://site.com/callback",
    "status_url": "https://site.com/redir",
    "card_holder": "John Doe",
    "card_number": "4012000000003010",
    "card_exp_month": "02",
    "card_exp_year": "25",
    "card_cvv": "123",
    "apple_pay_dpan": "eyJhcHBsaWNhdGlvblByaW1hcnlBY2NvdW50TnVtYmVyIjoiKioqIiwiYXBwbGljYXRpb25FeHBpcmF0aW9uRGF0ZSI6IioqKiIsImN1cnJlbmN5Q29kZSI6Ijk3OCIsInRyYW5zYWN0aW9uQW1vdW50IjoxMDAsImRldmljZU1hbnVmYWN0dXJlcklkZW50aWZpZXIiOiIqKioiLCJwYXltZW50RGF0YVR5cGUiOiIzRFNlY3VyZSIsInBheW1lbnREYXRhIjp7Im9ubGluZVBheW1lbnRDcnlwdG9ncmFtIjoiKioqIiwiZWNpSW5kaWNhdG9yIjoiNyJ9fQ==",
    "apple_pay_payment_method_network": "Visa"
}`

	docGooglePayReq = `{
    "payment_method": "googlePayDPan",
    "account": "EUR-sandbox",
    "amount": 1000,
    "currency": "EUR",
    "order_id": "sandboxId_1015",
    "merchant_site": "https://merchant.site",
    "recurrent": false,
    "purpose": "description",
    "customer_first_name": "John",
    "customer_last_name": "Doe",
    "customer_address": "10 Downing Street",
    "customer_city": "London",
    "customer_zip_code": 121165,
    "customer_country": "GB",
    "customer_phone": "+442079460612",
    "customer_email": "[email protected]",
    "customer_ip_address": "127.0.0.1",
    "success_url": "https://site.com/success",
    "fail_url": "https://site.com/fail",
    "callback_url": "https://site.com/callback",
    "status_url": "https://site.com/redir",
    "google_pay_dpan": "eyJzaWduYXR1cmUiOiIqKioiLCJpbnRlcm1lZGlhdGVTaWduaW5nS2V5Ijp7InNpZ25lZEtleSI6Insia2V5VmFsdWUiOiIqKioiLCJrZXlFeHBpcmF0aW9uIjoiMTcxMTQzNDQ1MjgzNiJ9Iiwic2lnbmF0dXJlcyI6WyIqKioiXX0sInByb3RvY29sVmVyc2lvbiI6IkVDdjIiLCJzaWduZWRNZXNzYWdlIjoieyJlbmNyeXB0ZWRNZXNzYWdlIjoiKioqIiwiZXBoZW1lcmFsUHVibGljS2V5IjoiKioqIiwidGFnIjoiKioqIn0ifQ",
    "google_pay_payment_method_network": "Visa"
}`

	docCheckReq = `{
    "order_id": "sandboxId_1015"
}`

	docRefundReq = `{
    "order_id": "sandboxId_1015",
    "amount": 1000,
    "reason": "refund"
}`

	docRecurrentReq = `{
    "order_id": "sandboxRecurId_1015",
    "parent_order_id": "sandboxId_1015",
    "amount": 1000,
    "purpose": "test recurrent"
}`

	docTokenizeReq = `{
    "account": "EUR-sandbox-payout",
    "order_id": "tokenizeOrderId_1050",
    "callback_url": "https://site.com/callback",
    "success_url": "https://site.com/success",
    "fail_url": "https://site.com/fail"
}`

	docWithdrawalReq = `{
    "account": "EUR-sandbox-payout",
    "order_id": "testPayout_1050",
    "amount": 10000,
    "payment_method": "card",
    "customer_card_number": "4123540003981114",
    "merchant_site": "https://merchant.site",
    "customer_first_name": "John",
    "customer_middle_name": "Jerom",
    "customer_last_name": "Doe",
    "customer_phone": "+442079460612",
    "customer_birthdate": "06.06.1997",
    "customer_zip_code": "121165",
    "callback_url": "https://site.com/callback"
}`

	docBalanceReq = `{
    "account": "EUR-sandbox-payout"
}`

	docAuthorizeReq = `{
    "account": "EUR-sandbox",
    "amount": 1000,
    "currency": "EUR",
    "order_id": "sandboxId_1016",
    "merchant_site": "https://merchant.site",
    "recurrent": false,
    "purpose": "description",
    "customer_first_name": "John",
    "customer_last_name": "Doe",
    "customer_address": "10 Downing Street",
    "customer_city": "London",
    "customer_zip_code": 121165,
    "customer_country": "GB",
    "customer_phone": "+442079460612",
    "customer_email": "[email protected]",
    "success_url": "https://site.com/success",
    "fail_url": "https://site.com/fail",
    "callback_url": "https://site.com/callback",
    "status_url": "https://site.com/redir",
    "card_holder": "John Doe",
    "card_number": "4012000000003010",
    "card_exp_month": "02",
    "card_exp_year": "25",
    "card_cvv": "123"
}`

	docCaptureReq = `{
    "order_id": "sandboxId_1016"
}`

	docCancelReq = `{
    "order_id": "sandboxId_1016"
}`

	docExportReq = `{
    "type": "Payment",
    "status": 2,
    "dateFrom": 1674507600000,
    "dateTo": 1679678900201
}`

	docInitPaymentResp = `{
  "ACSUrl": null,
  "MD": null,
  "TermUrl": null,
  "description": "",
  "status": 1,
  "form_url": "https://payment.magua-pay.com/64a7e106d46c5db10d082b13",
  "order_id": "sandboxFormId_1015",
  "responseType": "REDIRECT"
}`

	docHost2HostResp = `{
  "form_url": "https://payment.magua-pay.com/64a7eec2d46c5db10d082b3d",
  "threeDSMethodData": null,
  "order_id": "64a7eec2d46c5db10d082b3d",
  "status": 1,
  "stage": null,
  "description": "",
  "endDate": null,
  "responseType": "REDIRECT",
  "err": null,
  "msg": null,
  "paReq": null,
  "creq": null,
  "md": null,
  "termUrl": null,
  "acsurl": null
}`

	docCheckResp = `{
  "order_id": "sandboxFormId_1015",
  "status": 2,
  "amount": 1000,
  "finalAmount": 900,
  "card": {
    "number": "401200******3010",
    "bin": "401200",
    "country": "Spain",
    "iso": "ESP",
    "type": "VISA"
  },
  "errorMessage": null,
  "cascadeErrors": null,
  "endDate": "2023-07-04T13:22:07.087Z",
  "authorize_status": null,
  "type": "Payment",
  "firstName": "John",
  "lastName": "Doe"
}`

	docCheckFailResp = `{
  "order_id": "sandboxFormId_1016",
  "status": -1,
  "amount": 1000,
  "finalAmount": 900,
  "card": {
    "number": "401200******3010",
    "bin": "401200",
    "country": "Spain",
    "iso": "ESP",
    "type": "VISA"
  },
  "errorMessage": "PLATFORM_ERROR_GATE_NOT_FOUND",
  "cascadeErrors": [
    {
      "gatePriority": 0,
      "errorCategory": "PLATFORM_ERROR_ANTIFRAUD_RULES"
    },
    {
      "gatePriority": 1,
      "errorCategory": "PLATFORM_ERROR_GATE_SKIPPED"
    },
    {
      "gatePriority": 2,
      "errorCategory": "PLATFORM_ERROR_CARD_BRAND_UNAVAILABLE"
    }
  ],
  "endDate": "2024-01-12T11:18:26.678Z",
  "authorize_status": null,
  "type": "Payment",
  "firstName": "John",
  "lastName": "Doe"
}`

	docRefundResp = `{
  "success": false,
  "message": "",
  "refund_id": "0719e590-1cda-11ee-82d1-a58ec416e4a2",
  "parentTransaction": "64a40ee3c4125fdb1d5cf635"
}`

	docRecurrentResp = `{
  "success": true,
  "message": "",
  "payment_id": "0719e590-1cda-11ee-82d1-a58ec416e4a2",
  "err": null
}`

	docTokenizeResp = `{
  "form_url": "https://payment.magua-pay.com/64a7eec2d46c5db10d082b3d",
  "threeDSMethodData": null,
  "order_id": "64a7eec2d46c5db10d082b3d",
  "status": 1,
  "stage": null,
  "description": "",
  "endDate": null,
  "responseType": "REDIRECT",
  "err": null,
  "msg": null
}`

	docWithdrawalResp = `{
  "order_id": "testPayout_1050",
  "status": 1,
  "card": {
    "number": "401200******3010",
    "bin": "401200",
    "country": "Spain",
    "iso": "ESP",
    "type": "VISA"
  },
  "err": null,
  "msg": null
}`

	docBalanceResp = `{
  "balance": 10000,
  "holdBalance": 0,
  "rollingBalance": 0
}`

	docAuthorizeResp = `{
  "form_url": "https://payment.magua-pay.com/64a7eec2d46c5db10d082b3d",
  "threeDSMethodData": null,
  "order_id": "64a7eec2d46c5db10d082b3d",
  "status": 1,
  "stage": null,
  "description": "",
  "endDate": null,
  "responseType": "REDIRECT",
  "err": null,
  "msg": null,
  "paReq": null,
  "creq": null,
  "md": null,
  "termUrl": null,
  "acsurl": null
}`

	docCaptureResp = `{
  "order_id": "66f55a03b2eb068a084168c2",
  "status": 2
}`

	docCancelResp = `{
  "order_id": "66f40c8fb6ff9364083fc9a5",
  "status": -1
}`

	docExportCreateResp = `{
  "id": "641def1d70836759e8af7dd4",
  "status": 1
}`

	docExportStatusResp = `{
  "id": "641def1d70836759e8af7dd4",
  "status": 2
}`
)
