package reliability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/drivers/smart2pay"
	"github.com/gopayments/payments/drivers/smartpay"
	"github.com/gopayments/payments/drivers/smartpayments"
)

// delivery is one notification as the simulator sent it.
type delivery struct {
	Header http.Header
	Body   []byte
}

// inbox is the merchant's notification endpoint the simulators deliver to:
// it records every delivery and answers 204.
type inbox struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []delivery
}

func newInbox(t testing.TB) *inbox {
	in := &inbox{}
	in.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		in.mu.Lock()
		in.got = append(in.got, delivery{Header: r.Header.Clone(), Body: b})
		in.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(in.srv.Close)
	return in
}

// wait returns the deliveries once at least n arrived and no more came for
// a moment.
func (in *inbox) wait(t testing.TB, n int) []delivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	last, stable := -1, time.Now()
	for time.Now().Before(deadline) {
		in.mu.Lock()
		k := len(in.got)
		in.mu.Unlock()
		if k != last {
			last, stable = k, time.Now()
		}
		if k >= n && time.Since(stable) > 200*time.Millisecond {
			in.mu.Lock()
			defer in.mu.Unlock()
			return slices.Clone(in.got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%d notifications arrived, want at least %d", last, n)
	return nil
}

// webhookCreds are the credentials of the notification tests.
var webhookCreds = &credentials{APIKey: "notify-api-key-1", WebhookUser: "hook-user", WebhookPass: "hook-pass-1"}

// replyCode is the HTTP status each provider expects for a notification.
func replyCode(driver string) int {
	if driver == smart2pay.Name {
		return http.StatusNoContent
	}
	return http.StatusOK
}

// verifiedByCredentials: the driver checks credentials on every
// notification (SmartPay only when NotificationAuth is set, as here);
// SmartPayments' callbacks carry none and are confirmed by query only.
func verifiedByCredentials(driver string) bool { return driver != smartpayments.Name }

// confirmedByQuery: the driver trusts nothing in the body but the payment
// it names, and reports the state a status query returns.
func confirmedByQuery(driver string) bool { return driver != smart2pay.Name }

// notifyWorld is a driver, its simulator delivering to an inbox, a Router
// over the driver with a MemoryStore, and the notifications of one payment
// taken through authorize, capture and a partial refund.
type notifyWorld struct {
	driver   string
	rig      rig
	router   *payments.Router
	store    *payments.MemoryStore
	ref      string
	routerID string
	genuine  []delivery // in the order the simulator sent them
}

const routeName = "acq"

func newNotifyWorld(t testing.TB, driver string) *notifyWorld {
	in := newInbox(t)
	w := &notifyWorld{driver: driver, ref: "n-" + driver, store: payments.NewMemoryStore()}
	w.rig = newRig(t, driver, options{creds: webhookCreds, notifyURL: in.srv.URL + "/hooks"})
	var err error
	w.router, err = payments.NewRouter([]payments.Route{{Name: routeName, Gateway: w.rig.Gateway()}}, payments.WithStore(w.store))
	require.NoError(t, err)
	ctx := context.Background()
	p, err := w.router.Authorize(ctx, w.rig.Request(w.ref, false))
	require.NoError(t, err)
	require.Equal(t, payments.StatusAuthorized, p.Status)
	w.routerID = p.ID
	_, err = w.router.Capture(ctx, &payments.CaptureRequest{ID: p.ID, IdempotencyKey: "cap-1"})
	require.NoError(t, err)
	five := eur("5.00")
	_, err = w.router.Refund(ctx, &payments.RefundRequest{ID: p.ID, Amount: &five, IdempotencyKey: "ref-1"})
	require.NoError(t, err)
	w.genuine = in.wait(t, notificationsOfFlow[driver])
	return w
}

// notificationsOfFlow is how many notifications each simulator sends for
// authorize, capture and a partial refund: SmartPayments a callback per
// transaction change (authorization, capture, the refund transaction),
// Smart2Pay the payment at each status and the refund, SmartPay a webhook
// per modification.
var notificationsOfFlow = map[string]int{smartpayments.Name: 3, smart2pay.Name: 4, smartpay.Name: 3}

// request builds the HTTP request of a delivery.
func (d delivery) request(method, target string) *http.Request {
	r := httptest.NewRequest(method, target, bytes.NewReader(d.Body))
	r.Header = d.Header.Clone()
	return r
}

// outcome is what a handler did with one notification.
type outcome struct {
	code  int
	calls []*payments.Notification
}

// serve delivers d to h (a NotificationHandler or the Router's) and
// returns the answer and what reached fn.
func serve(h func(fn func(context.Context, *payments.Notification) error) http.Handler, method, target string, d delivery) outcome {
	var mu sync.Mutex
	var out outcome
	fn := func(_ context.Context, n *payments.Notification) error {
		mu.Lock()
		out.calls = append(out.calls, n)
		mu.Unlock()
		return nil
	}
	rec := httptest.NewRecorder()
	h(fn).ServeHTTP(rec, d.request(method, target))
	out.code = rec.Code
	return out
}

// handlers are the two ways notifications are served.
func (w *notifyWorld) handlers() map[string]struct {
	h      func(fn func(context.Context, *payments.Notification) error) http.Handler
	target string
} {
	return map[string]struct {
		h      func(fn func(context.Context, *payments.Notification) error) http.Handler
		target string
	}{
		"NotificationHandler": {func(fn func(context.Context, *payments.Notification) error) http.Handler {
			return payments.NotificationHandler(w.rig.Gateway(), fn)
		}, "/hooks"},
		"Router": {func(fn func(context.Context, *payments.Notification) error) http.Handler {
			return w.router.NotificationHandler(fn)
		}, "/" + routeName},
	}
}

// paymentNotification returns a genuine delivery that is about the
// payment (not a refund), the latest one.
func (w *notifyWorld) paymentNotification(t testing.TB) delivery {
	t.Helper()
	for i := len(w.genuine) - 1; i >= 0; i-- {
		n, err := w.rig.Gateway().Notify(context.Background(), w.genuine[i].request(http.MethodPost, "/hooks"))
		if err == nil && n.Kind == payments.NotificationPayment && n.Payment != nil {
			return w.genuine[i]
		}
	}
	t.Fatal("no payment notification was delivered")
	return delivery{}
}

// checkTruth asserts that a notification that reached fn reports the
// simulator's state of the payment it names.
func (w *notifyWorld) checkTruth(t *testing.T, n *payments.Notification, what string) {
	t.Helper()
	if n.Payment == nil {
		return
	}
	tr, ok := w.rig.Truth(n.Payment.Reference)
	if assert.True(t, ok, "%s: reached fn about a payment the simulator does not hold: %q", what, n.Payment.Reference) {
		assert.Equal(t, tr, w.rig.Observed(n.Payment), "%s: reached fn with a state that is not the provider's", what)
	}
}

func TestNotifications(t *testing.T) {
	for _, d := range driverNames {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			w := newNotifyWorld(t, d)
			for name, hd := range w.handlers() {
				t.Run(name, func(t *testing.T) {
					testGenuine(t, w, hd.h, hd.target)
					testForgeries(t, w, hd.h, hd.target)
					testTamperedBody(t, w, hd.h, hd.target)
					testDuplicates(t, w, hd.h, hd.target)
				})
			}
			t.Run("OutOfOrder", func(t *testing.T) { testOutOfOrder(t, w) })
		})
	}
}

func testGenuine(t *testing.T, w *notifyWorld, h func(func(context.Context, *payments.Notification) error) http.Handler, target string) {
	for i, d := range w.genuine {
		out := serve(h, http.MethodPost, target, d)
		require.Equal(t, replyCode(w.driver), out.code, "genuine notification %d: %s", i, d.Body)
		require.Len(t, out.calls, 1)
		n := out.calls[0]
		if verifiedByCredentials(w.driver) {
			assert.NotZero(t, n.Verified&payments.VerifiedCredentials, "verified by credentials")
		}
		if confirmedByQuery(w.driver) {
			assert.NotZero(t, n.Verified&payments.VerifiedByQuery, "confirmed by query")
			w.checkTruth(t, n, "genuine")
		}
	}
}

func testForgeries(t *testing.T, w *notifyWorld, h func(func(context.Context, *payments.Notification) error) http.Handler, target string) {
	genuine := w.paymentNotification(t)
	type forgery struct {
		name   string
		method string
		d      delivery
		want   []int // accepted answers; a 2xx means fn may be called and must see the truth
	}
	withHeader := func(k, v string) delivery {
		d := delivery{Header: genuine.Header.Clone(), Body: genuine.Body}
		if v == "" {
			d.Header.Del(k)
		} else {
			d.Header.Set(k, v)
		}
		return d
	}
	withBody := func(b []byte) delivery { return delivery{Header: genuine.Header.Clone(), Body: b} }
	rejected := []int{http.StatusUnauthorized}
	if !verifiedByCredentials(w.driver) {
		// No credentials in SmartPayments callbacks: whatever is claimed,
		// fn sees the state /check reports.
		rejected = []int{replyCode(w.driver)}
	}
	unknown := []int{http.StatusUnauthorized}
	if !confirmedByQuery(w.driver) {
		// GlobalPay authenticates notifications with the site's
		// credentials only; the driver does not look the payment up.
		unknown = []int{replyCode(w.driver)}
	}
	cases := []forgery{
		{"missing credentials", http.MethodPost, withHeader("Authorization", ""), rejected},
		{"wrong credentials", http.MethodPost, withHeader("Authorization", "Basic "+basic("hook-user", "guess")), rejected},
		{"another scheme", http.MethodPost, withHeader("Authorization", "Bearer "+webhookCreds.APIKey), rejected},
		{"GET", http.MethodGet, genuine, []int{http.StatusMethodNotAllowed}},
		{"PUT", http.MethodPut, genuine, []int{http.StatusMethodNotAllowed}},
		{"oversized body", http.MethodPost, withBody(oversized(genuine.Body)), []int{http.StatusRequestEntityTooLarge}},
		{"garbage JSON", http.MethodPost, withBody([]byte(`{"Payment":{"ID":`)), []int{http.StatusBadRequest}},
		{"not JSON", http.MethodPost, withBody([]byte("<html>hello</html>")), []int{http.StatusBadRequest}},
		{"empty body", http.MethodPost, withBody(nil), []int{http.StatusBadRequest}},
		{"unknown order", http.MethodPost, withBody(unknownOrder(t, w.driver, genuine.Body)), unknown},
		{"claims another state", http.MethodPost, withBody(claimOtherState(t, w.driver, genuine.Body)), []int{replyCode(w.driver)}},
	}
	for _, c := range cases {
		out := serve(h, c.method, target, c.d)
		if !assert.Contains(t, c.want, out.code, "%s: answered %d", c.name, out.code) {
			continue
		}
		if out.code >= 300 {
			assert.Empty(t, out.calls, "%s: rejected, yet fn was called", c.name)
			continue
		}
		for _, n := range out.calls {
			if confirmedByQuery(w.driver) {
				w.checkTruth(t, n, c.name)
			} else {
				assert.Equal(t, payments.VerifiedCredentials, n.Verified, "%s: accepted on the credentials alone", c.name)
			}
		}
	}

	// The credentials changed by one byte, at every position.
	if auth := genuine.Header.Get("Authorization"); auth != "" {
		u0, p0, _ := genuine.request(http.MethodPost, target).BasicAuth()
		for i := range len(auth) {
			b := []byte(auth)
			b[i] ^= 0x01
			d := withHeader("Authorization", string(b))
			if u, p, ok := d.request(http.MethodPost, target).BasicAuth(); ok && u == u0 && p == p0 && w.driver != smart2pay.Name {
				continue // base64's unused bits: the same credentials
			}
			out := serve(h, http.MethodPost, target, d)
			assert.Equal(t, http.StatusUnauthorized, out.code, "Authorization changed at byte %d: %q", i, b)
			assert.Empty(t, out.calls)
		}
	}
}

// testTamperedBody changes the genuine body by one byte at every position
// and delivers it with the genuine credentials. The answer is never a 5xx;
// a driver that confirms by query passes fn nothing but the provider's
// state; Smart2Pay, whose notifications are authenticated by the
// credentials alone, passes the body as sent (GlobalPay signs no bodies).
func testTamperedBody(t *testing.T, w *notifyWorld, h func(func(context.Context, *payments.Notification) error) http.Handler, target string) {
	genuine := w.paymentNotification(t)
	accepted := 0
	for i := range len(genuine.Body) {
		b := bytes.Clone(genuine.Body)
		b[i] ^= 0x01
		out := serve(h, http.MethodPost, target, delivery{Header: genuine.Header, Body: b})
		if out.code >= 500 {
			t.Errorf("byte %d changed: answered %d", i, out.code)
			continue
		}
		if out.code >= 300 {
			assert.Empty(t, out.calls, "byte %d changed: rejected, yet fn was called", i)
			continue
		}
		accepted++
		for _, n := range out.calls {
			if confirmedByQuery(w.driver) {
				w.checkTruth(t, n, fmt.Sprintf("byte %d changed", i))
			} else {
				assert.Equal(t, payments.VerifiedCredentials, n.Verified)
			}
		}
	}
	t.Logf("%s: %d of %d one-byte changes of the body accepted (%s)", w.driver, accepted, len(genuine.Body),
		map[bool]string{true: "each reported the provider's own state", false: "authenticated by the site credentials; the body is the provider's word"}[confirmedByQuery(w.driver)])
}

// testDuplicates delivers the same genuine notification 5 times at once:
// every delivery gets the provider's expected answer and the same state,
// the provider executes nothing, and the Router's record does not move.
func testDuplicates(t *testing.T, w *notifyWorld, h func(func(context.Context, *payments.Notification) error) http.Handler, target string) {
	genuine := w.paymentNotification(t)
	opsBefore := w.rig.Ops()
	recBefore, err := w.store.GetByReference(context.Background(), w.ref)
	require.NoError(t, err)
	var calls atomic.Int32
	var mu sync.Mutex
	var states []payments.Status
	handler := h(func(_ context.Context, n *payments.Notification) error {
		calls.Add(1)
		mu.Lock()
		states = append(states, n.Payment.Status)
		mu.Unlock()
		return nil
	})
	var wg sync.WaitGroup
	codes := make([]int, 5)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, genuine.request(http.MethodPost, target))
			codes[i] = rec.Code
		}()
	}
	wg.Wait()
	for _, c := range codes {
		assert.Equal(t, replyCode(w.driver), c)
	}
	assert.Equal(t, int32(5), calls.Load(), "each delivery reaches fn (fn must be idempotent)")
	for _, s := range states {
		assert.Equal(t, states[0], s, "every copy reports the same state")
	}
	assert.Equal(t, opsBefore, w.rig.Ops(), "notifications execute nothing at the provider")
	recAfter, err := w.store.GetByReference(context.Background(), w.ref)
	require.NoError(t, err)
	assert.Equal(t, recBefore.Status, recAfter.Status, "duplicates do not move the stored status")
}

// testOutOfOrder delivers the payment's notifications through the Router
// in many orders, each into a fresh Store: the stored status never moves
// back, fn never sees it move back, and it ends at the provider's state.
func testOutOfOrder(t *testing.T, w *notifyWorld) {
	ctx := context.Background()
	final, err := w.rig.Gateway().Status(ctx, &payments.StatusRequest{ID: strings.TrimPrefix(w.routerID, routeName+":")})
	require.NoError(t, err)
	n := len(w.genuine)
	orders := [][]int{}
	ident := make([]int, n)
	for i := range ident {
		ident[i] = i
	}
	rev := slices.Clone(ident)
	slices.Reverse(rev)
	orders = append(orders, ident, rev)
	for k := 1; k < n; k++ {
		orders = append(orders, append(slices.Clone(ident[k:]), ident[:k]...))
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for range 12 {
		p := slices.Clone(ident)
		rng.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
		orders = append(orders, p)
	}
	for _, order := range orders {
		// A store that knows the payment as this Router made it (the
		// attempt that owns the reference, outcome not yet known):
		// notifications update only payments the Router made.
		store := payments.NewMemoryStore()
		require.NoError(t, store.Begin(ctx, payments.Record{Reference: w.ref, Attempt: 1, Route: routeName}))
		_, err := store.Finish(ctx, payments.Record{Reference: w.ref, Attempt: 1, ID: w.routerID}, true)
		require.NoError(t, err)
		router, err := payments.NewRouter([]payments.Route{{Name: routeName, Gateway: w.rig.Gateway()}}, payments.WithStore(store))
		require.NoError(t, err)
		var seen []payments.Status
		h := router.NotificationHandler(func(_ context.Context, n *payments.Notification) error {
			if n.Payment != nil {
				seen = append(seen, n.Payment.Status)
			}
			return nil
		})
		var stored []payments.Status
		for _, i := range order {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, w.genuine[i].request(http.MethodPost, "/"+routeName))
			require.Equal(t, replyCode(w.driver), rec.Code, "order %v, notification %d", order, i)
			if r, err := store.GetByReference(ctx, w.ref); err == nil {
				stored = append(stored, r.Status)
			}
		}
		assert.True(t, forwardOnly(stored), "order %v: the stored status went back: %v", order, stored)
		assert.True(t, forwardOnly(seen), "order %v: fn saw the status go back: %v", order, seen)
		if assert.NotEmpty(t, stored, "order %v", order) {
			assert.Equal(t, final.Status, stored[len(stored)-1], "order %v: ends at the provider's state (%v)", order, stored)
		}
	}
}

// forwardOnly reports whether each status may follow the one before.
func forwardOnly(ss []payments.Status) bool {
	for i := 1; i < len(ss); i++ {
		if ss[i] != ss[i-1] && !ss[i-1].CanTransition(ss[i]) {
			return false
		}
	}
	return true
}

func basic(user, pass string) string {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth(user, pass)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

// oversized pads a body past the handler's limit, keeping it valid JSON.
func oversized(body []byte) []byte {
	pad := bytes.Repeat([]byte(" "), payments.DefaultMaxNotificationBytes)
	return append(pad, body...)
}

// unknownOrder rewrites a genuine body to name a payment the provider does
// not hold.
func unknownOrder(t *testing.T, driver string, body []byte) []byte {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&m))
	switch driver {
	case smartpayments.Name:
		m["orderId"] = "no-such-order"
	case smart2pay.Name:
		p := m["Payment"].(map[string]any)
		p["ID"] = json.Number("999999")
		p["MerchantTransactionID"] = "no-such-order"
	case smartpay.Name:
		m["objectId"] = "00000000-0000-4000-8000-00000000dead"
		for _, k := range []string{"context", "data"} {
			if o, ok := m[k].(map[string]any); ok {
				o["transactionId"] = m["objectId"]
			}
		}
	}
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return out
}

// claimOtherState rewrites a genuine body to claim a state the payment does
// not have (failed / canceled).
func claimOtherState(t *testing.T, driver string, body []byte) []byte {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&m))
	switch driver {
	case smartpayments.Name:
		m["status"] = json.Number("-1")
	case smart2pay.Name:
		m["Payment"].(map[string]any)["Status"] = map[string]any{"ID": json.Number("3"), "Info": "Cancelled"}
	case smartpay.Name:
		if o, ok := m["data"].(map[string]any); ok {
			o["paymentStatus"] = "CANCELLED"
		}
	}
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return out
}
