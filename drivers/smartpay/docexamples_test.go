package smartpay

// The examples of the provider documents, verbatim (extracted from
// seed 004_63b579a9eeecc4a0.txt; seed 003_6c7386b3129bc046.txt has none). They seed
// the transcribed cassettes (testdata/cassettes/doc_*.yaml), the fuzz
// corpora and the decoding tests.

const (
	// docStatusFromSchema is seed 004, 201 "Example (from schema)": the payment document schema shared with seed 003 (Get Payment Status), which has no example of its own.
	docStatusFromSchema = `{
"reconciliationReferenceId": "QixTLEO28YngDAUuaUEOi",
"description": "4 pcs windscreen wipers",
"paymentStatus": "CAPTURED",
"creationDate": "2023-12-07 11:34:50.884000+00:00",
"lastStatusDate": "2023-12-07 11:38:17.739000+00:00",
"partnerReference": "GHssjkauhdaku658702",
"transactionOverview": {
"transactionId": "123e4567-e89b-12d3-a456-426614174000",
"acquirerResponse": "string",
"amount": false,
"currencyCode": "EUR",
"customReferences": {
"custom1": "string",
"custom2": "string",
"custom3": "string"
},
"customerAccountId": "john-doe-27",
"deal": {
"amount": 19.99,
"dealReference": "rJIUUztdDPPqh4Zaw98pq",
"typeCode": "3RIPSS"
},
"mit": false,
"paymentMethod": "CARDS",
"paymentOrigin": "CHECKOUT",
"targetMerchantAccountReference": 123456789
},
"transactionReference": "THNkjjkfdhjk7798798",
"modification": {
"creationDate": "2024-07-29T15:51:28.071Z",
"error": {
"error": "gateway_processing",
"errorDetails": {
"context": {},
"gatewayDescription": "string",
"paymentProviderDescription": "string"
}
},
"lastStatusDate": "2024-07-29T15:51:28.071Z",
"modificationAmount": {
"amount": 49.99,
"currencyCode": "EUR",
"description": "windscreen wipers 4 pcs"
},
"modificationData": {
"cancelId": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
"captureId": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
"customReferences": {
"custom1": "string",
"custom2": "string",
"custom3": "string"
},
"modificationId": "abcd123",
"paymentSplitResults": [
{
"destinationReference": "destination-ref-1",
"error": "string",
"splitUniqueReference": "string",
"status": "string",
"amount": 49.99,
"currencyCode": "EUR",
"description": "windscreen wipers 4 pcs"
}
],
"programRefundErrorMessage": "string",
"programRefundId": "string",
"programRefundStatus": "string",
"reconciliationReferenceId": "string",
"refundId": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
"type": "CAPTURE"
},
"status": "string",
"statusHistory": [
{
"error": "string",
"modificationAmount": {
"amount": 49.99,
"currencyCode": "EUR",
"description": "windscreen wipers 4 pcs"
},
"status": "string",
"statusDate": "2024-07-29T15:51:28.071Z"
}
]
}
}`

	// docAuthorize201 is seed 004, 201 "Example" (real provider output).
	docAuthorize201 = `{
"description": "SMP-Transaction-01",
"paymentStatus": "CAPTURED",
"creationDate": "2024-10-09T10:50:15.708Z",
"lastStatusDate": "2024-10-09T10:50:19.705Z",
"transactionOverview": {
"transactionId": "9b02425b-f346-4f16-892b-6716d5ecf9ac",
"paymentMethod": "PREPMNT",
"amount": 50.99,
"currencyCode": "EUR",
"mit": false,
"paymentOrigin": "PAYMENT_AUTHORIZE_S2S"
},
"reconciliationReferenceId": "sYfon1IJl9iZ7bpsa7fXO",
"transactionReference": "119344737107897",
"modificationId": "9b02425b-f346-4f16-892b-6716d5ecf9ac"
}`

	// docMOD1_400 is seed 004, HTTP 400, error shape MOD1 example.
	docMOD1_400 = `{
"error": "string",
"errorDetails": {
"context": {},
"gatewayDescription": "string",
"paymentProviderDescription": "string"
},
"message": "string"
}`

	// docMOD2_400 is seed 004, HTTP 400, error shape MOD2 example.
	docMOD2_400 = `{
"traceId": "00-1234567890abcdef0123456789abcdef-0123456789abcdef-00",
"errors": [
{
"message": "Value out of bounds. Value must be between 1 and 100",
"code": "value_out_of_bounds",
"property": "someField",
"context": {
"minimum": 1,
"maximum": 100
}
}
]
}`

	// docMOD1_401 is seed 004, HTTP 401, error shape MOD1 example.
	docMOD1_401 = `{
"error": "string",
"errorDetails": {
"context": {},
"gatewayDescription": "string",
"paymentProviderDescription": "string"
},
"message": "string"
}`

	// docMOD2_401 is seed 004, HTTP 401, error shape MOD2 example.
	docMOD2_401 = `{
"traceId": "00-1234567890abcdef0123456789abcdef-0123456789abcdef-00",
"errors": [
{
"message": "You are not authenticated to perform this request.",
"code": "unauthorized"
}
]
}`

	// docMOD1_403 is seed 004, HTTP 403, error shape MOD1 example.
	docMOD1_403 = `{
"error": "string",
"errorDetails": {
"context": {},
"gatewayDescription": "string",
"paymentProviderDescription": "string"
},
"message": "string"
}`

	// docMOD2_403 is seed 004, HTTP 403, error shape MOD2 example.
	docMOD2_403 = `{
"traceId": "00-1234567890abcdef0123456789abcdef-0123456789abcdef-00",
"errors": [
{
"message": "You do not have permissions to perform this request.",
"code": "forbidden"
}
]
}`

	// docMOD1_404 is seed 004, HTTP 404, error shape MOD1 example.
	docMOD1_404 = `{
"error": "string",
"errorDetails": {
"context": {},
"gatewayDescription": "string",
"paymentProviderDescription": "string"
},
"message": "string"
}`

	// docMOD2_404 is seed 004, HTTP 404, error shape MOD2 example.
	docMOD2_404 = `{
"traceId": "00-1234567890abcdef0123456789abcdef-0123456789abcdef-00",
"errors": [
{
"message": "Resource not found.",
"code": "not_found"
}
]
}`

	// docMOD1_500 is seed 004, HTTP 500, error shape MOD1 example.
	docMOD1_500 = `{
"error": "string",
"errorDetails": {
"context": {},
"gatewayDescription": "string",
"paymentProviderDescription": "string"
},
"message": "string"
}`

	// docMOD2_500 is seed 004, HTTP 500, error shape MOD2 example.
	docMOD2_500 = `{
"traceId": "00-1234567890abcdef0123456789abcdef-0123456789abcdef-00",
"errors": [
{
"message": "Internal server error."
}
]
}`
)
