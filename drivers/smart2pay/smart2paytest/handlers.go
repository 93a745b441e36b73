package smart2paytest

import (
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// unauthorizedBody is the answer to a request without valid Basic credentials: the message
// of the ASP.NET Web API authorization filter GlobalPay's .NET stack answers with.
const unauthorizedBody = `{"Message":"Authorization has been denied for this request."}`

func (s *Server) routes(a api) http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, fn func(api, http.ResponseWriter, *http.Request)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			s.cfg.logger.Debug("smart2paytest: request", "api", a.String(), "method", r.Method, "path", r.URL.RequestURI())
			if !s.authorized(a, r) {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.Header().Set("WWW-Authenticate", authRealm)
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = io.WriteString(w, unauthorizedBody)
				return
			}
			fn(a, w, r)
		})
	}
	h("POST /v1/payments", s.handleCreate)
	h("GET /v1/payments", s.handleList)
	h("GET /v1/payments/{id}", s.handleGet)
	h("POST /v1/payments/{id}/capture", s.handleCapture)
	h("POST /v1/payments/{id}/cancel", s.handleCancel)
	h("POST /v1/payments/{id}/refunds", s.handleRefundCreate)
	h("GET /v1/payments/{id}/refunds", s.handleRefundList)
	h("GET /v1/payments/{id}/refunds/{refundId}", s.handleRefundGet)
	if a == apiCard {
		h("GET /v1/payments/{id}/status", s.handleCardStatus)
		h("GET /v1/payments/{id}/refunds/{refundId}/status", s.handleRefundStatus)
	} else {
		mux.HandleFunc("/Home", s.handleHome)
	}
	return mux
}

func (s *Server) authorized(a api, r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	site, key := s.cfg.siteID, s.cfg.apiKey
	if a == apiCard {
		site, key = s.cfg.cardSiteID, s.cfg.cardAPIKey
	}
	u := subtle.ConstantTimeCompare([]byte(user), []byte(strconv.FormatInt(site, 10)))
	p := subtle.ConstantTimeCompare([]byte(pass), []byte(key))
	return u&p == 1
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
}

// ---- POST /v1/payments ----

func (s *Server) handleCreate(a api, w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r)
	var pf fields
	var topErr *fieldError
	switch top, ok := decodeFields(body); {
	case err != nil || !ok || top == nil:
		topErr = &fieldError{CodeValidationFailed, "The request body is not a JSON object"}
	default:
		raw, present := top["Payment"]
		if !present || isNull(raw) {
			topErr = &fieldError{CodeMissingParameter, "Payment is missing"}
		} else if pf, ok = decodeFields(raw); !ok {
			topErr = &fieldError{CodeValidationFailed, "Payment is invalid"}
		}
	}

	s.mu.Lock()
	now := s.now()
	s.expireLocked(now)
	var p *payment
	ferr := topErr
	if topErr != nil {
		p = &payment{api: a}
	} else {
		p, ferr = parsePayment(a, pf, now)
	}
	s.assignIDsLocked(p)
	if ferr == nil && s.st.byMTID[a][p.mtid] != nil {
		if a == apiCard {
			ferr = &fieldError{CodeDuplicate, "Key is duplicated"}
		} else {
			ferr = &fieldError{CodeDuplicate, "MerchantTransactionID is duplicated - " + p.mtid}
		}
	}
	if ferr != nil {
		invalid := ""
		if a == apiCard {
			invalid = fmt.Sprintf("i%d", s.st.nextInval)
			s.st.nextInval++
		}
		out := object{{"Payment", s.renderRequestError(p, []reason{{ferr.code, ferr.info}}, invalid)}}
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, out)
		return
	}

	p.id = s.st.nextID[a]
	s.st.nextID[a]++
	p.created = now
	if a == apiAPM {
		p.status = StatusOpen
		p.token = paymentToken(a, p.id)
		p.redirectURL = fmt.Sprintf("%s/Home?PaymentToken=%s.%d", s.apm.URL, p.token, p.id)
		if p.methodID != nil && *p.methodID == wechatMethodID {
			p.qrCodeURL = qrCode(p.id)
		}
		s.st.byToken[p.token] = p
	} else {
		switch p.amount {
		case 10001:
			p.status = StatusFailed
			p.reasons = []reason{{CodeUnableToAuthorize, "Unable to authorize"}}
		case 10002:
			p.status = StatusQueuedForCapturing
		case 10003:
			p.status = StatusCaptureRequested
		default:
			if *p.capture {
				p.status = StatusCaptured
				p.capturedAmount = p.amount
			} else {
				p.status = StatusAuthorized
			}
		}
	}
	s.st.payments[p.id] = p
	s.st.order[a] = append(s.st.order[a], p)
	s.st.byMTID[a][p.mtid] = p
	kind := "payment"
	if a == apiCard {
		kind = "sale"
		if !*p.capture {
			kind = "authorize"
		}
		s.notifyPaymentLocked(p)
	}
	s.logOpLocked(kind, p, p.idString(), amountString(p.amount), statusInfo[p.status], now)
	out := object{{"Payment", s.renderPayment(p, viewCreate)}}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

// assignIDsLocked gives the customer and the addresses their IDs: a customer is known by
// e-mail (the same e-mail gets the same Customer.ID, as in the document's duplicate example),
// an address by its content (identical billing and shipping addresses share an ID, as in the
// document's capture example).
func (s *Server) assignIDsLocked(p *payment) {
	if c := p.customer; c != nil {
		if c.Email != nil {
			if id, ok := s.st.customers[p.api][*c.Email]; ok {
				c.id = id
			} else {
				c.id = s.st.nextCust
				s.st.nextCust++
				s.st.customers[p.api][*c.Email] = c.id
			}
		} else {
			c.id = s.st.nextCust
			s.st.nextCust++
		}
	}
	for _, ad := range []*address{p.billing, p.shipping} {
		if ad == nil {
			continue
		}
		k := ad.key()
		if id, ok := s.st.addresses[k]; ok {
			ad.id = id
		} else {
			ad.id = s.st.nextAddr
			s.st.nextAddr++
			s.st.addresses[k] = ad.id
		}
	}
}

// ---- payment lookups ----

func paymentInvalid(id string) []reason {
	return []reason{{CodePaymentInvalid, "Payment is invalid - " + id}}
}

// findLocked returns the payment with the path's {id} if it lives on host a.
func (s *Server) findLocked(a api, id string) *payment {
	p := s.lookupLocked(id)
	if p == nil || p.api != a {
		return nil
	}
	return p
}

func (s *Server) handleGet(a api, w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	s.expireLocked(s.now())
	p := s.findLocked(a, id)
	if p == nil {
		out := object{{"Payment", s.renderActionError(a, nil, id, paymentInvalid(id))}}
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, out)
		return
	}
	out := object{{"Payment", s.renderPayment(p, viewRead)}}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleCardStatus(a api, w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	s.expireLocked(s.now())
	p := s.findLocked(a, id)
	if p == nil {
		out := object{{"Payment", s.renderActionError(a, nil, id, paymentInvalid(id))}}
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, out)
		return
	}
	out := object{{"Payment", renderCardStatus(p)}}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// ---- capture / cancel ----

func (s *Server) handleCapture(a api, w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	q := r.URL.Query()
	s.mu.Lock()
	now := s.now()
	s.expireLocked(now)
	fail := func(p *payment, rs []reason) {
		out := object{{"Payment", s.renderActionError(a, p, id, rs)}}
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, out)
	}
	p := s.findLocked(a, id)
	if p == nil {
		fail(nil, paymentInvalid(id))
		return
	}
	if p.status != StatusAuthorized {
		fail(p, paymentInvalid(id))
		return
	}
	amount := p.amount
	if q.Has("amount") {
		raw := q.Get("amount")
		n, err := strconv.ParseInt(raw, 10, 64)
		// 118 "amount invalid" on both hosts: the documented return code; the card API's own
		// list (PROVIDERS.md) has no capture amount code.
		if err != nil || n <= 0 || !allDigits(raw) {
			fail(p, []reason{{CodeAmountInvalid, "Amount is invalid - " + raw}})
			return
		}
		if n > p.amount {
			fail(p, []reason{{CodeAmountInvalid, fmt.Sprintf("Amount to capture exceeds the authorized amount - %d", n)}})
			return
		}
		amount = n
	}
	p.capturedAmount = amount
	switch {
	case amount < p.amount:
		p.status = StatusPartiallyCaptured
		p.partiallyCaptured = true
	case a == apiCard:
		p.status = StatusCaptured
	default:
		p.status = StatusSuccess
	}
	p.reasons = nil
	s.logOpLocked("capture", p, p.idString(), amountString(amount), statusInfo[p.status], now)
	s.notifyPaymentLocked(p)
	out := object{{"Payment", s.renderPayment(p, viewAction)}}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleCancel(a api, w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	now := s.now()
	s.expireLocked(now)
	p := s.findLocked(a, id)
	allowed := p != nil && (p.status == StatusAuthorized || (a == apiAPM && p.status == StatusOpen && !p.accessed))
	if !allowed {
		out := object{{"Payment", s.renderActionError(a, p, id, paymentInvalid(id))}}
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, out)
		return
	}
	p.status, p.reasons = StatusCancelled, nil
	s.logOpLocked("cancel", p, p.idString(), "", statusInfo[p.status], now)
	s.notifyPaymentLocked(p)
	out := object{{"Payment", s.renderPayment(p, viewAction)}}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// ---- GET /v1/payments ----

type listFilter struct {
	limit, offset            int64
	hasLimit                 bool
	start, end               *time.Time
	methodID, statusID, typ  *int64
	minAmount, maxAmount     *int64
	country, currency        string
	merchantTx, methodTx     string
	hasMerchantTx, hasMethTx bool
}

func parseListFilter(q map[string][]string) (listFilter, *fieldError) {
	var f listFilter
	get := func(k string) (string, bool) {
		v, ok := q[k]
		if !ok || len(v) == 0 {
			return "", false
		}
		return v[0], true
	}
	intParam := func(k string, min int64) (*int64, *fieldError) {
		v, ok := get(k)
		if !ok {
			return nil, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < min {
			return nil, &fieldError{CodeValidationFailed, k + " is invalid - " + v}
		}
		return &n, nil
	}
	dateParam := func(k string) (*time.Time, *fieldError) {
		v, ok := get(k)
		if !ok {
			return nil, nil
		}
		t, err := time.ParseInLocation(timeLayout, v, time.UTC)
		if err != nil || len(v) != len(timeLayout) {
			return nil, &fieldError{CodeValidationFailed, k + " is invalid - " + v}
		}
		return &t, nil
	}
	var err *fieldError
	var n *int64
	if n, err = intParam("limit", 1); err != nil {
		return f, err
	} else if n != nil {
		f.limit, f.hasLimit = *n, true
	}
	if n, err = intParam("offset", 0); err != nil {
		return f, err
	} else if n != nil {
		f.offset = *n
	}
	if f.start, err = dateParam("startDate"); err != nil {
		return f, err
	}
	if f.end, err = dateParam("endDate"); err != nil {
		return f, err
	}
	if f.methodID, err = intParam("methodID", 1); err != nil {
		return f, err
	}
	if f.statusID, err = intParam("statusID", 1); err != nil {
		return f, err
	}
	if f.typ, err = intParam("typeID", 1); err != nil {
		return f, err
	}
	if f.typ != nil && *f.typ > 2 {
		return f, &fieldError{CodeValidationFailed, fmt.Sprintf("typeID is invalid - %d", *f.typ)}
	}
	if f.minAmount, err = intParam("minimumAmount", 0); err != nil {
		return f, err
	}
	if f.maxAmount, err = intParam("maximumAmount", 0); err != nil {
		return f, err
	}
	if v, ok := get("country"); ok {
		if !countryRe.MatchString(strings.ToUpper(v)) {
			return f, &fieldError{CodeValidationFailed, "country is invalid - " + v}
		}
		f.country = strings.ToUpper(v)
	}
	if v, ok := get("currency"); ok {
		if !currencyRe.MatchString(strings.ToUpper(v)) {
			return f, &fieldError{CodeValidationFailed, "currency is invalid - " + v}
		}
		f.currency = strings.ToUpper(v)
	}
	if v, ok := get("merchantTransactionID"); ok {
		if !merchantTxRe.MatchString(v) {
			return f, &fieldError{CodeValidationFailed, "merchantTransactionID is invalid - " + v}
		}
		f.merchantTx, f.hasMerchantTx = v, true
	}
	if v, ok := get("methodTransactionID"); ok {
		if !merchantTxRe.MatchString(v) {
			return f, &fieldError{CodeValidationFailed, "methodTransactionID is invalid - " + v}
		}
		f.methodTx, f.hasMethTx = v, true
	}
	return f, nil
}

func (f *listFilter) match(p *payment) bool {
	switch {
	case f.start != nil && p.created.Before(*f.start):
		return false
	case f.end != nil && p.created.After(*f.end):
		return false
	case f.methodID != nil && (p.api == apiAPM && (p.methodID == nil || *p.methodID != *f.methodID) ||
		p.api == apiCard && *f.methodID != cardMethodID):
		return false
	case f.statusID != nil && int64(p.status) != *f.statusID:
		return false
	case f.typ != nil && *f.typ != 1: // every simulated payment is a one-off payment (typeID 1)
		return false
	case f.minAmount != nil && p.amount < *f.minAmount:
		return false
	case f.maxAmount != nil && p.amount > *f.maxAmount:
		return false
	case f.country != "" && (p.billing == nil || p.billing.Country == nil || !strings.EqualFold(*p.billing.Country, f.country)):
		return false
	case f.currency != "" && p.currency != f.currency:
		return false
	case f.hasMerchantTx && p.mtid != f.merchantTx:
		return false
	case f.hasMethTx: // MethodTransactionID is always null in the simulator
		return false
	}
	return true
}

func (s *Server) handleList(a api, w http.ResponseWriter, r *http.Request) {
	f, ferr := parseListFilter(r.URL.Query())
	s.mu.Lock()
	s.expireLocked(s.now())
	if ferr != nil {
		out := object{{"Payment", s.renderActionError(a, nil, "", []reason{{ferr.code, ferr.info}})}}
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, out)
		return
	}
	all := s.st.order[a]
	matched := make([]*payment, 0)
	for i := len(all) - 1; i >= 0; i-- { // newest first, as in the document
		if f.match(all[i]) {
			matched = append(matched, all[i])
		}
	}
	// offset N starts the list at the N-th entry (1-based, as the document's example says:
	// "limit 2 and offset 3 … two payments entries starting with the third one").
	skip := f.offset - 1
	if skip < 0 {
		skip = 0
	}
	if skip > int64(len(matched)) {
		skip = int64(len(matched))
	}
	matched = matched[skip:]
	if f.hasLimit && f.limit < int64(len(matched)) {
		matched = matched[:f.limit]
	}
	items := make([]object, 0, len(matched))
	for _, p := range matched {
		items = append(items, s.renderPayment(p, viewList))
	}
	out := object{{"Payments", items}}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// ---- refunds ----

// refundable reports whether money was taken for a payment in this status.
func refundable(status int) bool {
	switch status {
	case StatusSuccess, StatusCaptured, StatusCompleted, StatusPaid, StatusPartiallyCaptured,
		StatusPartiallyRefunded, StatusRefunded:
		return true
	}
	return false
}

func (s *Server) handleRefundCreate(a api, w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, err := readBody(w, r)

	var rf fields
	var ferr *fieldError
	switch top, ok := decodeFields(body); {
	case err != nil || !ok || top == nil:
		ferr = &fieldError{CodeValidationFailed, "The request body is not a JSON object"}
	default:
		raw, present := top["Refund"]
		if !present || isNull(raw) {
			ferr = &fieldError{CodeMissingParameter, "Refund is missing"}
		} else if rf, ok = decodeFields(raw); !ok {
			ferr = &fieldError{CodeValidationFailed, "Refund is invalid"}
		}
	}
	amountCode := CodeAmountInvalid
	if a == apiCard {
		amountCode = CodeValidationFailed
	}
	ps := &parser{}
	var mtid, desc *string
	var amount int64
	var echoAmount any
	if ferr == nil {
		if raw, ok := rf["MerchantTransactionID"]; !ok || isNull(raw) {
			ps.fail(CodeMissingParameter, "MerchantTransactionID is missing")
		} else if mtid = ps.str(rf, "MerchantTransactionID"); mtid != nil && !merchantTxRe.MatchString(*mtid) {
			ps.fail(CodeValidationFailed, "MerchantTransactionID is invalid - "+*mtid)
		}
		if raw, ok := rf["Amount"]; !ok || isNull(raw) {
			ps.fail(CodeMissingParameter, "Amount is missing")
		} else if n, ok := parseJSONInt(raw); !ok {
			ps.fail(amountCode, "Amount is invalid - "+strings.TrimSpace(string(raw)))
		} else {
			amount, echoAmount = n, n
			if n <= 0 {
				ps.fail(amountCode, fmt.Sprintf("Amount is invalid - %d", n))
			}
		}
		desc = ps.str(rf, "Description")
		ferr = ps.err
	}

	s.mu.Lock()
	now := s.now()
	s.expireLocked(now)
	p := s.findLocked(a, id)
	var pid, currency any
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		pid = n
	}
	if p != nil {
		currency = p.currency
	}
	fail := func(code int, info string) {
		out := object{{"Refund", renderRefundError(a, pid, mtid, echoAmount, currency, desc, []reason{{code, info}})}}
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, out)
	}
	switch {
	case p == nil:
		fail(CodePaymentInvalid, "Payment is invalid - "+id)
		return
	case ferr != nil:
		fail(ferr.code, ferr.info)
		return
	}
	succeeded, reserved := p.refundedAmount()
	if !refundable(p.status) {
		if a == apiCard {
			fail(CodePaymentInvalid, fmt.Sprintf("Payment is invalid - %s (status %s does not allow a refund)", id, statusInfo[p.status]))
		} else {
			fail(CodeRefundInvalid, fmt.Sprintf("Refund is invalid - payment status %s", statusInfo[p.status]))
		}
		return
	}
	if a == apiCard && reserved > succeeded {
		fail(CodeAnotherRefundPending, "Another refund is in process")
		return
	}
	if left := p.capturedAmount - reserved; amount > left {
		if a == apiCard {
			fail(CodeRefundExceedsPayment, fmt.Sprintf("Refund amount exceeds initial payment amount - %d > %d", amount, left))
		} else {
			fail(CodeRefundInvalid, fmt.Sprintf("Refund is invalid - amount %d exceeds %d", amount, left))
		}
		return
	}
	rf2 := &refund{
		id:          s.st.nextRef,
		payment:     p,
		created:     now,
		mtid:        *mtid,
		amount:      amount,
		description: desc,
		status:      StatusSuccess,
	}
	if s.cfg.pendingRefunds {
		rf2.status = StatusOpen
	}
	s.st.nextRef++
	s.st.refunds[rf2.id] = rf2
	p.refunds = append(p.refunds, rf2)
	s.logOpLocked("refund", p, strconv.FormatInt(rf2.id, 10), amountString(amount), statusInfo[rf2.status], now)
	s.notifyRefundLocked(rf2)
	if rf2.status == StatusSuccess {
		s.applyRefundLocked(p)
	}
	out := object{{"Refund", renderRefund(rf2)}}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) refundLookupLocked(a api, w http.ResponseWriter, r *http.Request) (*refund, bool) {
	s.expireLocked(s.now())
	id, rid := r.PathValue("id"), r.PathValue("refundId")
	var pid any
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		pid = n
	}
	p := s.findLocked(a, id)
	if p == nil {
		out := object{{"Refund", renderRefundError(a, pid, nil, nil, nil, nil, paymentInvalid(id))}}
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, out)
		return nil, false
	}
	n, err := strconv.ParseInt(rid, 10, 64)
	rf := s.st.refunds[n]
	if err != nil || rf == nil || rf.payment != p {
		code := CodeRefundInvalid
		if a == apiCard {
			code = CodeValidationFailed
		}
		out := object{{"Refund", renderRefundError(a, pid, nil, nil, p.currency, nil, []reason{{code, "Refund is invalid - " + rid}})}}
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, out)
		return nil, false
	}
	return rf, true
}

func (s *Server) handleRefundGet(a api, w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rf, ok := s.refundLookupLocked(a, w, r)
	if !ok {
		return
	}
	out := object{{"Refund", renderRefund(rf)}}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleRefundStatus(a api, w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rf, ok := s.refundLookupLocked(a, w, r)
	if !ok {
		return
	}
	out := object{{"Refund", renderRefundStatus(rf)}}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleRefundList(a api, w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	s.expireLocked(s.now())
	p := s.findLocked(a, id)
	if p == nil {
		var pid any
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			pid = n
		}
		out := object{{"Refund", renderRefundError(a, pid, nil, nil, nil, nil, paymentInvalid(id))}}
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, out)
		return
	}
	items := make([]object, 0, len(p.refunds))
	for _, rf := range p.refunds {
		items = append(items, renderRefund(rf))
	}
	out := object{{"Refunds", items}}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}
