package smart2paytest

import (
	"strconv"
	"time"
)

// view selects which of the document's response shapes a payment is rendered in.
type view int

const (
	// viewCreate: the 201 of POST /v1/payments. On the alternative-methods host it carries
	// ClientIP, OriginatorTransactionID and Customer.DateOfBirth, as the document's create
	// example does (its capture/cancel/get/list/notification examples do not).
	viewCreate view = iota
	// viewRead: GET /v1/payments/{id} and notifications.
	viewRead
	// viewAction: the 200 of capture and cancel. On the card host "Card" is null, as in the
	// document's partial capture and cancel examples.
	viewAction
	// viewList: an entry of GET /v1/payments. On the alternative-methods host the list gives
	// "only a limited amount of details": Customer, addresses, Articles, ReferenceDetails,
	// CustomParameters, TokenLifetime and RedirectURL are null, as in the document.
	viewList
)

func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

func tsOrNull(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

// renderReasons renders Status.Reasons. The document's POST /v1/payments examples spell the
// code as a JSON string ("20"), its capture and cancel examples as a number (17): asString
// picks the first form.
func renderReasons(rs []reason, asString bool, emptyAsArray bool) any {
	if len(rs) == 0 {
		if emptyAsArray {
			return []any{}
		}
		return nil
	}
	out := make([]object, 0, len(rs))
	for _, r := range rs {
		var code any = r.Code
		if asString {
			code = strconv.Itoa(r.Code)
		}
		out = append(out, object{{"Code", code}, {"Info", r.Info}})
	}
	return out
}

// renderStatus: Reasons is null when empty on the alternative-methods host and [] on the
// card host, as in the document.
func renderStatus(a api, id int, rs []reason, codeAsString bool) object {
	var sid, info any
	if id != 0 {
		sid = id
		info = statusInfo[id]
	}
	return object{
		{"ID", sid},
		{"Info", info},
		{"Reasons", renderReasons(rs, codeAsString, a == apiCard)},
	}
}

func renderCustomer(c *customer, withDOB bool) any {
	if c == nil {
		return nil
	}
	o := object{
		{"ID", c.id},
		{"MerchantCustomerID", strOrNull(c.MerchantCustomerID)},
		{"Email", strOrNull(c.Email)},
		{"FirstName", strOrNull(c.FirstName)},
		{"LastName", strOrNull(c.LastName)},
		{"Gender", strOrNull(c.Gender)},
		{"SocialSecurityNumber", strOrNull(c.SocialSecurityNumber)},
		{"Phone", strOrNull(c.Phone)},
		{"Company", strOrNull(c.Company)},
	}
	if withDOB {
		o.add("DateOfBirth", strOrNull(c.DateOfBirth))
	}
	return o
}

func renderAddress(a *address) any {
	if a == nil {
		return nil
	}
	return object{
		{"ID", a.id},
		{"City", strOrNull(a.City)},
		{"ZipCode", strOrNull(a.ZipCode)},
		{"State", strOrNull(a.State)},
		{"Street", strOrNull(a.Street)},
		{"StreetNumber", strOrNull(a.StreetNumber)},
		{"HouseNumber", strOrNull(a.HouseNumber)},
		{"HouseExtension", strOrNull(a.HouseExtension)},
		{"Country", strOrNull(a.Country)},
	}
}

func renderArticles(as []article, present bool) any {
	if !present {
		return nil
	}
	out := make([]object, 0, len(as))
	for _, a := range as {
		o := object{}
		for _, k := range articleKeys {
			o.add(k, rawOrNull(a[k]))
		}
		out = append(out, o)
	}
	return out
}

func renderReferenceDetails(p *payment) any {
	if p.qrCodeURL == "" {
		return nil
	}
	return object{
		{"BankCode", nil},
		{"BankName", nil},
		{"EntityID", nil},
		{"EntityNumber", nil},
		{"ReferenceID", nil},
		{"ReferenceNumber", nil},
		{"SwiftBIC", nil},
		{"AccountCurrency", nil},
		{"AccountNumber", nil},
		{"AccountHolder", nil},
		{"IBAN", nil},
		{"QRCodeURL", p.qrCodeURL},
	}
}

// renderPayment renders a stored payment in the host's shape.
func (s *Server) renderPayment(p *payment, v view) object {
	if p.api == apiCard {
		return s.renderCard(p, v)
	}
	return s.renderAPM(p, v)
}

func (s *Server) renderAPM(p *payment, v view) object {
	create, list := v == viewCreate, v == viewList
	// A cancelled or expired payment can no longer be paid: no token, no RedirectURL (as the
	// document's cancel example shows).
	closed := p.status == StatusCancelled || p.status == StatusExpired
	o := object{}
	o.add("ID", p.id)
	o.add("SkinID", intOrNull(p.skinID))
	if create {
		o.add("ClientIP", strOrNull(p.clientIP))
	}
	o.add("Created", ts(p.created))
	o.add("MerchantTransactionID", p.mtid)
	if create {
		o.add("OriginatorTransactionID", strOrNull(p.originatorTransactionID))
	}
	o.add("Amount", p.amount)
	o.add("Currency", p.currency)
	o.add("ReturnURL", strOrNull(p.returnURL))
	o.add("Description", strOrNull(p.description))
	o.add("MethodID", intOrNull(p.methodID))
	o.add("MethodOptionID", intOrNull(p.methodOptionID))
	o.add("IncludeMethodIDs", rawOrNull(p.includeMethodIDs))
	o.add("ExcludeMethodIDs", rawOrNull(p.excludeMethodIDs))
	o.add("PrioritizeMethodIDs", rawOrNull(p.prioritizeMethodIDs))
	o.add("SiteID", s.cfg.siteID)
	o.add("NotificationDateTime", tsOrNull(p.notificationDateTime))
	if list {
		o.add("Customer", nil)
		o.add("BillingAddress", nil)
		o.add("ShippingAddress", nil)
		o.add("Articles", nil)
		o.add("Details", nil)
		o.add("ReferenceDetails", nil)
		o.add("CustomParameters", nil)
	} else {
		o.add("Customer", renderCustomer(p.customer, create))
		o.add("BillingAddress", renderAddress(p.billing))
		o.add("ShippingAddress", renderAddress(p.shipping))
		o.add("Articles", renderArticles(p.articles, p.hasArticles))
		o.add("Details", nil)
		o.add("ReferenceDetails", renderReferenceDetails(p))
		o.add("CustomParameters", rawOrNull(p.customParameters))
	}
	o.add("PreapprovalID", nil)
	o.add("Status", renderStatus(apiAPM, p.status, p.reasons, create))
	o.add("MethodTransactionID", nil)
	if list || closed {
		o.add("TokenLifetime", nil)
	} else {
		o.add("TokenLifetime", intOrNull(p.tokenLifetime))
	}
	o.add("Capture", boolOrNull(p.capture))
	if list || closed {
		o.add("RedirectURL", nil)
	} else {
		o.add("RedirectURL", p.redirectURL)
	}
	return o
}

func renderCardDetails(c *cardInfo, number string) any {
	if c == nil {
		return nil
	}
	var n any
	if number != "" {
		n = number
	}
	return object{
		{"HolderName", strOrNull(c.holder)},
		{"Number", n},
		{"ExpirationMonth", strOrNull(c.month)},
		{"ExpirationYear", strOrNull(c.year)},
	}
}

func (s *Server) renderCard(p *payment, v view) object {
	o := object{}
	o.add("ID", p.id)
	o.add("ClientIP", strOrNull(p.clientIP))
	o.add("SkinID", intOrNull(p.skinID))
	o.add("Created", ts(p.created))
	o.add("MerchantTransactionID", p.mtid)
	o.add("OriginatorTransactionID", strOrNull(p.originatorTransactionID))
	o.add("Amount", p.amount)
	o.add("Currency", p.currency)
	o.add("CapturedAmount", p.capturedAmount)
	o.add("ReturnURL", strOrNull(p.returnURL))
	o.add("Description", strOrNull(p.description))
	o.add("StatementDescriptor", strOrNull(p.statementDescriptor))
	o.add("MethodID", cardMethodID)
	o.add("MethodOptionID", intOrNull(p.methodOptionID))
	o.add("SiteID", s.cfg.cardSiteID)
	o.add("NotificationDateTime", tsOrNull(p.notificationDateTime))
	o.add("Customer", renderCustomer(p.customer, false))
	o.add("BillingAddress", renderAddress(p.billing))
	o.add("ShippingAddress", renderAddress(p.shipping))
	o.add("Articles", renderArticles(p.articles, p.hasArticles))
	if v == viewAction {
		o.add("Card", nil)
	} else {
		o.add("Card", renderCardDetails(p.card, p.card.brand()+"-"+p.card.last4()))
	}
	o.add("CreditCardToken", nil)
	o.add("Status", renderStatus(apiCard, p.status, p.reasons, v == viewCreate))
	o.add("MethodTransactionID", nil)
	o.add("PaymentTokenLifetime", intOrNull(p.paymentTokenLifetime))
	o.add("Capture", boolOrNull(p.capture))
	o.add("Retry", boolOrNull(p.retry))
	o.add("RedirectURL", nil)
	o.add("3DSecure", nil)
	return o
}

// renderRequestError renders the 400 answer to POST /v1/payments: the request echoed back in
// the create shape with no ID, no Created, and Status {null, null, Reasons}, as in the
// document's two duplicate examples. On the card host the answer starts with InvalidRequestID
// ("i" + the number of the stored invalid request).
func (s *Server) renderRequestError(p *payment, rs []reason, invalidRequestID string) object {
	echoStr := func(set bool, v string) any {
		if !set {
			return nil
		}
		return v
	}
	echoAmount := func() any {
		if !p.hasAmount {
			return nil
		}
		return p.amount
	}
	o := object{}
	if p.api == apiAPM {
		o.add("ID", nil)
		o.add("SkinID", intOrNull(p.skinID))
		o.add("ClientIP", strOrNull(p.clientIP))
		o.add("Created", nil)
		o.add("MerchantTransactionID", echoStr(p.hasMTID, p.mtid))
		o.add("OriginatorTransactionID", strOrNull(p.originatorTransactionID))
		o.add("Amount", echoAmount())
		o.add("Currency", echoStr(p.hasCurrency, p.currency))
		o.add("ReturnURL", strOrNull(p.returnURL))
		o.add("Description", strOrNull(p.description))
		o.add("MethodID", intOrNull(p.methodID))
		o.add("MethodOptionID", intOrNull(p.methodOptionID))
		o.add("IncludeMethodIDs", rawOrNull(p.includeMethodIDs))
		o.add("ExcludeMethodIDs", rawOrNull(p.excludeMethodIDs))
		o.add("PrioritizeMethodIDs", rawOrNull(p.prioritizeMethodIDs))
		o.add("SiteID", nil)
		o.add("NotificationDateTime", nil)
		o.add("Customer", renderCustomer(p.customer, true))
		o.add("BillingAddress", renderAddress(p.billing))
		o.add("ShippingAddress", renderAddress(p.shipping))
		o.add("Articles", renderArticles(p.articles, p.hasArticles))
		o.add("Details", nil)
		o.add("ReferenceDetails", nil)
		o.add("CustomParameters", rawOrNull(p.customParameters))
		o.add("PreapprovalID", nil)
		o.add("Status", renderStatus(apiAPM, 0, rs, true))
		o.add("MethodTransactionID", nil)
		o.add("TokenLifetime", nil)
		o.add("Capture", boolOrNull(p.capture))
		o.add("RedirectURL", nil)
		return o
	}
	o.add("InvalidRequestID", invalidRequestID)
	o.add("ID", nil)
	o.add("ClientIP", strOrNull(p.clientIP))
	o.add("SkinID", intOrNull(p.skinID))
	o.add("Created", nil)
	o.add("MerchantTransactionID", echoStr(p.hasMTID, p.mtid))
	o.add("OriginatorTransactionID", strOrNull(p.originatorTransactionID))
	o.add("Amount", echoAmount())
	o.add("Currency", echoStr(p.hasCurrency, p.currency))
	o.add("CapturedAmount", 0)
	o.add("ReturnURL", strOrNull(p.returnURL))
	o.add("Description", strOrNull(p.description))
	o.add("StatementDescriptor", strOrNull(p.statementDescriptor))
	o.add("MethodID", cardMethodID)
	o.add("MethodOptionID", intOrNull(p.methodOptionID))
	o.add("SiteID", s.cfg.cardSiteID)
	o.add("NotificationDateTime", nil)
	o.add("Customer", renderCustomer(p.customer, false))
	o.add("BillingAddress", renderAddress(p.billing))
	o.add("ShippingAddress", renderAddress(p.shipping))
	o.add("Articles", renderArticles(p.articles, p.hasArticles))
	var number string
	if p.card != nil && p.card.last4() != "" {
		number = "Ends with " + p.card.last4()
	}
	o.add("Card", renderCardDetails(p.card, number))
	o.add("CreditCardToken", nil)
	o.add("Status", renderStatus(apiCard, 0, rs, true))
	o.add("MethodTransactionID", nil)
	o.add("PaymentTokenLifetime", intOrNull(p.paymentTokenLifetime))
	o.add("Capture", boolOrNull(p.capture))
	o.add("Retry", boolOrNull(p.retry))
	o.add("RedirectURL", nil)
	o.add("3DSecure", nil)
	return o
}

// renderActionError renders the 400 answer to an action on a payment (capture, cancel, get)
// that cannot be done. As in the document's capture and cancel 400 examples it keeps ID,
// Created, MethodID, SiteID, NotificationDateTime and the current Status ID/Info, adds the
// Reasons (codes as numbers), and nulls everything else. For an unknown payment (p == nil)
// only the ID from the path is kept (null when it is not a number) and Status ID/Info are null.
func (s *Server) renderActionError(a api, p *payment, pathID string, rs []reason) object {
	var id, created, methodID, siteID, notified any
	statusID := 0
	if p != nil {
		id, created, notified, statusID = p.id, ts(p.created), tsOrNull(p.notificationDateTime), p.status
		methodID = intOrNull(p.methodID)
		siteID = s.cfg.siteID
		if a == apiCard {
			methodID, siteID = cardMethodID, s.cfg.cardSiteID
		}
	} else if n, err := strconv.ParseInt(pathID, 10, 64); err == nil {
		id = n
	}
	o := object{}
	if a == apiAPM {
		o.add("ID", id)
		o.add("SkinID", nil)
		o.add("Created", created)
		for _, k := range []string{"MerchantTransactionID", "Amount", "Currency", "ReturnURL", "Description"} {
			o.add(k, nil)
		}
		o.add("MethodID", methodID)
		for _, k := range []string{"MethodOptionID", "IncludeMethodIDs", "ExcludeMethodIDs", "PrioritizeMethodIDs"} {
			o.add(k, nil)
		}
		o.add("SiteID", siteID)
		o.add("NotificationDateTime", notified)
		for _, k := range []string{"Customer", "BillingAddress", "ShippingAddress", "Articles", "Details", "ReferenceDetails", "CustomParameters", "PreapprovalID"} {
			o.add(k, nil)
		}
		o.add("Status", renderStatus(apiAPM, statusID, rs, false))
		for _, k := range []string{"MethodTransactionID", "TokenLifetime", "Capture", "RedirectURL"} {
			o.add(k, nil)
		}
		return o
	}
	o.add("ID", id)
	o.add("ClientIP", nil)
	o.add("SkinID", nil)
	o.add("Created", created)
	for _, k := range []string{"MerchantTransactionID", "OriginatorTransactionID", "Amount", "Currency", "CapturedAmount", "ReturnURL", "Description", "StatementDescriptor"} {
		o.add(k, nil)
	}
	o.add("MethodID", methodID)
	o.add("MethodOptionID", nil)
	o.add("SiteID", siteID)
	o.add("NotificationDateTime", notified)
	for _, k := range []string{"Customer", "BillingAddress", "ShippingAddress", "Articles", "Card", "CreditCardToken"} {
		o.add(k, nil)
	}
	o.add("Status", renderStatus(apiCard, statusID, rs, false))
	for _, k := range []string{"MethodTransactionID", "PaymentTokenLifetime", "Capture", "Retry", "RedirectURL", "3DSecure"} {
		o.add(k, nil)
	}
	return o
}

// renderCardStatus is the light answer of GET /v1/payments/{id}/status (card host).
func renderCardStatus(p *payment) object {
	return object{
		{"ID", p.id},
		{"MerchantTransactionID", p.mtid},
		{"Status", renderStatus(apiCard, p.status, p.reasons, false)},
	}
}

// renderRefund renders a refund: ID, Created, MerchantTransactionID, InitialPaymentID, Amount,
// Currency, Description, TypeID, Status — the fields the provider's SDKs read.
func renderRefund(r *refund) object {
	return object{
		{"ID", r.id},
		{"Created", ts(r.created)},
		{"MerchantTransactionID", r.mtid},
		{"InitialPaymentID", r.payment.id},
		{"Amount", r.amount},
		{"Currency", r.payment.currency},
		{"Description", strOrNull(r.description)},
		{"TypeID", refundTypeID},
		{"Status", renderStatus(r.payment.api, r.status, r.reasons, false)},
	}
}

// refundTypeID is the TypeID of every simulated refund (the document does not list the types).
const refundTypeID = 1

// renderRefundStatus is the light answer of GET /v1/payments/{id}/refunds/{refundId}/status.
func renderRefundStatus(r *refund) object {
	return object{
		{"ID", r.id},
		{"InitialPaymentID", r.payment.id},
		{"MerchantTransactionID", r.mtid},
		{"Status", renderStatus(r.payment.api, r.status, r.reasons, false)},
	}
}

// renderRefundError is the 400 answer to a refund request: the request echoed back with
// ID, Created and TypeID null and Status {null, null, Reasons}.
func renderRefundError(a api, paymentID any, mtid *string, amount any, currency any, description *string, rs []reason) object {
	return object{
		{"ID", nil},
		{"Created", nil},
		{"MerchantTransactionID", strOrNull(mtid)},
		{"InitialPaymentID", paymentID},
		{"Amount", amount},
		{"Currency", currency},
		{"Description", strOrNull(description)},
		{"TypeID", nil},
		{"Status", renderStatus(a, 0, rs, false)},
	}
}
