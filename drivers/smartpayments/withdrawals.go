package smartpayments

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
	"github.com/gopayments/payments/internal/redact"
)

// TokenizeRequest opens a withdrawal tokenization form, on which the
// customer enters the card later withdrawals are paid to
// (POST /withdrawal/tokenize-form).
type TokenizeRequest struct {
	// Account is the payout account; default Config.PayoutAccount.
	Account string
	// Reference is the form's merchant order id. Withdrawals to the card
	// name it as WithdrawalRequest.TokenReference. Required, unique.
	Reference string
	// NotificationURL overrides Config.NotificationURL.
	NotificationURL string
	// SuccessURL and FailURL are where the customer is sent afterwards.
	SuccessURL string
	FailURL    string
}

// TokenizeForm is an opened tokenization form.
type TokenizeForm struct {
	// Reference is the merchant order id of the form.
	Reference string
	// ProcessingID is the provider's id of the form ("order_id" of the
	// answer).
	ProcessingID string
	// URL is the form to send the customer to ("form_url").
	URL string
	// Status is the provider's status (1 Processing).
	Status int64
	// Raw is the provider's answer, scrubbed.
	Raw []byte
}

// TokenizeForm opens a withdrawal tokenization form.
func (g *Gateway) TokenizeForm(ctx context.Context, req *TokenizeRequest) (*TokenizeForm, error) {
	if req == nil {
		return nil, nilRequest()
	}
	var p problems
	p.require("reference", req.Reference)
	for _, u := range []struct{ f, v string }{{"notification_url", req.NotificationURL}, {"success_url", req.SuccessURL}, {"fail_url", req.FailURL}} {
		if u.v != "" && !httpURL(u.v) {
			p.add(u.f, "not an absolute http(s) URL")
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	body := tokenizeRequest{
		Account:     firstNonEmpty(req.Account, g.cfg.PayoutAccount),
		OrderID:     req.Reference,
		CallbackURL: firstNonEmpty(req.NotificationURL, g.cfg.NotificationURL),
		SuccessURL:  req.SuccessURL,
		FailURL:     req.FailURL,
	}
	const op = "tokenize-form"
	resp, err := g.api.Do(ctx, httpx.Call{Op: op, Method: http.MethodPost, URL: g.urls.tokenizeForm, Body: body, Safety: httpx.MoneyMoving})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, httpError(op, httpx.MoneyMoving, resp)
	}
	var w paymentResponse
	if err := httpx.DecodeJSON(Name, httpx.MoneyMoving, op, resp, &w); err != nil {
		return nil, err
	}
	if code := w.Err; code != "" || w.Status.V == statusFail {
		if isDuplicate(code) {
			return nil, duplicateError(op, code)
		}
		return nil, refusal(op, firstNonEmpty(code, "PROCESSING_ERROR"), resp.Clean(w.Msg), resp.StatusCode)
	}
	form := &TokenizeForm{Reference: req.Reference, ProcessingID: w.OrderID, URL: w.FormURL, Status: w.Status.V, Raw: resp.CleanDecoded(resp.Body)}
	if !w.Status.Valid || !httpURL(form.URL) {
		return nil, &payments.Error{Code: payments.OutcomeUnknown, Provider: Name, HTTPStatus: resp.StatusCode,
			Message: "tokenize-form: the answer has no status or form_url; the form may have been created"}
	}
	return form, nil
}

// WithdrawalMethod is the "payment_method" of a withdrawal.
type WithdrawalMethod string

// The documented withdrawal methods. The document describes withdrawals
// "to card, phone number or account" and the account_withdrawal_* fields,
// but names only these two payment_method values; for other destinations
// use the value your account manager gives.
const (
	// WithdrawalCard pays out to CardNumber ("customer_card_number").
	WithdrawalCard WithdrawalMethod = "card"
	// WithdrawalToken pays out to the card entered on a tokenization form
	// (TokenReference, "tokenize_transaction_order_id").
	WithdrawalToken WithdrawalMethod = "token"
)

// WithdrawalRequest pays money out (POST /withdrawal/init).
type WithdrawalRequest struct {
	// Account is the payout account; default Config.PayoutAccount.
	Account string
	// Reference is the withdrawal's merchant order id. Required, unique.
	Reference string
	// Amount to pay out, in the account's currency. Required, positive.
	Amount payments.Money
	// Method is "payment_method": WithdrawalCard (default when CardNumber
	// is set), WithdrawalToken (default when TokenReference is set), or
	// another value the provider assigned.
	Method WithdrawalMethod
	// CardNumber is the destination card (method card). It never prints.
	CardNumber payments.CardNumber
	// CardExpMonth and CardExpYear are the destination card's expiry,
	// optional.
	CardExpMonth, CardExpYear string
	// TokenReference is the Reference of a completed tokenization form
	// (method token).
	TokenReference string
	// Description is "purpose".
	Description string
	// MerchantSite overrides Config.MerchantSite.
	MerchantSite string
	// Customer is the recipient.
	Customer WithdrawalCustomer
	// NotificationURL overrides Config.NotificationURL.
	NotificationURL string
	// ProviderID is "provider_id", the withdrawal provider.
	ProviderID string
	// BankAccount is the destination of an account withdrawal.
	BankAccount *BankAccount
	// A2A is the sender of an account-to-account withdrawal.
	A2A *A2ASender
}

// WithdrawalCustomer is the recipient of a withdrawal; every field is
// optional.
type WithdrawalCustomer struct {
	FirstName, MiddleName, LastName string
	// Phone in international format.
	Phone string
	// BirthDate as YYYY-MM-DD; sent as DD.MM.YYYY, as the document's
	// example ("06.06.1997").
	BirthDate string
	// Country is the "customer_country" code (ISO 3166-1 alpha-2, as in the
	// payment examples).
	Country string
	ZipCode string
	// IP is "customer_ip_address" (some withdrawal providers need it).
	IP string
}

// BankAccount is the destination of an account withdrawal: the
// account_withdrawal_* fields, by the document's descriptions.
type BankAccount struct {
	Name          string // account_withdrawal: withdrawal account name
	Holder        string // account_withdrawal_holder
	IIN           string // account_withdrawal_iin
	BIN           string // account_withdrawal_bin
	KBE           string // account_withdrawal_kbe
	BankCode      string // account_withdrawal_bank_code
	BankName      string // account_withdrawal_bank_name
	PurposeCode   string // account_withdrawal_cnp: purpose of payment code
	RecipientCode string // account_withdrawal_recipient_code
	SenderCode    string // account_withdrawal_sender_code
	RecipientRNN  string // account_withdrawal_recipient_rnn
	RecipientName string // account_withdrawal_recipient_name
}

// A2ASender is the sender of an account-to-account withdrawal (a2a_*).
type A2ASender struct {
	Country string // a2a_sender_country
	City    string // a2a_sender_city
	Address string // a2a_sender_address
	ZipCode string // a2a_sender_zip_code
}

// WithdrawalStatus is the state of a withdrawal.
type WithdrawalStatus string

// The withdrawal states.
const (
	// WithdrawalPending: accepted, not yet paid (status 0 or 1).
	WithdrawalPending WithdrawalStatus = "pending"
	// WithdrawalSucceeded: paid out (status 2).
	WithdrawalSucceeded WithdrawalStatus = "succeeded"
	// WithdrawalFailed: refused or failed (status -1); Decline says why.
	WithdrawalFailed WithdrawalStatus = "failed"
	// WithdrawalUnknown: an undocumented status; reconcile with
	// GetWithdrawal.
	WithdrawalUnknown WithdrawalStatus = "unknown"
)

// Withdrawal is a withdrawal as the provider last reported it.
type Withdrawal struct {
	// Reference is the merchant order id.
	Reference string
	// ProcessingID is the provider's id, when it gives one.
	ProcessingID string
	// Status is the withdrawal's state; ProviderStatus the raw status.
	Status         WithdrawalStatus
	ProviderStatus string
	// Amount is the amount paid out (or requested).
	Amount payments.Money
	// Card is the destination card, masked, when reported.
	Card *CardInfo
	// Decline says why it failed.
	Decline *payments.Decline
	// Raw is the provider's answer, scrubbed.
	Raw []byte
}

func withdrawalStatus(code int64) WithdrawalStatus {
	switch mapStatus(code, callSale, false, nil) {
	case payments.StatusCaptured:
		return WithdrawalSucceeded
	case payments.StatusFailed:
		return WithdrawalFailed
	case payments.StatusPending, payments.StatusRequiresAction:
		return WithdrawalPending
	}
	return WithdrawalUnknown
}

// Withdraw pays money out to a card, a tokenized card or an account. A
// refused withdrawal returns the Withdrawal (WithdrawalFailed, Decline set)
// and an error of the code's class.
func (g *Gateway) Withdraw(ctx context.Context, req *WithdrawalRequest) (*Withdrawal, error) {
	if req == nil {
		return nil, nilRequest()
	}
	body, err := g.buildWithdrawal(req)
	if err != nil {
		return nil, err
	}
	const op = "withdrawal"
	resp, err := g.api.Do(ctx, httpx.Call{Op: op, Method: http.MethodPost, URL: g.urls.withdrawal, Body: body, Safety: httpx.MoneyMoving})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, httpError(op, httpx.MoneyMoving, resp)
	}
	var w withdrawalResponse
	if err := httpx.DecodeJSON(Name, httpx.MoneyMoving, op, resp, &w); err != nil {
		return nil, err
	}
	code := strings.TrimSpace(str(w.Err))
	if !w.Status.Valid {
		if code != "" {
			if isDuplicate(code) {
				return nil, duplicateError(op, code)
			}
			return nil, refusal(op, code, resp.Clean(str(w.Msg)), resp.StatusCode)
		}
		return nil, &payments.Error{Code: payments.OutcomeUnknown, Provider: Name, HTTPStatus: resp.StatusCode,
			Message: "withdrawal: the answer has no status; the provider may have processed it: reconcile with GetWithdrawal"}
	}
	wd := &Withdrawal{
		Reference:      req.Reference,
		ProcessingID:   str(w.ProcessingOrderID),
		Status:         withdrawalStatus(w.Status.V),
		ProviderStatus: providerStatus(w.Status.V),
		Amount:         req.Amount,
		Card:           cardInfo(w.Card),
		Raw:            resp.CleanDecoded(resp.Body), // decoded whole by httpx.DecodeJSON
	}
	if id := str(w.OrderID); id != "" && id != req.Reference {
		return wd, integrity("withdrawal: answered order_id %q for %q", id, req.Reference)
	}
	switch wd.Status {
	case WithdrawalFailed:
		if isDuplicate(code) {
			return nil, duplicateError(op, code)
		}
		wd.Decline = decline(code, resp.Clean(str(w.Msg)), nil)
		return wd, transactionError(op, wd.Decline, nil)
	case WithdrawalUnknown:
		return wd, outcomeUnknown(op, wd.ProviderStatus)
	}
	return wd, nil
}

func (g *Gateway) buildWithdrawal(req *WithdrawalRequest) (*withdrawalRequest, error) {
	var p problems
	p.require("reference", req.Reference)
	if len(req.Reference) > 64 {
		p.add("reference", "longer than 64 characters")
	}
	if !req.Amount.IsPositive() {
		p.add("amount", "must be greater than zero")
	}
	method := req.Method
	if method == "" {
		switch {
		case req.CardNumber != "":
			method = WithdrawalCard
		case req.TokenReference != "":
			method = WithdrawalToken
		default:
			p.add("method", "required: a card number, a token reference or a payment_method")
		}
	}
	switch method {
	case WithdrawalCard:
		p.require("card_number", string(req.CardNumber))
		if req.CardNumber != "" && !validPAN(string(req.CardNumber)) {
			p.add("card_number", "must be 12 to 19 digits (spaces and dashes allowed)")
		} else if req.CardNumber != "" && !redact.Luhn(req.CardNumber.Digits()) {
			p.add("card_number", "fails the Luhn check")
		}
	case WithdrawalToken:
		p.require("token_reference", req.TokenReference)
	}
	birth := ""
	if b := req.Customer.BirthDate; b != "" {
		t, err := time.Parse("2006-01-02", b)
		if err != nil {
			p.add("customer.birth_date", "not a date as YYYY-MM-DD")
		}
		birth = t.Format("02.01.2006")
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	minor, err := g.minor("amount", req.Amount)
	if err != nil {
		return nil, err
	}
	b := &withdrawalRequest{
		Account:              firstNonEmpty(req.Account, g.cfg.PayoutAccount),
		OrderID:              req.Reference,
		Amount:               minor,
		PaymentMethod:        string(method),
		CustomerCardExpMonth: req.CardExpMonth,
		CustomerCardExpYear:  req.CardExpYear,
		Purpose:              req.Description,
		MerchantSite:         firstNonEmpty(req.MerchantSite, g.cfg.MerchantSite),
		CustomerFirstName:    req.Customer.FirstName,
		CustomerMiddleName:   req.Customer.MiddleName,
		CustomerLastName:     req.Customer.LastName,
		CustomerPhone:        req.Customer.Phone,
		CustomerBirthdate:    birth,
		CustomerCountry:      req.Customer.Country,
		CustomerZipCode:      req.Customer.ZipCode,
		CustomerIPAddress:    req.Customer.IP,
		CallbackURL:          firstNonEmpty(req.NotificationURL, g.cfg.NotificationURL),
		ProviderID:           req.ProviderID,
	}
	switch method {
	case WithdrawalCard:
		b.CustomerCardNumber = req.CardNumber.Digits()
	case WithdrawalToken:
		b.TokenizeTransactionOrderID = req.TokenReference
	}
	if a := req.BankAccount; a != nil {
		b.AccountWithdrawal = a.Name
		b.AccountWithdrawalHolder = a.Holder
		b.AccountWithdrawalIIN = a.IIN
		b.AccountWithdrawalBIN = a.BIN
		b.AccountWithdrawalKBE = a.KBE
		b.AccountWithdrawalBankCode = a.BankCode
		b.AccountWithdrawalBankName = a.BankName
		b.AccountWithdrawalCNP = a.PurposeCode
		b.AccountWithdrawalRecipientCode = a.RecipientCode
		b.AccountWithdrawalSenderCode = a.SenderCode
		b.AccountWithdrawalRecipientRNN = a.RecipientRNN
		b.AccountWithdrawalRecipientName = a.RecipientName
	}
	if a := req.A2A; a != nil {
		b.A2ASenderCountry = a.Country
		b.A2ASenderCity = a.City
		b.A2ASenderAddress = a.Address
		b.A2ASenderZipCode = a.ZipCode
	}
	return b, nil
}

// GetWithdrawal queries a withdrawal by its merchant order id (POST
// /check).
func (g *Gateway) GetWithdrawal(ctx context.Context, reference string) (*Withdrawal, error) {
	t, err := g.Check(ctx, reference)
	if err != nil {
		return nil, err
	}
	if t.Type != "" && t.Type != TypeWithdrawal {
		return nil, &payments.Error{Code: payments.NotFound, Provider: Name, Message: fmt.Sprintf("withdrawal: %s is a %s", reference, t.Type)}
	}
	p := t.Payment
	wd := &Withdrawal{Reference: reference, ProviderStatus: p.ProviderStatus, Amount: p.Amount, Card: t.Card, Decline: p.Decline, Raw: p.Raw}
	switch p.Status {
	case payments.StatusCaptured, payments.StatusPartiallyRefunded, payments.StatusRefunded:
		wd.Status = WithdrawalSucceeded
	case payments.StatusFailed, payments.StatusCanceled:
		wd.Status = WithdrawalFailed
	case payments.StatusPending, payments.StatusRequiresAction:
		wd.Status = WithdrawalPending
	default:
		wd.Status = WithdrawalUnknown
	}
	return wd, nil
}

// Balance is an account's withdrawal balance.
type Balance struct {
	// Account is the account asked about.
	Account string
	// Available is "balance": what can be withdrawn.
	Available payments.Money
	// Hold is "holdBalance" and Rolling "rollingBalance" (the document
	// does not describe them further).
	Hold, Rolling payments.Money
	// Raw is the provider's answer.
	Raw []byte
}

// Balance returns the withdrawal balance of an account (default
// Config.PayoutAccount) with POST /withdrawal/balance/get. The answer has no
// currency: it is the ISO 4217 code the account name starts with
// ("EUR-sandbox-payout"), else the gateway's currency.
func (g *Gateway) Balance(ctx context.Context, account string) (*Balance, error) {
	account = firstNonEmpty(account, g.cfg.PayoutAccount)
	const op = "balance"
	resp, err := g.api.Do(ctx, httpx.Call{Op: op, Method: http.MethodPost, URL: g.urls.balance, Body: accountRequest{Account: account}, Safety: httpx.Query})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, httpError(op, httpx.Query, resp)
	}
	var w balanceResponse
	if err := httpx.DecodeJSON(Name, httpx.Query, op, resp, &w); err != nil {
		return nil, err
	}
	if !w.Balance.Valid {
		if code := str(w.Err); code != "" {
			return nil, refusal(op, code, "", resp.StatusCode)
		}
		return nil, integrity("balance: the answer has no balance")
	}
	cur := accountCurrency(account)
	if cur == "" {
		cur = g.currency
	}
	money := func(w wireInt) payments.Money {
		m, _ := payments.MoneyFromMinor(w.V, string(cur)) // cur is a valid code
		return m
	}
	return &Balance{Account: account, Available: money(w.Balance), Hold: money(w.HoldBalance), Rolling: money(w.RollingBalance), Raw: resp.CleanDecoded(resp.Body)}, nil
}

// validPAN accepts 12 to 19 digits with optional spaces and dashes.
func validPAN(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			n++
		case c == ' ' || c == '-':
		default:
			return false
		}
	}
	return n >= 12 && n <= 19
}
