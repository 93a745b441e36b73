package smartpaymentstest

func (s *Server) handleTokenizeForm(f *fields) (any, *reqError) {
	account := f.str("account", true)
	orderID := f.str("order_id", true)
	callback := f.url("callback_url")
	success := f.url("success_url")
	fail := f.url("fail_url")
	if f.err != nil {
		return nil, f.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byOrder[orderID] != nil {
		return nil, duplicate()
	}
	t := &txn{
		kind:       TypeTokenization,
		orderID:    orderID,
		pid:        s.newProcessingID(),
		account:    account,
		method:     MethodCard,
		status:     StatusWaitingRedirect,
		stage:      stageCard,
		callback:   callback,
		successURL: success,
		failURL:    fail,
	}
	s.registerLocked(t)
	s.logOp("tokenize", t, orderID, 0)
	return s.redirectLocked(t), nil
}

// withdrawalResponse is the /withdrawal/init answer, the document's keys.
type withdrawalResponse struct {
	OrderID string    `json:"order_id"`
	Status  int       `json:"status"`
	Card    *cardJSON `json:"card"`
	Err     *string   `json:"err"`
	Msg     *string   `json:"msg"`
}

func (s *Server) handleWithdrawal(f *fields) (any, *reqError) {
	account := f.str("account", true)
	amount, _ := f.amount("amount", true, false)
	orderID := f.str("order_id", true)
	f.str("purpose", false)
	f.str("merchant_site", false)
	method := f.oneOf("payment_method", MethodCard, MethodCard, MethodToken)
	var pan, tokenOrder string
	if method == MethodCard {
		pan = f.cardNumber("customer_card_number", true)
	} else {
		tokenOrder = f.str("tokenize_transaction_order_id", true)
	}
	f.str("customer_card_exp_month", false)
	f.str("customer_card_exp_year", false)
	first := f.str("customer_first_name", false)
	last := f.str("customer_last_name", false)
	f.str("customer_middle_name", false)
	f.str("customer_phone", false)
	f.str("customer_birthdate", false)
	f.str("customer_country", false)
	f.strOrNumber("customer_zip_code", false)
	callback := f.url("callback_url")
	if f.err != nil {
		return nil, f.err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byOrder[orderID] != nil {
		return nil, duplicate()
	}
	if method == MethodToken {
		tok := s.byOrder[tokenOrder]
		if tok == nil || tok.kind != TypeTokenization {
			return nil, notFound(tokenOrder)
		}
		if tok.status != StatusSuccess {
			return nil, wrongState("tokenization " + tokenOrder + " has no card yet")
		}
		pan = tok.pan
	}
	t := &txn{
		kind:      TypeWithdrawal,
		orderID:   orderID,
		pid:       s.newProcessingID(),
		account:   account,
		amount:    amount,
		method:    method,
		status:    StatusProcessing,
		pan:       pan,
		firstName: first,
		lastName:  last,
		callback:  callback,
	}
	s.registerLocked(t)
	t.ended = t.created
	var code string
	switch {
	case s.balanceLocked(account) < amount:
		code = CodeOrderBilling
	case pan != CardFrictionless:
		code = DeclineCodeForAmount(amount)
	}
	if code == "" {
		s.balances[account] = s.balanceLocked(account) - amount
		t.status = StatusSuccess
		t.rrn = s.newRRN()
	} else {
		t.status = StatusFail
		t.errCode = code
		t.cascade = cascadeFor(code)
	}
	s.notifyLocked(t)
	s.logOp("withdrawal", t, orderID, amount)

	resp := withdrawalResponse{OrderID: orderID, Status: t.status, Card: t.card()}
	if s.cfg.processing || !s.cfg.immediate {
		// The document's answer: status 1 (seed 000_2d15c756a78f42ef.txt
		// l.553-565); the final result only with WithImmediateResults.
		resp.Status = StatusProcessing
	} else if code != "" {
		resp.Err = ptr(code)
		resp.Msg = ptr(Description(code))
	}
	return resp, nil
}

type balanceResponse struct {
	Balance        int64 `json:"balance"`
	HoldBalance    int64 `json:"holdBalance"`
	RollingBalance int64 `json:"rollingBalance"`
}

func (s *Server) handleBalance(f *fields) (any, *reqError) {
	account := f.str("account", true)
	if f.err != nil {
		return nil, f.err
	}
	return balanceResponse{Balance: s.Balance(account)}, nil
}
