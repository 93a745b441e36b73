package smart2paytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// api tells the two GlobalPay hosts apart.
type api int

const (
	apiAPM  api = iota // alternative payment methods: paytest.smart2pay.com
	apiCard            // direct card: securetest.smart2pay.com
)

func (a api) String() string {
	if a == apiCard {
		return APICard
	}
	return APIAlternative
}

// APIAlternative and APICard are the values of PaymentState.API.
const (
	APIAlternative = "apm"  // the payment lives on the alternative payment methods host (URL)
	APICard        = "card" // the payment lives on the direct card host (CardURL)
)

// cardMethodID is the MethodID GlobalPay reports for direct card payments.
const cardMethodID = 6

// wechatMethodID is the method of the document's QR code example (WeChat Pay).
const wechatMethodID = 1066

const timeLayout = "20060102150405"

var merchantTxRe = regexp.MustCompile(`^[0-9a-zA-Z_-]{1,50}$`)
var currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)
var countryRe = regexp.MustCompile(`^[A-Z]{2}$`)

type reason struct {
	Code int
	Info string
}

type customer struct {
	id int64
	// fields in the document's order; DateOfBirth is the last one.
	MerchantCustomerID, Email, FirstName, LastName, Gender, SocialSecurityNumber, Phone, Company, DateOfBirth *string
}

type address struct {
	id                                                                               int64
	City, ZipCode, State, Street, StreetNumber, HouseNumber, HouseExtension, Country *string
}

func (a *address) key() string {
	var b strings.Builder
	for _, p := range []*string{a.City, a.ZipCode, a.State, a.Street, a.StreetNumber, a.HouseNumber, a.HouseExtension, a.Country} {
		if p == nil {
			b.WriteString("\x00")
		} else {
			b.WriteString(*p)
		}
		b.WriteString("\x01")
	}
	return b.String()
}

// article keeps the raw JSON values of the documented article fields.
type article map[string]json.RawMessage

var articleKeys = []string{"MerchantArticleID", "Name", "Quantity", "Price", "VAT", "Discount", "Type"}

// cardInfo keeps what the answers show of a card: never the full number or the security code.
type cardInfo struct {
	holder, month, year *string
	brandName           string // VISA, MASTERCARD, AMEX or CARD
	last4Digits         string // the last four characters of the number as sent
}

func (c *cardInfo) last4() string { return c.last4Digits }

func (c *cardInfo) brand() string { return c.brandName }

func cardBrand(n string) string {
	switch {
	case strings.HasPrefix(n, "4"):
		return "VISA"
	case len(n) >= 2 && n[0] == '5' && n[1] >= '1' && n[1] <= '5':
		return "MASTERCARD"
	case len(n) >= 4 && n[:4] >= "2221" && n[:4] <= "2720":
		return "MASTERCARD"
	case strings.HasPrefix(n, "34") || strings.HasPrefix(n, "37"):
		return "AMEX"
	}
	return "CARD"
}

type refund struct {
	id          int64
	payment     *payment
	created     time.Time
	mtid        string
	amount      int64
	description *string
	status      int
	reasons     []reason
}

type payment struct {
	api     api
	id      int64
	created time.Time

	mtid        string
	hasMTID     bool
	amount      int64
	hasAmount   bool
	currency    string
	hasCurrency bool

	clientIP                *string
	skinID                  *int64
	originatorTransactionID *string
	returnURL               *string
	description             *string
	statementDescriptor     *string
	methodID                *int64
	methodOptionID          *int64
	includeMethodIDs        json.RawMessage
	excludeMethodIDs        json.RawMessage
	prioritizeMethodIDs     json.RawMessage
	customer                *customer
	billing, shipping       *address
	articles                []article
	hasArticles             bool
	customParameters        json.RawMessage
	qrCodeURL               string // ReferenceDetails.QRCodeURL; "" → ReferenceDetails null
	tokenLifetime           *int64
	capture                 *bool
	retry                   *bool
	paymentTokenLifetime    *int64
	card                    *cardInfo
	token                   string // PaymentToken of RedirectURL
	redirectURL             string
	status                  int
	reasons                 []reason
	capturedAmount          int64
	partiallyCaptured       bool
	refunds                 []*refund
	accessed                bool       // the customer opened RedirectURL
	notificationDateTime    *time.Time // last notification answered with 204
}

func (p *payment) idString() string { return strconv.FormatInt(p.id, 10) }

// refundedAmount sums successful refunds; reservedAmount adds the ones still Open.
func (p *payment) refundedAmount() (succeeded, reserved int64) {
	for _, r := range p.refunds {
		switch r.status {
		case StatusSuccess:
			succeeded += r.amount
			reserved += r.amount
		case StatusOpen:
			reserved += r.amount
		}
	}
	return succeeded, reserved
}

// fields is a decoded JSON object whose values are kept raw, so the simulator can tell a
// number from a string from null, and field names are matched exactly (case-sensitive).
type fields map[string]json.RawMessage

// fieldError is the first validation problem found in a request.
type fieldError struct {
	code int
	info string
}

func isNull(r json.RawMessage) bool {
	return len(r) == 0 || bytes.Equal(bytes.TrimSpace(r), []byte("null"))
}

func decodeFields(r json.RawMessage) (fields, bool) {
	if isNull(r) {
		return nil, true
	}
	var f fields
	if err := json.Unmarshal(r, &f); err != nil {
		return nil, false
	}
	if f == nil {
		return nil, false
	}
	return f, true
}

// parser reads typed values out of fields and remembers the first error.
type parser struct {
	err    *fieldError
	prefix string
}

func (ps *parser) fail(code int, info string) {
	if ps.err == nil {
		ps.err = &fieldError{code, info}
	}
}

func (ps *parser) name(k string) string { return ps.prefix + k }

func (ps *parser) str(f fields, k string) *string {
	r, ok := f[k]
	if !ok || isNull(r) {
		return nil
	}
	var s string
	if err := json.Unmarshal(r, &s); err != nil {
		ps.fail(CodeValidationFailed, ps.name(k)+" is invalid")
		return nil
	}
	return &s
}

// integer parses a JSON integer literal (no fraction, no exponent, no quotes).
func parseJSONInt(r json.RawMessage) (int64, bool) {
	t := string(bytes.TrimSpace(r))
	if t == "" || strings.ContainsAny(t, ".eE\"") {
		return 0, false
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

func (ps *parser) int(f fields, k string, code int) *int64 {
	r, ok := f[k]
	if !ok || isNull(r) {
		return nil
	}
	n, ok := parseJSONInt(r)
	if !ok {
		ps.fail(code, ps.name(k)+" is invalid")
		return nil
	}
	return &n
}

func (ps *parser) bool(f fields, k string) *bool {
	r, ok := f[k]
	if !ok || isNull(r) {
		return nil
	}
	var b bool
	if err := json.Unmarshal(r, &b); err != nil {
		ps.fail(CodeValidationFailed, ps.name(k)+" is invalid")
		return nil
	}
	return &b
}

func (ps *parser) array(f fields, k string) json.RawMessage {
	r, ok := f[k]
	if !ok || isNull(r) {
		return nil
	}
	var a []json.RawMessage
	if err := json.Unmarshal(r, &a); err != nil {
		ps.fail(CodeValidationFailed, ps.name(k)+" is invalid")
		return nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, r); err != nil {
		return nil
	}
	return b.Bytes()
}

func (ps *parser) object(f fields, k string) json.RawMessage {
	r, ok := f[k]
	if !ok || isNull(r) {
		return nil
	}
	if _, ok := decodeFields(r); !ok {
		ps.fail(CodeValidationFailed, ps.name(k)+" is invalid")
		return nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, r); err != nil {
		return nil
	}
	return b.Bytes()
}

func (ps *parser) sub(f fields, k string) (fields, bool) {
	r, ok := f[k]
	if !ok || isNull(r) {
		return nil, false
	}
	sf, ok := decodeFields(r)
	if !ok {
		ps.fail(CodeValidationFailed, ps.name(k)+" is invalid")
		return nil, false
	}
	return sf, true
}

func (ps *parser) customer(f fields) *customer {
	cf, ok := ps.sub(f, "Customer")
	if !ok {
		return nil
	}
	sp := parser{prefix: "Customer."}
	c := &customer{
		MerchantCustomerID:   sp.str(cf, "MerchantCustomerID"),
		Email:                sp.str(cf, "Email"),
		FirstName:            sp.str(cf, "FirstName"),
		LastName:             sp.str(cf, "LastName"),
		Gender:               sp.str(cf, "Gender"),
		SocialSecurityNumber: sp.str(cf, "SocialSecurityNumber"),
		Phone:                sp.str(cf, "Phone"),
		Company:              sp.str(cf, "Company"),
		DateOfBirth:          sp.str(cf, "DateOfBirth"),
	}
	if sp.err != nil {
		ps.fail(sp.err.code, sp.err.info)
	}
	return c
}

func (ps *parser) address(f fields, k string, countryCode int) *address {
	af, ok := ps.sub(f, k)
	if !ok {
		return nil
	}
	sp := parser{prefix: k + "."}
	a := &address{
		City:           sp.str(af, "City"),
		ZipCode:        sp.str(af, "ZipCode"),
		State:          sp.str(af, "State"),
		Street:         sp.str(af, "Street"),
		StreetNumber:   sp.str(af, "StreetNumber"),
		HouseNumber:    sp.str(af, "HouseNumber"),
		HouseExtension: sp.str(af, "HouseExtension"),
		Country:        sp.str(af, "Country"),
	}
	if a.Country != nil && !countryRe.MatchString(*a.Country) {
		sp.fail(countryCode, k+".Country is invalid - "+*a.Country)
	}
	if sp.err != nil {
		ps.fail(sp.err.code, sp.err.info)
	}
	return a
}

func (ps *parser) articles(f fields) ([]article, bool) {
	r, ok := f["Articles"]
	if !ok || isNull(r) {
		return nil, false
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(r, &raw); err != nil {
		ps.fail(CodeValidationFailed, "Articles is invalid")
		return nil, false
	}
	out := make([]article, 0, len(raw))
	for _, item := range raw {
		af, ok := decodeFields(item)
		if !ok || af == nil {
			ps.fail(CodeValidationFailed, "Articles is invalid")
			return nil, false
		}
		a := article{}
		for _, k := range articleKeys {
			if v, ok := af[k]; ok && !isNull(v) {
				var b bytes.Buffer
				if err := json.Compact(&b, v); err == nil {
					a[k] = b.Bytes()
				}
			}
		}
		out = append(out, a)
	}
	return out, true
}

// codes picks the return codes of one host for the same kind of problem.
type codes struct {
	currency, amount, country int
}

var apmCodes = codes{currency: CodeCurrencyInvalid, amount: CodeAmountInvalid, country: CodeCountryInvalid}

// The direct card API numbers its codes differently (100 and 118 mean other things there), so
// format problems on the card host are reported as 2, ValidationFailed.
var cardCodes = codes{currency: CodeValidationFailed, amount: CodeValidationFailed, country: CodeValidationFailed}

// parsePayment reads the "Payment" object of POST /v1/payments into a payment (fields that
// could not be read stay unset) and returns the first validation problem, if any.
func parsePayment(a api, f fields, now time.Time) (*payment, *fieldError) {
	cs := apmCodes
	if a == apiCard {
		cs = cardCodes
	}
	ps := &parser{}
	p := &payment{api: a}

	// The three required fields, each: missing (1), wrong type or format (host's code).
	check := &parser{}
	if r, ok := f["MerchantTransactionID"]; !ok || isNull(r) {
		check.fail(CodeMissingParameter, "MerchantTransactionID is missing")
	} else if err := json.Unmarshal(r, &p.mtid); err != nil {
		check.fail(CodeValidationFailed, "MerchantTransactionID is invalid")
	} else {
		p.hasMTID = true
		if !merchantTxRe.MatchString(p.mtid) {
			check.fail(CodeValidationFailed, "MerchantTransactionID is invalid - "+p.mtid)
		}
	}
	if r, ok := f["Amount"]; !ok || isNull(r) {
		check.fail(CodeMissingParameter, "Amount is missing")
	} else if n, ok := parseJSONInt(r); !ok {
		check.fail(cs.amount, "Amount is invalid - "+string(bytes.TrimSpace(r)))
	} else {
		p.amount, p.hasAmount = n, true
		if n <= 0 {
			check.fail(cs.amount, fmt.Sprintf("Amount is invalid - %d", n))
		}
	}
	if r, ok := f["Currency"]; !ok || isNull(r) {
		check.fail(CodeMissingParameter, "Currency is missing")
	} else if err := json.Unmarshal(r, &p.currency); err != nil {
		check.fail(cs.currency, "Currency is invalid")
	} else {
		p.hasCurrency = true
		if !currencyRe.MatchString(p.currency) {
			check.fail(cs.currency, "Currency is invalid - "+p.currency)
		}
	}

	p.clientIP = ps.str(f, "ClientIP")
	p.skinID = ps.int(f, "SkinID", CodeValidationFailed)
	p.originatorTransactionID = ps.str(f, "OriginatorTransactionID")
	p.returnURL = ps.str(f, "ReturnURL")
	p.description = ps.str(f, "Description")
	p.methodID = ps.int(f, "MethodID", CodeMethodInvalid)
	p.methodOptionID = ps.int(f, "MethodOptionID", CodeValidationFailed)
	p.customer = ps.customer(f)
	p.billing = ps.address(f, "BillingAddress", cs.country)
	p.shipping = ps.address(f, "ShippingAddress", cs.country)
	p.articles, p.hasArticles = ps.articles(f)
	p.capture = ps.bool(f, "Capture")
	if a == apiAPM {
		p.includeMethodIDs = ps.array(f, "IncludeMethodIDs")
		p.excludeMethodIDs = ps.array(f, "ExcludeMethodIDs")
		p.prioritizeMethodIDs = ps.array(f, "PrioritizeMethodIDs")
		p.customParameters = ps.object(f, "CustomParameters")
		p.tokenLifetime = ps.int(f, "TokenLifetime", CodeValidationFailed)
	} else {
		p.statementDescriptor = ps.str(f, "StatementDescriptor")
		p.retry = ps.bool(f, "Retry")
		p.paymentTokenLifetime = ps.int(f, "PaymentTokenLifetime", CodeValidationFailed)
		// The card API's defaults: capture immediately, no retry (the document's card
		// examples echo "Retry": false for a request without Retry).
		if p.capture == nil {
			t := true
			p.capture = &t
		}
		if p.retry == nil {
			no := false
			p.retry = &no
		}
	}
	var cardErr *fieldError
	if cf, ok := ps.sub(f, "Card"); ok {
		p.card, cardErr = parseCard(cf, now)
	}
	if ps.err != nil {
		check.fail(ps.err.code, ps.err.info)
	}
	if p.returnURL != nil && !validURL(*p.returnURL) {
		check.fail(CodeValidationFailed, "ReturnURL is invalid")
	}
	if a == apiAPM {
		if p.returnURL == nil {
			check.fail(CodeMissingParameter, "ReturnURL is missing")
		}
		if p.methodID != nil && *p.methodID <= 0 {
			check.fail(CodeMethodInvalid, fmt.Sprintf("MethodID is invalid - %d", *p.methodID))
		}
		if p.tokenLifetime != nil && *p.tokenLifetime <= 0 {
			check.fail(CodeValidationFailed, "TokenLifetime is invalid")
		}
		if _, present := f["Card"]; present && !isNull(f["Card"]) {
			check.fail(CodeValidationFailed, "Card is not accepted by the alternative payment methods API; send card payments to the direct card API")
		}
	} else {
		if _, present := f["Card"]; !present || isNull(f["Card"]) {
			check.fail(CodeMissingParameter, "Card is missing")
		} else if cardErr != nil {
			check.fail(cardErr.code, cardErr.info)
		}
		if p.methodID != nil && *p.methodID != cardMethodID {
			check.fail(CodeMethodInvalid, fmt.Sprintf("MethodID is invalid - %d", *p.methodID))
		}
	}
	return p, check.err
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func parseCard(f fields, now time.Time) (*cardInfo, *fieldError) {
	ps := &parser{prefix: "Card."}
	c := &cardInfo{
		holder: ps.str(f, "HolderName"),
		month:  ps.str(f, "ExpirationMonth"),
		year:   ps.str(f, "ExpirationYear"),
	}
	number := ps.str(f, "Number")
	cvv := ps.str(f, "SecurityCode")
	if number != nil {
		c.brandName = cardBrand(*number)
		if n := *number; len(n) >= 4 {
			c.last4Digits = n[len(n)-4:]
		}
	}
	if ps.err != nil {
		return c, ps.err
	}
	switch {
	case c.holder == nil || strings.TrimSpace(*c.holder) == "":
		return c, &fieldError{CodeMissingParameter, "Card.HolderName is missing"}
	case number == nil:
		return c, &fieldError{CodeMissingParameter, "Card.Number is missing"}
	case !luhn(*number):
		return c, &fieldError{CodeValidationFailed, "Card.Number is invalid"}
	case c.month == nil:
		return c, &fieldError{CodeMissingParameter, "Card.ExpirationMonth is missing"}
	case c.year == nil:
		return c, &fieldError{CodeMissingParameter, "Card.ExpirationYear is missing"}
	}
	m, err := strconv.Atoi(*c.month)
	if err != nil || m < 1 || m > 12 || len(*c.month) > 2 {
		return c, &fieldError{CodeValidationFailed, "Card.ExpirationMonth is invalid"}
	}
	y, err := strconv.Atoi(*c.year)
	if err != nil || len(*c.year) != 4 {
		return c, &fieldError{CodeValidationFailed, "Card.ExpirationYear is invalid"}
	}
	now = now.UTC()
	if y < now.Year() || (y == now.Year() && m < int(now.Month())) {
		return c, &fieldError{CodeValidationFailed, "Card is expired"}
	}
	if cvv != nil {
		if l := len(*cvv); l < 3 || l > 4 || !allDigits(*cvv) {
			return c, &fieldError{CodeValidationFailed, "Card.SecurityCode is invalid"}
		}
	}
	return c, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// luhn reports whether s is 12–19 digits with a valid Luhn check digit.
func luhn(s string) bool {
	if len(s) < 12 || len(s) > 19 || !allDigits(s) {
		return false
	}
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}
