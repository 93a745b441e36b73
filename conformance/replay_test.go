package conformance

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopayments/payments"
)

// A hand-written cassette in the minimal shape the package documentation
// describes.
const handWritten = `version: 1
interactions:
- request:
    method: POST
    url: https://api.example/v1/payments?b=1&a=2
    body: '{"reference": "r1", "amount": {"value": 10.50, "currency": "EUR"}, "card": {"number": "401200******3010", "cvv": "[REDACTED]"}}'
  response:
    code: 201
    headers: {Content-Type: [application/json]}
    body: '{"id":"p1","status":"pending"}'
- request: {method: GET, url: "https://api.example/v1/payments/p1"}
  response: {code: 200, body: '{"status":"pending"}'}
- request: {method: GET, url: "https://api.example/v1/payments/p1"}
  response: {code: 200, status: 200 OK, body: '{"status":"captured"}'}
`

func loadHandWritten(t *testing.T) (*replayer, *testing.T) {
	t.Helper()
	dir := t.TempDir()
	f := filepath.Join(dir, "Scenario.yaml")
	if err := os.WriteFile(f, []byte(handWritten), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := loadReplayer(t, f)
	if err != nil {
		t.Fatal(err)
	}
	return r, t
}

func send(t *testing.T, rt http.RoundTripper, method, url, body string) (string, error) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), nil
}

func TestReplayMatchesCanonicallyAndInOrder(t *testing.T) {
	r, _ := loadHandWritten(t)
	// Key order, whitespace, query order and an unmasked PAN and CVV in the
	// live request do not matter: both sides are scrubbed and canonicalised.
	body, err := send(t, r, "POST", "https://api.example/v1/payments?a=2&b=1",
		`{"card":{"cvv":"123","number":"4012000000003010"},"amount":{"currency":"EUR","value":10.50},"reference":"r1"}`)
	if err != nil || body != `{"id":"p1","status":"pending"}` {
		t.Fatalf("POST: %q, %v", body, err)
	}
	// The same request twice gets the recorded answers in order.
	for _, want := range []string{`{"status":"pending"}`, `{"status":"captured"}`} {
		got, err := send(t, r, "GET", "https://api.example/v1/payments/p1", "")
		if err != nil || got != want {
			t.Fatalf("GET: %q, %v; want %q", got, err, want)
		}
	}
	if u := r.unused(); len(u) != 0 {
		t.Errorf("unused = %v", u)
	}
}

func TestReplayMissShowsDiff(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "Scenario.yaml")
	if err := os.WriteFile(f, []byte(handWritten), 0o644); err != nil {
		t.Fatal(err)
	}
	// missMessage, not RoundTrip: the expected miss must not fail this test.
	r, err := loadReplayer(t, f)
	if err != nil {
		t.Fatal(err)
	}
	msg := r.missMessage(keyOf("POST", "https://api.example/v1/payments?a=2&b=1",
		`{"reference":"r1","amount":{"value":10.5,"currency":"EUR"},"card":{"number":"4012000000003010","cvv":"123"}}`))
	for _, want := range []string{
		"request not in cassette",
		`-     "value": 10.50`,
		`+     "value": 10.5`,
		"closest recorded interaction #1 (unused)",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("miss message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "4012000000003010") || strings.Contains(msg, `"123"`) {
		t.Errorf("miss message leaks card data:\n%s", msg)
	}
	if r.unused() == nil {
		t.Error("no interaction should be used")
	}
}

func TestMissingCassetteIsAnError(t *testing.T) {
	_, err := loadReplayer(t, filepath.Join(t.TempDir(), "Nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "is missing") || !strings.Contains(err.Error(), RecordEnv+"=sim") {
		t.Fatalf("err = %v", err)
	}
}

// TestMissingCassetteFailsTheSuite runs the suite in a child process with
// no cassettes: it must fail, not skip.
func TestMissingCassetteFailsTheSuite(t *testing.T) {
	if os.Getenv("CONFORMANCE_CHILD") == "missing" {
		h := fakeHarness(filepath.Join(os.TempDir(), "conformance-no-such-dir"), false)
		Run(t, h)
		return
	}
	out, err := child(t, "TestMissingCassetteFailsTheSuite", "missing", RecordEnv+"=")
	if err == nil {
		t.Fatalf("the suite passed without cassettes:\n%s", out)
	}
	s := string(out)
	if !strings.Contains(s, "--- FAIL: TestMissingCassetteFailsTheSuite/OneStepSale") || !strings.Contains(s, "is missing") {
		t.Errorf("unexpected output:\n%s", s)
	}
	if strings.Contains(s, "--- SKIP: TestMissingCassetteFailsTheSuite/OneStepSale") {
		t.Errorf("a missing cassette was skipped:\n%s", s)
	}
}

func TestBadModeFails(t *testing.T) {
	t.Setenv(RecordEnv, "bogus")
	if m := CurrentMode(); m.Valid() {
		t.Fatalf("CurrentMode() = %q, valid", m)
	}
	t.Setenv(RecordEnv, "sim")
	if CurrentMode() != ModeSim {
		t.Fatal("sim")
	}
	t.Setenv(RecordEnv, "")
	if CurrentMode() != ModeReplay {
		t.Fatal("replay")
	}
}

func TestRewriteHosts(t *testing.T) {
	sim := newFakeSim(t)
	rt := RewriteHosts(map[string]string{fakeHost: sim.srv.URL})
	req, _ := http.NewRequest("GET", fakeBase+"/v1/payments/nope", nil)
	req.Header.Set("Authorization", "Bearer "+fakeAPIKey)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("status %d, want the simulator's 404", resp.StatusCode)
	}
	req, _ = http.NewRequest("GET", "https://other.example/x", nil)
	if _, err := rt.RoundTrip(req); err == nil || !strings.Contains(err.Error(), "no simulator for host") {
		t.Errorf("unknown host: %v", err)
	}
	if _, err := RewriteHosts(map[string]string{"a": "not a url"}).RoundTrip(req); err == nil {
		t.Error("a bad base URL was accepted")
	}
}

// child runs one test of this binary in a child process with extra
// environment, for checks that the suite fails.
func child(t *testing.T, test, role string, env ...string) ([]byte, error) {
	t.Helper()
	if testing.Short() {
		t.Skip("spawns a child test process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
	cmd.Env = append(append(os.Environ(), "CONFORMANCE_CHILD="+role), env...)
	return cmd.CombinedOutput()
}

// TestLiveNeedsCredentials: ModeLive without the harness's variables fails
// at once and names them.
func TestLiveNeedsCredentials(t *testing.T) {
	if os.Getenv("CONFORMANCE_CHILD") == "live" {
		h := fakeHarness(t.TempDir(), false)
		h.LiveEnv = []string{"CONFORMANCE_TEST_NO_SUCH_KEY", "CONFORMANCE_TEST_NO_SUCH_SITE"}
		Run(t, h)
		return
	}
	out, err := child(t, "TestLiveNeedsCredentials", "live", RecordEnv+"=live")
	if err == nil {
		t.Fatalf("live mode ran without credentials:\n%s", out)
	}
	if !strings.Contains(string(out), "[CONFORMANCE_TEST_NO_SUCH_KEY CONFORMANCE_TEST_NO_SUCH_SITE]") {
		t.Errorf("the failure does not name the variables:\n%s", out)
	}
}

// TestRecorderStripsLiveSuffix: in ModeLive references carry a run suffix
// that the saved cassette must not.
func TestRecorderStripsLiveSuffix(t *testing.T) {
	sim := newFakeSim(t)
	file := filepath.Join(t.TempDir(), "S.yaml")
	rec, stop, err := startRecorder(t, file, RewriteHosts(map[string]string{fakeHost: sim.srv.URL}), "-run123")
	if err != nil {
		t.Fatal(err)
	}
	d := &fakeDriver{rt: rec}
	p, err := d.Authorize(t.Context(), fakeRequest("conf-S-1-run123", "4012000000003010", nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Status(t.Context(), &payments.StatusRequest{Reference: p.Reference}); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(file)
	if strings.Contains(string(data), "run123") || !strings.Contains(string(data), "conf-S-1") {
		t.Errorf("cassette:\n%s", data)
	}
	// And it replays with the deterministic reference.
	r, err := loadReplayer(t, file)
	if err != nil {
		t.Fatal(err)
	}
	d = &fakeDriver{rt: r}
	if _, err := d.Authorize(t.Context(), fakeRequest("conf-S-1", "4012000000003010", nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Status(t.Context(), &payments.StatusRequest{Reference: "conf-S-1"}); err != nil {
		t.Fatal(err)
	}
}

// TestEmptyRecordingLeavesEmptyCassette: a scenario that sent nothing in
// sim mode still has a cassette, and replaying it allows no request.
func TestEmptyRecordingLeavesEmptyCassette(t *testing.T) {
	file := filepath.Join(t.TempDir(), "E.yaml")
	_, stop, err := startRecorder(t, file, errTransport{}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	r, err := loadReplayer(t, file)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.items) != 0 || len(r.unused()) != 0 {
		t.Errorf("empty cassette has %d interactions", len(r.items))
	}
}
