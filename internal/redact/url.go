package redact

import (
	"net/url"
	"sort"
	"strings"
)

// urlSecretKeys are query-parameter and form-field names (normalised as by
// normKey) that carry credentials in URLs and form bodies, on top of the
// JSON secret keys.
var urlSecretKeys = map[string]bool{
	"key": true, "signature": true, "sig": true, "sign": true, "hash": true, "hmac": true,
	"accesskey": true, "privatekey": true, "secretkey": true, "authkey": true,
	"sessionid": true, "sessiontoken": true, "idtoken": true,
}

// IsSecretParam reports whether a query parameter or form field name
// carries a credential, a signature or a CVV whose value must never be
// shown: the JSON secret keys ([IsSecretKey]) plus names such as "key",
// "signature" and "hash".
func IsSecretParam(name string) bool {
	return IsSecretKey(name) || urlSecretKeys[normKey(name)]
}

// URL returns raw with credentials removed: user info replaced, the values
// of secret query parameters ([IsSecretParam]) replaced with [Mask], card
// numbers in query values masked like [PAN], and card-number-shaped digits
// in the path masked ([PANs]). Query parameters are re-encoded in sorted
// order. Text that does not parse as a URL is masked with [PANs] only. The
// result is a fixed point: URL(URL(s)) == URL(s).
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return PANs(raw)
	}
	if u.User != nil {
		u.User = url.User(Mask)
	}
	if u.RawPath != "" {
		if p, err := url.PathUnescape(PANs(u.RawPath)); err == nil {
			u.Path = p
			u.RawPath = ""
		}
	}
	u.Path = PANs(u.Path)
	if u.RawQuery != "" {
		if q, err := url.ParseQuery(u.RawQuery); err == nil {
			u.RawQuery = Values(q).Encode()
		} else {
			u.RawQuery = PANs(u.RawQuery)
		}
	}
	return u.String()
}

// Values returns a copy of v with secret values ([IsSecretParam]) replaced
// with [Mask], card-number keys masked like [PAN] and card-number-shaped
// digits in other values, and in the names themselves, masked ([PANs]). It
// serves query strings and application/x-www-form-urlencoded bodies.
func Values(v url.Values) url.Values {
	out := make(url.Values, len(v))
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys) // names that mask alike merge in a fixed order
	for _, k := range keys {
		vals := v[k]
		nv := make([]string, len(vals))
		for i, s := range vals {
			switch {
			case IsSecretParam(k):
				if s != "" {
					s = Mask
				}
			case classifyKey(k) == keyPAN:
				s = panValue(s)
			default:
				s = PANs(s)
			}
			nv[i] = s
		}
		mk := PANs(k)
		out[mk] = append(out[mk], nv...)
	}
	return out
}

// Form masks an application/x-www-form-urlencoded body like [Values],
// re-encoded with sorted keys. ok is false (and body is returned masked
// with [PANs]) when body does not parse as a form.
func Form(body string) (masked string, ok bool) {
	v, err := url.ParseQuery(body)
	if err != nil || (body != "" && !strings.Contains(body, "=")) {
		return PANs(body), false
	}
	return Values(v).Encode(), true
}
