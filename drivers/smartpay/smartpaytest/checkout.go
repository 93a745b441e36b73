package smartpaytest

import (
	"html/template"
	"net/http"
)

var checkoutPage = template.Must(template.New("checkout").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SmartPay checkout (simulator)</title></head>
<body>
<h1>SmartPay checkout (simulator)</h1>
<p id="description">{{.Description}}</p>
<p id="amount">{{.Amount}} {{.Currency}}</p>
<p id="status">{{.Status}}</p>
{{if .Open}}
<form method="post"><input type="hidden" name="outcome" value="success"><button type="submit">Pay</button></form>
<form method="post"><input type="hidden" name="outcome" value="fail"><button type="submit">Decline</button></form>
<form method="post"><input type="hidden" name="outcome" value="pending"><button type="submit">Leave pending</button></form>
{{end}}
</body></html>
`))

type checkoutView struct {
	Description, Amount, Currency, Status string
	Open                                  bool
}

// serveCheckoutPage is the buyer-facing page at the redirectUrl returned by
// POST /payment/creation. GET shows it; POST with form field outcome
// (success, fail, pending) completes the checkout like CompleteCheckout.
func (s *Server) serveCheckoutPage(w http.ResponseWriter, r *http.Request, token string) {
	render := func(status int, p *payment) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		v := checkoutView{Status: "Unknown checkout"}
		if p != nil {
			v = checkoutView{Description: p.description, Amount: formatCents(p.amount), Currency: p.currency, Status: p.status}
			switch p.status {
			case StatusCreated, StatusAutorizationInitialized, StatusAuthorizationPending:
				v.Open = true
			}
		}
		_ = checkoutPage.Execute(w, v)
	}
	switch r.Method {
	case http.MethodGet:
		s.mu.Lock()
		p := s.st.byToken[token]
		var cp *payment
		if p != nil {
			c := *p
			cp = &c
		}
		s.mu.Unlock()
		if cp == nil {
			render(http.StatusNotFound, nil)
			return
		}
		render(http.StatusOK, cp)
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		p := s.st.byToken[token]
		if p == nil {
			s.mu.Unlock()
			render(http.StatusNotFound, nil)
			return
		}
		err := s.completeLocked(p, CheckoutOutcome(r.PostForm.Get("outcome")))
		c := *p
		s.mu.Unlock()
		if err != nil {
			render(http.StatusConflict, &c)
			return
		}
		render(http.StatusOK, &c)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}
