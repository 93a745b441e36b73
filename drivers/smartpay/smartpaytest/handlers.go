package smartpaytest

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ---- OAuth2 token endpoint -------------------------------------------------

type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

func oauthResult(status int, code, desc string) apiResult {
	return apiResult{status: status, body: marshal(oauthError{Error: code, ErrorDescription: desc})}
}

// handleToken implements POST /oauth/token (client-credentials grant, RFC 6749
// section 4.4). Client id and secret are a merchant's merchantKey and
// authenticationKey, sent with HTTP Basic or as form fields.
func (s *Server) handleToken(r *http.Request, _ *apiRequest) apiResult {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return oauthResult(http.StatusBadRequest, "invalid_request", "Content-Type must be application/x-www-form-urlencoded.")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		return oauthResult(http.StatusBadRequest, "invalid_request", "The request body could not be parsed.")
	}
	form := r.PostForm
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	if id == "" {
		return oauthResult(http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
	}
	if !s.checkCredentials(id, secret) {
		return oauthResult(http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
	}
	if gt := form.Get("grant_type"); gt != "client_credentials" {
		if gt == "" {
			return oauthResult(http.StatusBadRequest, "invalid_request", "grant_type is required.")
		}
		return oauthResult(http.StatusBadRequest, "unsupported_grant_type", "Only client_credentials is supported.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.st.next(kindToken)
	tok := "spt_" + pseudoRandom(kindToken, n, 40)
	s.st.tokens[tok] = tokenInfo{merchant: id, expires: s.now().Add(s.cfg.tokenTTL)}
	s.st.tokenIssues++
	return apiResult{status: http.StatusOK, body: marshal(tokenDoc{
		AccessToken: tok, TokenType: "Bearer", ExpiresIn: int64(s.cfg.tokenTTL / time.Second),
	})}
}

// ---- creation and authorization ------------------------------------------

func (s *Server) forbidden() apiResult { return s.statusError(http.StatusForbidden) }

// newPayment builds a payment from validated checkout fields. s.mu is held.
func (s *Server) newPayment(merchant string, f *checkoutFields, amount cents) *payment {
	now := s.now()
	st := s.st
	p := &payment{
		merchantKey:       merchant,
		id:                uuidFor(kindTransaction, st.next(kindTransaction)),
		description:       f.Payment.Description,
		currency:          f.Payment.CurrencyCode,
		amount:            amount,
		captured:          zero(),
		refunded:          zero(),
		created:           now,
		updated:           now,
		recon:             pseudoRandom(kindRecon, st.next(kindRecon), 21),
		customRefs:        f.CustomReferences,
		customerAccountID: f.CustomerAccountID,
		targetMerchant:    f.TargetMerchantAccountReference,
	}
	if f.PartnerReference != nil {
		p.partnerReference = *f.PartnerReference
	}
	return p
}

// register stores p and reserves its partnerReference. s.mu is held.
func (s *Server) register(p *payment) {
	s.st.payments[p.id] = p
	s.st.order = append(s.st.order, p)
	if p.partnerReference != "" {
		m := s.st.refs[p.merchantKey]
		if m == nil {
			m = map[string]*payment{}
			s.st.refs[p.merchantKey] = m
		}
		m[p.partnerReference] = p
	}
}

func (s *Server) duplicateReference(merchant string, f *checkoutFields) bool {
	if f.PartnerReference == nil {
		return false
	}
	_, dup := s.st.refs[merchant][*f.PartnerReference]
	return dup
}

// duplicateRefError is the 400 for a reused partnerReference: the code is
// WithDuplicateReferenceCode's (none by default: the documents show none).
func (s *Server) duplicateRefError() verrs {
	return verrs{{
		Message:  "partnerReference must be unique for the merchant; it was already used for another transaction.",
		Code:     s.cfg.duplicateCode,
		Property: "partnerReference",
	}}
}

// handleCreation implements POST /payment/creation (Create Checkout).
func (s *Server) handleCreation(r *http.Request, a *apiRequest) apiResult {
	var req checkoutFields
	if v := decodeJSON(a.body, &req); len(v) > 0 {
		return s.validationResult(http.StatusBadRequest, v)
	}
	if req.MerchantKey != "" && req.MerchantKey != a.merchant {
		return s.forbidden()
	}
	var v verrs
	vc := validateCheckout(&req, &v, true)
	if len(v) > 0 {
		return s.validationResult(http.StatusBadRequest, v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.duplicateReference(a.merchant, &req) {
		return s.validationResultLocked(http.StatusBadRequest, s.duplicateRefError())
	}
	p := s.newPayment(a.merchant, &req, vc.amount)
	p.method = paymentMethodCards
	p.origin = paymentOriginCheckout
	p.autoCapture = s.cfg.autoCapture
	p.checkoutToken = "ct_" + pseudoRandom(kindCheckout, s.st.next(kindCheckout), 32)
	p.setStatus(StatusCreated, p.created)
	s.register(p)
	s.st.byToken[p.checkoutToken] = p
	s.logOp(OpCreate, p, p.id, p.amount, p.status)
	s.emitPayment(p, webhookOriginAPI, "")
	return apiResult{status: http.StatusCreated, body: marshal(checkoutDoc{
		TransactionID: p.id,
		CheckoutToken: p.checkoutToken,
		RedirectURL:   s.srv.URL + PathCheckoutPage + p.checkoutToken,
	})}
}

// handleAuthorize implements POST /payment/authorize/ (API-only invoice
// payments, seed 004).
func (s *Server) handleAuthorize(r *http.Request, a *apiRequest) apiResult {
	var req authorizeReq
	if v := decodeJSON(a.body, &req); len(v) > 0 {
		return s.validationResult(http.StatusBadRequest, v)
	}
	if req.MerchantKey != "" && req.MerchantKey != a.merchant {
		return s.forbidden()
	}
	var v verrs
	invoiceType := ""
	switch {
	case req.PaymentOption == nil:
		v.required("paymentOption")
	case req.PaymentOption.InvoicePayment == nil:
		v.required("paymentOption.invoicePayment")
	default:
		invoiceType = req.PaymentOption.InvoicePayment.Type
		switch invoiceType {
		case invoicePrepayment, invoicePayUponInvoice:
		case "":
			v.required("paymentOption.invoicePayment.type")
		default:
			v.add("paymentOption.invoicePayment.type", codeInvalidValue,
				"The field paymentOption.invoicePayment.type must be one of PREPMNT, PAYINVC.",
				map[string]any{"allowedValues": []string{invoicePrepayment, invoicePayUponInvoice}})
		}
	}
	vc := validateCheckout(&req.checkoutFields, &v, false)
	if len(v) > 0 {
		return s.validationResult(http.StatusBadRequest, v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.duplicateReference(a.merchant, &req.checkoutFields) {
		return s.validationResultLocked(http.StatusBadRequest, s.duplicateRefError())
	}
	p := s.newPayment(a.merchant, &req.checkoutFields, vc.amount)
	p.method = invoiceType
	p.origin = paymentOriginAuthorizeS2S
	p.txRef = notLuhn(fmt.Sprintf("7%014d", s.st.next(kindTxRef)))
	s.register(p)

	if vc.consumer != nil && strings.EqualFold(strings.TrimSpace(vc.consumer.LastName), DeclineLastName) {
		p.acquirerResponse = declinePaymentProviderResponse
		p.txRef = ""
		p.setStatus(StatusFailed, p.created)
		p.history[len(p.history)-1].err = declinePaymentProviderResponse
		s.logOp(OpAuthorize, p, p.id, p.amount, p.status)
		s.emitPayment(p, webhookOriginAPI, "")
		return gatewayError(http.StatusBadRequest, gatewayErrorPaymentProvider,
			"The payment could not be authorized.",
			"The payment provider declined the authorization.",
			declinePaymentProviderResponse)
	}

	if vc.consumer != nil && strings.EqualFold(strings.TrimSpace(vc.consumer.LastName), FailedLastName) {
		p.acquirerResponse = declinePaymentProviderResponse
		p.txRef = ""
		p.setStatus(StatusFailed, p.created)
		p.history[len(p.history)-1].err = declinePaymentProviderResponse
		s.logOp(OpAuthorize, p, p.id, p.amount, p.status)
		s.emitPayment(p, webhookOriginAPI, "")
		d := p.doc(nil, false)
		d.ModificationID = p.id
		return apiResult{status: http.StatusCreated, body: marshal(d)}
	}

	switch {
	case invoiceType == invoicePrepayment && s.cfg.prepayPending:
		p.setStatus(StatusAuthorizationPending, p.created)
	case invoiceType == invoicePrepayment, s.cfg.invoicePaid:
		// The document's answer (seed 004 l.482-498).
		p.captured = clone(p.amount)
		p.setStatus(StatusCaptured, p.created)
	default:
		p.setStatus(StatusAuthorizationCompleted, p.created)
	}
	s.logOp(OpAuthorize, p, p.id, p.amount, p.status)
	s.emitPayment(p, webhookOriginAPI, "")
	d := p.doc(nil, false)
	d.ModificationID = p.id
	return apiResult{status: http.StatusCreated, body: marshal(d)}
}

// handleStatus implements GET /payment/status/{transactionId} (seed 003).
func (s *Server) handleStatus(r *http.Request, a *apiRequest) apiResult {
	id, err := url.PathUnescape(strings.TrimPrefix(r.URL.Path, PathStatus))
	if err != nil || len(id) > 36 {
		return s.statusError(http.StatusNotFound)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.payments[id]
	if p == nil || p.merchantKey != a.merchant {
		return s.statusErrorLocked(http.StatusNotFound)
	}
	var latest *modification
	if n := len(p.mods); n > 0 {
		latest = p.mods[n-1]
	}
	return apiResult{status: http.StatusOK, body: marshal(p.doc(latest, true))}
}

// ---- modifications ---------------------------------------------------------

func stateError(action, status string) apiResult {
	return gatewayError(http.StatusBadRequest, gatewayErrorGateway,
		fmt.Sprintf("The %s could not be performed.", action),
		fmt.Sprintf("%s is not possible in payment status %s.", strings.ToUpper(action[:1])+action[1:], status),
		"")
}

// modificationHandler implements capture, cancel, refund and cancelOrRefund.
func (s *Server) modificationHandler(endpoint string) handlerFunc {
	return func(r *http.Request, a *apiRequest) apiResult {
		var req modificationReq
		if v := decodeJSON(a.body, &req); len(v) > 0 {
			return s.validationResult(http.StatusBadRequest, v)
		}
		var v verrs
		v.requiredMax("transactionId", req.TransactionID, 36)
		v.requiredMax("merchantKey", req.MerchantKey, 36)
		v.requiredMax("modificationId", req.ModificationID, 64)
		v.maxLen("description", req.Description, 127)
		v.customRefs("customReferences", req.CustomReferences)
		var amt cents
		if (endpoint == PathCapture || endpoint == PathRefund) && req.ModifiedAmount != nil {
			amt = v.amount("modifiedAmount.amount", req.ModifiedAmount.Amount, true)
			v.currency("modifiedAmount.currencyCode", req.ModifiedAmount.CurrencyCode)
			v.maxLen("modifiedAmount.description", req.ModifiedAmount.Description, 127)
		}
		if len(v) > 0 {
			return s.validationResult(http.StatusBadRequest, v)
		}
		if req.MerchantKey != a.merchant {
			return s.forbidden()
		}

		s.mu.Lock()
		defer s.mu.Unlock()
		if prev := s.st.mods[a.merchant][req.ModificationID]; prev != nil {
			if prev.endpoint == endpoint && prev.txID == req.TransactionID {
				s.cfg.logger.Debug("smartpaytest: modificationId replay", "modificationId", req.ModificationID)
				return apiResult{status: prev.status, body: prev.body}
			}
			return s.validationResultLocked(http.StatusBadRequest, verrs{{
				Message:  "modificationId was already used for a different modification request.",
				Code:     codeNotUnique,
				Property: "modificationId",
			}})
		}
		p := s.st.payments[req.TransactionID]
		if p == nil || p.merchantKey != a.merchant {
			return s.statusErrorLocked(http.StatusNotFound)
		}
		if amt != nil && req.ModifiedAmount.CurrencyCode != p.currency {
			return s.validationResultLocked(http.StatusBadRequest, verrs{{
				Message:  "The field modifiedAmount.currencyCode must equal the transaction currency " + p.currency + ".",
				Code:     codeInvalidValue,
				Property: "modifiedAmount.currencyCode",
				Context:  map[string]any{"expected": p.currency},
			}})
		}
		description := req.Description
		if req.ModifiedAmount != nil && req.ModifiedAmount.Description != "" {
			description = req.ModifiedAmount.Description
		}
		if description == "" {
			description = p.description
		}

		var res apiResult
		switch endpoint {
		case PathCapture:
			res = s.capture(p, &req, amt, description)
		case PathCancel:
			if !p.cancellable() {
				return stateError("cancel", p.status)
			}
			res = s.cancel(p, &req, description)
		case PathRefund:
			res = s.refund(p, &req, amt, description)
		case PathCancelOrRefund:
			switch {
			case p.cancellable():
				res = s.cancel(p, &req, description)
			case p.refundable():
				res = s.refund(p, &req, nil, description)
			default:
				return stateError("cancel or refund", p.status)
			}
		}
		if res.status == http.StatusOK {
			m := s.st.mods[a.merchant]
			if m == nil {
				m = map[string]*storedResult{}
				s.st.mods[a.merchant] = m
			}
			m[req.ModificationID] = &storedResult{endpoint: endpoint, txID: req.TransactionID, status: res.status, body: res.body}
		}
		return res
	}
}

func (s *Server) outOfBounds(prop string, max cents) apiResult {
	return s.validationResultLocked(http.StatusBadRequest, verrs{{
		Message:  fmt.Sprintf("Value out of bounds. Value must be between 0.01 and %s", formatCents(max)),
		Code:     codeOutOfBounds,
		Property: prop,
		Context:  map[string]any{"minimum": number(parseAmountText("0.01")), "maximum": number(max)},
	}})
}

func (s *Server) addModification(p *payment, typ, status, id, recon string, req *modificationReq, amt cents, description string) *modification {
	now := s.now()
	modID := id
	var refs *customRefsReq
	if req != nil {
		modID = req.ModificationID
		refs = req.CustomReferences
	}
	m := &modification{
		typ: typ, modificationID: modID, id: id, amount: clone(amt), description: description,
		status: status, recon: recon, customRefs: refs, created: now,
	}
	p.mods = append(p.mods, m)
	p.history = append(p.history, historyEntry{status: status, amount: clone(amt), description: description, at: now})
	return m
}

// capture; s.mu is held.
func (s *Server) capture(p *payment, req *modificationReq, amt cents, description string) apiResult {
	if !p.capturable() {
		return stateError("capture", p.status)
	}
	remaining := sub(p.amount, p.captured)
	if amt == nil {
		amt = remaining
	} else if amt.Cmp(remaining) > 0 {
		return s.outOfBounds("modifiedAmount.amount", remaining)
	}
	p.captured = add(p.captured, amt)
	p.status = StatusCaptured
	p.updated = s.now()
	m := s.addModification(p, ModificationCapture, modificationStatusCaptured,
		uuidFor(kindCapture, s.st.next(kindCapture)), p.recon, req, amt, description)
	s.logOp(OpCapture, p, p.id, amt, p.status)
	s.emitPayment(p, webhookOriginAPI, req.ModificationID)
	return apiResult{status: http.StatusOK, body: marshal(p.doc(m, true))}
}

// cancel; s.mu is held and p.cancellable() was checked.
func (s *Server) cancel(p *payment, req *modificationReq, description string) apiResult {
	p.status = StatusCancelled
	p.updated = s.now()
	m := s.addModification(p, ModificationCancellation, modificationStatusCancelled,
		uuidFor(kindCancel, s.st.next(kindCancel)), p.recon, req, p.amount, description)
	s.logOp(OpCancel, p, p.id, p.amount, p.status)
	s.emitPayment(p, webhookOriginAPI, req.ModificationID)
	return apiResult{status: http.StatusOK, body: marshal(p.doc(m, true))}
}

// refund; s.mu is held. amt nil means the whole refundable rest.
func (s *Server) refund(p *payment, req *modificationReq, amt cents, description string) apiResult {
	if !p.refundable() {
		return stateError("refund", p.status)
	}
	remaining := sub(p.captured, p.refunded)
	if amt == nil {
		amt = remaining
	} else if amt.Cmp(remaining) > 0 {
		return s.outOfBounds("modifiedAmount.amount", remaining)
	}
	p.refunded = add(p.refunded, amt)
	refundID := uuidFor(kindRefund, s.st.next(kindRefund))
	m := s.addModification(p, ModificationRefund, s.cfg.refundStatus, refundID,
		pseudoRandom(kindRecon, s.st.next(kindRecon), 21), req, amt, description)
	s.logOp(OpRefund, p, refundID, amt, opResultRefunded)
	s.emitRefund(p, m, webhookOriginAPI)
	return apiResult{status: http.StatusOK, body: marshal(p.doc(m, true))}
}

// ---- Go helpers ------------------------------------------------------------

// ErrUnknownTransaction is returned by the helpers for an unknown transactionId.
var ErrUnknownTransaction = errors.New("smartpaytest: unknown transactionId")

// ErrInvalidState is returned by the helpers when the payment's status does
// not allow the requested change.
var ErrInvalidState = errors.New("smartpaytest: payment status does not allow this change")

// Payment returns a copy of the state of the payment with the given
// transactionId.
func (s *Server) Payment(transactionID string) (PaymentState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.payments[transactionID]
	if p == nil {
		return PaymentState{}, false
	}
	return p.snapshot(), true
}

// PaymentByReference returns the payment with the given partnerReference
// (of any merchant; the first one created if several merchants used it).
func (s *Server) PaymentByReference(partnerReference string) (PaymentState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.st.order {
		if partnerReference != "" && p.partnerReference == partnerReference {
			return p.snapshot(), true
		}
	}
	return PaymentState{}, false
}

// PayInvoice simulates the buyer paying a PREPMNT or PAYINVC invoice with its
// transactionReference: the payment moves to SETTLED with a SETTLEMENT
// modification over the whole amount (captured = amount) and a webhook
// (origin "automated") is sent. The payment must be an invoice in
// AUTHORIZATION_PENDING or AUTHORIZATION_COMPLETED with nothing captured, or
// in CAPTURED (the document's answer to a new invoice) with the whole
// amount captured and nothing refunded.
//
// Assumption: the documents do not show what a paid invoice's status
// answer looks like. SETTLED is the documented status (seed
// 004_63b579a9eeecc4a0.txt l.253) that says the money reached the merchant
// ("the captured amount (which will be settled to your account)", seed
// 003_6c7386b3129bc046.txt l.54).
func (s *Server) PayInvoice(transactionID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.payments[transactionID]
	if p == nil {
		return ErrUnknownTransaction
	}
	if !p.isInvoice() {
		return fmt.Errorf("%w: %s is not an invoice payment (paymentMethod %s)", ErrInvalidState, transactionID, p.method)
	}
	switch {
	case (p.status == StatusAuthorizationPending || p.status == StatusAuthorizationCompleted) && p.captured.Sign() == 0:
	case p.status == StatusCaptured && p.captured.Cmp(p.amount) == 0 && p.refunded.Sign() == 0:
	default:
		return fmt.Errorf("%w: invoice %s is in status %s", ErrInvalidState, transactionID, p.status)
	}
	p.captured = clone(p.amount)
	p.status = StatusSettled
	p.updated = s.now()
	s.addModification(p, ModificationSettlement, modificationStatusSettled,
		uuidFor(kindSettlement, s.st.next(kindSettlement)), p.recon, nil, p.captured, p.description)
	s.logOp(OpPayInvoice, p, p.id, p.amount, p.status)
	s.emitPayment(p, webhookOriginAutomated, "")
	return nil
}

// CheckoutOutcome is the buyer's result in the hosted checkout.
type CheckoutOutcome string

// Checkout outcomes accepted by CompleteCheckout and the checkout page.
const (
	// CheckoutSuccess: AUTHORIZATION_COMPLETED, or CAPTURED with WithAutoCapture.
	CheckoutSuccess CheckoutOutcome = "success"
	// CheckoutFailure: FAILED (declined), acquirerResponse "Declined".
	CheckoutFailure CheckoutOutcome = "fail"
	// CheckoutPending: AUTHORIZATION_PENDING (asynchronous method); a later
	// CompleteCheckout with success or fail resolves it.
	CheckoutPending CheckoutOutcome = "pending"
)

// CompleteCheckout simulates the buyer finishing the checkout created by
// POST /payment/creation, and sends a webhook (origin "widget"). The
// payment must be CREATED, AUTORIZATION_INITIALIZED or AUTHORIZATION_PENDING.
//
// Deprecated: use Complete, which also accepts Router IDs and is the same
// method on every simulator.
func (s *Server) CompleteCheckout(transactionID string, outcome CheckoutOutcome) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.payments[transactionID]
	if p == nil {
		return ErrUnknownTransaction
	}
	return s.completeLocked(p, outcome)
}

func (s *Server) completeLocked(p *payment, outcome CheckoutOutcome) error {
	if p.origin != paymentOriginCheckout {
		return fmt.Errorf("%w: %s was not created by Create Checkout", ErrInvalidState, p.id)
	}
	switch p.status {
	case StatusCreated, StatusAutorizationInitialized, StatusAuthorizationPending:
	default:
		return fmt.Errorf("%w: checkout %s is in status %s", ErrInvalidState, p.id, p.status)
	}
	now := s.now()
	switch outcome {
	case CheckoutSuccess:
		if p.autoCapture {
			p.captured = clone(p.amount)
			p.setStatus(StatusCaptured, now)
		} else {
			p.setStatus(StatusAuthorizationCompleted, now)
		}
	case CheckoutFailure:
		p.acquirerResponse = declinePaymentProviderResponse
		p.setStatus(StatusFailed, now)
		p.history[len(p.history)-1].err = declinePaymentProviderResponse
	case CheckoutPending:
		if p.status == StatusAuthorizationPending {
			return fmt.Errorf("%w: checkout %s is already pending", ErrInvalidState, p.id)
		}
		p.setStatus(StatusAuthorizationPending, now)
	default:
		return fmt.Errorf("smartpaytest: unknown checkout outcome %q", outcome)
	}
	s.logOp(OpComplete, p, p.id, p.amount, p.status)
	s.emitPayment(p, webhookOriginWidget, "")
	return nil
}

// SetStatus forces the payment into any status of the model (AllStatuses),
// e.g. SETTLED, CHARGEBACK or EXPIRED, and sends a webhook (origin
// "automated"). Side effects keep the amounts consistent: CAPTURED and
// SETTLED set captured = amount when nothing was captured; SETTLED adds a
// SETTLEMENT modification and CHARGEBACK a CHARGEBACK modification over the
// captured, unrefunded amount.
func (s *Server) SetStatus(transactionID, status string) error {
	if !validStatus(status) {
		return fmt.Errorf("smartpaytest: unknown payment status %q", status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.st.payments[transactionID]
	if p == nil {
		return ErrUnknownTransaction
	}
	now := s.now()
	if (status == StatusCaptured || status == StatusSettled) && p.captured.Sign() == 0 {
		p.captured = clone(p.amount)
	}
	p.status = status
	p.updated = now
	switch status {
	case StatusSettled:
		id := uuidFor(kindSettlement, s.st.next(kindSettlement))
		s.addModification(p, ModificationSettlement, modificationStatusSettled, id, p.recon, nil, p.captured, p.description)
	case StatusChargeback:
		amt := sub(p.captured, p.refunded)
		if amt.Sign() <= 0 {
			amt = clone(p.amount)
		}
		id := uuidFor(kindChargeback, s.st.next(kindChargeback))
		s.addModification(p, ModificationChargeback, modificationStatusChargeback, id,
			pseudoRandom(kindRecon, s.st.next(kindRecon), 21), nil, amt, p.description)
	default:
		p.history = append(p.history, historyEntry{status: status, amount: clone(p.amount), description: p.description, at: now})
	}
	s.logOp(OpSetStatus, p, p.id, p.amount, p.status)
	s.emitPayment(p, webhookOriginAutomated, "")
	return nil
}

// notLuhn returns ref, with its last digit changed if ref happens to pass
// the Luhn check: an invoice reference must never look like a card number
// to the secret scans that read recorded cassettes.
func notLuhn(ref string) string {
	sum, alt := 0, false
	for i := len(ref) - 1; i >= 0; i-- {
		n := int(ref[i] - '0')
		if alt {
			if n *= 2; n > 9 {
				n -= 9
			}
		}
		sum += n
		alt = !alt
	}
	if sum%10 != 0 {
		return ref
	}
	last := (ref[len(ref)-1]-'0'+1)%10 + '0'
	return ref[:len(ref)-1] + string(rune(last))
}
