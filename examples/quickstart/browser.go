package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"

	"github.com/gopayments/payments"
)

// browser plays the customer's web browser. The payment pages here are the
// simulators' own HTML pages, reached over real HTTP exactly as a person's
// browser reaches the provider's: the shop only hands over an Action, the
// browser opens it, the customer presses a button, and the page sends the
// browser back to the shop's return URL. Nothing in this file calls a
// simulator's Go helpers.
//
// It understands just enough HTML for these pages: <form>, <input> and
// <button>. A real integration test of a real provider page would drive a
// headless browser instead.
type browser struct {
	client *http.Client
}

func newBrowser() *browser {
	jar, _ := cookiejar.New(nil)
	// http.Client follows redirects like a browser: 302 and 303 turn into a
	// GET of the Location, so a "303 See Other" to the shop's return URL
	// ends on the shop's thank-you page.
	return &browser{client: &http.Client{Jar: jar}}
}

// page is what the browser shows after a request.
type page struct {
	URL    *url.URL // where the browser ended up, after redirects
	Status int
	Body   string
}

// follow does what a Payment's Action tells the customer's browser to do:
// open a URL (redirect) or auto-submit a form of fields (3-D Secure ACS).
func (b *browser) follow(ctx context.Context, a *payments.Action) (*page, error) {
	if a == nil {
		return nil, fmt.Errorf("browser: the payment has no action to follow")
	}
	switch a.Type {
	case payments.ActionRedirect:
		return b.do(ctx, http.MethodGet, a.URL, nil)
	case payments.ActionFormPost:
		form := url.Values{}
		for k, v := range a.Fields {
			form.Set(k, v)
		}
		return b.do(ctx, http.MethodPost, a.URL, form)
	default:
		return nil, fmt.Errorf("browser: a %q action is shown to the buyer, not followed", a.Type)
	}
}

// press submits the form on p that has a control named name with the given
// value (a button the customer clicks, or a hidden input of a one-button
// form), after typing fill into the form's text inputs. With name "" it
// submits the first form that has an input for every field of fill.
func (b *browser) press(ctx context.Context, p *page, name, value string, fill url.Values) (*page, error) {
	for _, f := range parseForms(p.Body) {
		if !f.has(name, value) || !f.accepts(fill) {
			continue
		}
		data := url.Values{}
		for _, in := range f.inputs {
			v := in.value
			if typed, ok := fill[in.name]; ok && len(typed) > 0 {
				v = typed[0]
			}
			data.Set(in.name, v)
		}
		if name != "" {
			data.Set(name, value) // the pressed button's name=value
		}
		action, err := p.URL.Parse(f.action) // "" is the page itself
		if err != nil {
			return nil, fmt.Errorf("browser: form action %q: %w", f.action, err)
		}
		return b.do(ctx, f.method, action.String(), data)
	}
	return nil, fmt.Errorf("browser: no form with %s=%q on %s (HTTP %d)", name, value, p.URL.Redacted(), p.Status)
}

func (b *browser) do(ctx context.Context, method, target string, form url.Values) (*page, error) {
	var body io.Reader
	if method == http.MethodGet && form != nil {
		u, err := url.Parse(target)
		if err != nil {
			return nil, err
		}
		u.RawQuery = form.Encode()
		target = u.String()
	} else if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html")
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("browser: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("browser: %w", err)
	}
	return &page{URL: resp.Request.URL, Status: resp.StatusCode, Body: string(raw)}, nil
}

// A tiny HTML form reader, enough for the simulators' pages.

type htmlForm struct {
	method, action string
	inputs         []control // inputs sent with every submit (text, hidden)
	buttons        []control // submit buttons: only the pressed one is sent
}

type control struct{ name, value string }

func (f htmlForm) has(name, value string) bool {
	if name == "" {
		return true
	}
	for _, c := range append(f.buttons, f.inputs...) {
		if c.name == name && c.value == value {
			return true
		}
	}
	return false
}

func (f htmlForm) accepts(fill url.Values) bool {
next:
	for k := range fill {
		for _, in := range f.inputs {
			if in.name == k {
				continue next
			}
		}
		return false
	}
	return true
}

var (
	formRE    = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	controlRE = regexp.MustCompile(`(?is)<(input|button)\b([^>]*)>`)
	attrRE    = regexp.MustCompile(`(?is)([a-z_:][-a-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`)
)

func attrs(s string) map[string]string {
	out := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(s, -1) {
		out[strings.ToLower(m[1])] = html.UnescapeString(m[2] + m[3] + m[4])
	}
	return out
}

func parseForms(doc string) []htmlForm {
	var forms []htmlForm
	for _, m := range formRE.FindAllStringSubmatch(doc, -1) {
		a := attrs(m[1])
		f := htmlForm{method: strings.ToUpper(a["method"]), action: a["action"]}
		if f.method == "" {
			f.method = http.MethodGet
		}
		for _, c := range controlRE.FindAllStringSubmatch(m[2], -1) {
			ca := attrs(c[2])
			if ca["name"] == "" {
				continue
			}
			ctl := control{name: ca["name"], value: ca["value"]}
			if strings.EqualFold(c[1], "button") || ca["type"] == "submit" {
				f.buttons = append(f.buttons, ctl)
			} else {
				f.inputs = append(f.inputs, ctl)
			}
		}
		forms = append(forms, f)
	}
	return forms
}
