package smartpaymentstest

// paymentRequest is what the three payment-creating endpoints have in common.
type paymentRequest struct {
	account, currency, orderID string
	amount                     int64
	firstName, lastName        string
	callback, success, fail    string
	method                     string
	pan                        string
	wallet                     string
}

type endpoint int

const (
	epInitPayment endpoint = iota
	epHost2Host
	epAuthorize
)

// parsePayment validates a payment-creating request against the document's
// request table of that endpoint.
func parsePayment(f *fields, ep endpoint) paymentRequest {
	var p paymentRequest
	p.account = f.str("account", true)
	p.amount, _ = f.amount("amount", true, false)
	p.currency = f.currency("currency")
	p.orderID = f.str("order_id", true)
	f.str("merchant_site", ep != epInitPayment)
	f.boolean("recurrent")
	f.str("purpose", false)
	p.firstName = f.str("customer_first_name", true)
	p.lastName = f.str("customer_last_name", true)
	f.str("customer_address", true)
	f.str("customer_city", true)
	f.strOrNumber("customer_zip_code", true)
	f.str("customer_country", true)
	f.str("customer_phone", true)
	f.str("customer_email", true)
	f.str("customer_ip_address", ep != epAuthorize)
	p.callback = f.url("callback_url")
	p.success = f.url("success_url")
	p.fail = f.url("fail_url")
	f.url("status_url")
	switch ep {
	case epInitPayment:
		p.method = MethodForm
	case epAuthorize:
		p.method = MethodCard
	default:
		p.method = f.oneOf("payment_method", MethodCard, MethodCard, MethodApplePay, MethodGooglePay)
	}
	switch p.method {
	case MethodCard:
		f.str("card_holder", true)
		p.pan = f.cardNumber("card_number", true)
		f.str("card_exp_month", true)
		f.str("card_exp_year", true)
		f.str("card_cvv", true)
	case MethodApplePay:
		f.str("card_holder", false)
		p.wallet = f.str("apple_pay_dpan", true)
		f.str("apple_pay_payment_method_network", true)
	case MethodGooglePay:
		f.str("card_holder", false)
		p.wallet = f.str("google_pay_dpan", true)
		f.str("google_pay_payment_method_network", true)
	}
	if ep != epInitPayment {
		f.boolean("browser_java_enabled")
		f.boolean("browser_js_enabled")
	}
	return p
}

// createPaymentLocked registers a new payment and runs it as far as it goes
// without the customer.
func (s *Server) createPaymentLocked(p paymentRequest, twoStep bool) (*txn, *reqError) {
	if s.byOrder[p.orderID] != nil {
		return nil, duplicate()
	}
	t := &txn{
		kind:       TypePayment,
		orderID:    p.orderID,
		pid:        s.newProcessingID(),
		account:    p.account,
		currency:   p.currency,
		amount:     p.amount,
		method:     p.method,
		twoStep:    twoStep,
		status:     StatusWaitingRedirect,
		pan:        p.pan,
		wallet:     p.wallet,
		panOnly:    p.method == MethodGooglePay && googlePanOnly(p.wallet),
		firstName:  p.firstName,
		lastName:   p.lastName,
		callback:   p.callback,
		successURL: p.success,
		failURL:    p.fail,
	}
	s.registerLocked(t)
	switch {
	case p.method == MethodForm:
		t.stage = stageCard
	case s.wantsChallengeLocked(t):
		t.stage = stageChallenge
		if twoStep {
			t.authStatus = AuthorizePending
		}
	default:
		s.finishLocked(t, approvalCode(t))
	}
	return t, nil
}

// initPaymentResponse is the /initPayment answer, exactly the document's keys.
type initPaymentResponse struct {
	ACSUrl       *string `json:"ACSUrl"`
	MD           *string `json:"MD"`
	TermURL      *string `json:"TermUrl"`
	Description  string  `json:"description"`
	Status       int     `json:"status"`
	FormURL      string  `json:"form_url"`
	OrderID      string  `json:"order_id"`
	ResponseType string  `json:"responseType"`
}

func (s *Server) handleInitPayment(f *fields) (any, *reqError) {
	p := parsePayment(f, epInitPayment)
	if f.err != nil {
		return nil, f.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, rerr := s.createPaymentLocked(p, false)
	if rerr != nil {
		return nil, rerr
	}
	s.logOp("form", t, t.orderID, t.amount)
	return initPaymentResponse{
		Status:       StatusProcessing,
		FormURL:      s.formURL(t.pid),
		OrderID:      t.orderID,
		ResponseType: "REDIRECT",
	}, nil
}

// formResponse is the /withdrawal/tokenize-form answer; directResponse (the
// /initPaymentHost2Host and /authorize answer) extends it. Keys and order
// are the document's.
type formResponse struct {
	FormURL           *string `json:"form_url"`
	ThreeDSMethodData *string `json:"threeDSMethodData"`
	OrderID           string  `json:"order_id"`
	Status            int     `json:"status"`
	Stage             *string `json:"stage"`
	Description       string  `json:"description"`
	EndDate           *string `json:"endDate"`
	ResponseType      *string `json:"responseType"`
	Err               *string `json:"err"`
	Msg               *string `json:"msg"`
}

type directResponse struct {
	formResponse
	PaReq   *string `json:"paReq"`
	Creq    *string `json:"creq"`
	MD      *string `json:"md"`
	TermURL *string `json:"termUrl"`
	ACSURL  *string `json:"acsurl"`
}

// redirectLocked is the "go to form_url" answer: status 1, REDIRECT.
func (s *Server) redirectLocked(t *txn) formResponse {
	return formResponse{
		FormURL:      ptr(s.formURL(t.pid)),
		OrderID:      t.pid,
		Status:       StatusProcessing,
		ResponseType: ptr("REDIRECT"),
	}
}

func (s *Server) directLocked(t *txn) directResponse {
	if t.stage != stageNone || s.cfg.processing || !s.cfg.immediate {
		// The document's answer, for the frictionless card too (seed
		// 000_2d15c756a78f42ef.txt l.164-180, l.685-701).
		return directResponse{formResponse: s.redirectLocked(t)}
	}
	r := formResponse{OrderID: t.pid, Status: t.status, EndDate: ptr(fmtTime(t.ended))}
	if t.status == StatusFail {
		r.Err = ptr(t.errCode)
		r.Msg = ptr(Description(t.errCode))
	}
	return directResponse{formResponse: r}
}

func (s *Server) handleHost2Host(f *fields) (any, *reqError) {
	return s.direct(f, epHost2Host)
}

func (s *Server) handleAuthorize(f *fields) (any, *reqError) {
	return s.direct(f, epAuthorize)
}

func (s *Server) direct(f *fields, ep endpoint) (any, *reqError) {
	p := parsePayment(f, ep)
	if f.err != nil {
		return nil, f.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, rerr := s.createPaymentLocked(p, ep == epAuthorize)
	if rerr != nil {
		return nil, rerr
	}
	kind := "sale"
	if ep == epAuthorize {
		kind = "authorize"
	}
	s.logOp(kind, t, t.orderID, t.amount)
	return s.directLocked(t), nil
}

// paymentLocked finds a payment by merchant order_id.
func (s *Server) paymentLocked(orderID string) (*txn, *reqError) {
	t := s.byOrder[orderID]
	if t == nil || t.kind != TypePayment {
		return nil, notFound(orderID)
	}
	return t, nil
}

type statusResponse struct {
	OrderID string `json:"order_id"`
	Status  int    `json:"status"`
}

func (s *Server) handleCapture(f *fields) (any, *reqError) {
	orderID := f.str("order_id", true)
	amount, partial := f.amount("amount", false, true)
	if f.err != nil {
		return nil, f.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, rerr := s.paymentLocked(orderID)
	if rerr != nil {
		return nil, rerr
	}
	if !t.twoStep || t.authStatus != AuthorizeApproved {
		return nil, wrongState("order " + orderID + " is not an authorized two-step payment")
	}
	if !partial {
		amount = t.amount
	}
	if amount > t.amount {
		return nil, badRequest(ErrCodeInvalidAmount, "capture amount exceeds the authorized amount")
	}
	t.captured = amount
	t.authStatus = AuthorizeCaptured
	t.ended = s.now()
	s.notifyLocked(t)
	s.logOp("capture", t, t.orderID, amount)
	return s.statusLocked(t), nil
}

func (s *Server) handleCancel(f *fields) (any, *reqError) {
	orderID := f.str("order_id", true)
	if f.err != nil {
		return nil, f.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, rerr := s.paymentLocked(orderID)
	if rerr != nil {
		return nil, rerr
	}
	if !t.twoStep || t.authStatus != AuthorizeApproved {
		return nil, wrongState("order " + orderID + " is not an authorized two-step payment")
	}
	t.status = StatusFail
	t.authStatus = AuthorizeCancelled
	t.ended = s.now()
	s.notifyLocked(t)
	s.logOp("cancel", t, t.orderID, t.amount)
	return s.statusLocked(t), nil
}

func (s *Server) statusLocked(t *txn) statusResponse {
	st := t.status
	if s.cfg.processing {
		st = StatusProcessing
	}
	return statusResponse{OrderID: t.pid, Status: st}
}

func (s *Server) handleCheck(f *fields) (any, *reqError) {
	orderID := f.str("order_id", true)
	if f.err != nil {
		return nil, f.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.byOrder[orderID]
	if t == nil {
		return nil, notFound(orderID)
	}
	return s.checkLocked(t), nil
}

type refundResponse struct {
	Success           bool   `json:"success"`
	Message           string `json:"message"`
	RefundID          string `json:"refund_id"`
	ParentTransaction string `json:"parentTransaction"`
}

func (s *Server) handleRefund(f *fields) (any, *reqError) {
	orderID := f.str("order_id", true)
	amount, _ := f.amount("amount", true, false)
	f.str("reason", true)
	callback := f.url("callback_url")
	if f.err != nil {
		return nil, f.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, rerr := s.paymentLocked(orderID)
	if rerr != nil {
		return nil, rerr
	}
	if p.status != StatusSuccess || (p.twoStep && p.authStatus != AuthorizeCaptured) {
		return nil, wrongState("order " + orderID + " has no captured amount to refund")
	}
	if amount > p.captured-p.refunded {
		return nil, badRequest(ErrCodeInvalidAmount, "refund amount exceeds the captured amount not yet refunded")
	}
	id := s.newUUID()
	r := &txn{
		kind:      TypeRefund,
		orderID:   id,
		pid:       id,
		account:   p.account,
		currency:  p.currency,
		amount:    amount,
		method:    p.method,
		status:    StatusSuccess,
		pan:       p.pan,
		firstName: p.firstName,
		lastName:  p.lastName,
		callback:  callback,
		parent:    p,
	}
	s.registerLocked(r)
	r.ended = r.created
	p.refunded += amount
	p.refunds = append(p.refunds, id)
	s.notifyLocked(r)
	s.logOp("refund", r, p.orderID, amount)
	// The document's answer (seed 000_2d15c756a78f42ef.txt l.438-443) is
	// "success": false with the refund_id; true only with
	// WithImmediateResults.
	return refundResponse{
		Success:           s.cfg.immediate && !s.cfg.processing,
		RefundID:          id,
		ParentTransaction: p.pid,
	}, nil
}

type recurrentResponse struct {
	Success   bool    `json:"success"`
	Message   string  `json:"message"`
	PaymentID string  `json:"payment_id"`
	Err       *string `json:"err"`
}

func (s *Server) handleRecurrent(f *fields) (any, *reqError) {
	orderID := f.str("order_id", true)
	parentID := f.str("parent_order_id", true)
	amount, _ := f.amount("amount", true, false)
	f.str("purpose", true)
	callback := f.url("callback_url")
	if f.str("recur_period", false) != "" {
		f.oneOf("recur_period", "", "01", "03", "06", "09", "11")
	}
	if f.err != nil {
		return nil, f.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byOrder[orderID] != nil {
		return nil, duplicate()
	}
	parent, rerr := s.paymentLocked(parentID)
	if rerr != nil {
		return nil, rerr
	}
	if parent.status != StatusSuccess {
		return nil, wrongState("parent order " + parentID + " is not a successful payment")
	}
	t := &txn{
		kind:      TypePayment,
		orderID:   orderID,
		pid:       s.newUUID(),
		account:   parent.account,
		currency:  parent.currency,
		amount:    amount,
		method:    MethodRecurrent,
		status:    StatusProcessing,
		pan:       parent.pan,
		wallet:    parent.wallet,
		firstName: parent.firstName,
		lastName:  parent.lastName,
		callback:  callback,
		parent:    parent,
	}
	s.registerLocked(t)
	s.finishLocked(t, approvalCode(t))
	s.logOp("recurrent", t, t.orderID, amount)
	resp := recurrentResponse{Success: t.status == StatusSuccess && !s.cfg.processing, PaymentID: t.pid}
	if t.status == StatusFail && !s.cfg.processing {
		resp.Message = Description(t.errCode)
		resp.Err = ptr(t.errCode)
	}
	return resp, nil
}
