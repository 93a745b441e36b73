package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/dnaeon/go-vcr/v2/cassette"
	"github.com/dnaeon/go-vcr/v2/recorder"
)

// emptyCassette is what a recording that made no request leaves, so that
// replay finds a cassette and checks that no request is made.
const emptyCassette = "---\nversion: 1\ninteractions: []\n"

// cassettePath is the file of a scenario's cassette.
func cassettePath(dir, scenario string) string {
	return filepath.Join(dir, scenario+".yaml")
}

// replayer answers requests from a cassette: each request is matched, in
// order, against the first interaction not used yet whose method, path,
// query and canonical scrubbed body are equal to its own.
type replayer struct {
	t    *testing.T
	file string

	mu    sync.Mutex
	items []*cassette.Interaction
	keys  []requestKey
	used  []bool
}

// loadReplayer reads a cassette for replay. A missing file is an error
// that says how to record it.
func loadReplayer(t *testing.T, file string) (*replayer, error) {
	name := strings.TrimSuffix(file, ".yaml")
	c, err := cassette.Load(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("cassette %s is missing: record it with %s=sim go test -run '%s' (see package conformance)", file, RecordEnv, t.Name())
		}
		return nil, fmt.Errorf("cassette %s: %w", file, err)
	}
	if c.Version != 1 {
		return nil, fmt.Errorf("cassette %s: version %d, want 1", file, c.Version)
	}
	r := &replayer{t: t, file: file, items: c.Interactions}
	r.keys = make([]requestKey, len(c.Interactions))
	r.used = make([]bool, len(c.Interactions))
	for i, it := range c.Interactions {
		if it == nil {
			return nil, fmt.Errorf("cassette %s: interaction %d is empty", file, i)
		}
		r.keys[i] = keyOf(it.Request.Method, it.Request.URL, it.Request.Body)
	}
	return r, nil
}

func (r *replayer) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	k := keyOf(req.Method, req.URL.String(), string(body))
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, rk := range r.keys {
		if !r.used[i] && rk == k {
			r.used[i] = true
			return response(req, r.items[i]), nil
		}
	}
	msg := r.missMessage(k)
	r.t.Errorf("%s", msg)
	return nil, errors.New(msg)
}

// missMessage explains a request the cassette does not hold, with a diff
// against the closest recorded interaction.
func (r *replayer) missMessage(k requestKey) string {
	best, bestScore := -1, -1
	for i, rk := range r.keys {
		s := 2 * similarity(rk, k)
		if !r.used[i] {
			s++ // prefer an interaction still to be used
		}
		if s > bestScore {
			best, bestScore = i, s
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "conformance: request not in cassette %s:\n%s", r.file, indent(k.String()))
	if best < 0 {
		b.WriteString("the cassette holds no interaction; re-record it")
		return b.String()
	}
	state := "unused"
	if r.used[best] {
		state = "already used: a cassette answers each recorded request once, in order"
	}
	fmt.Fprintf(&b, "closest recorded interaction #%d (%s); - recorded, + sent:\n%s", best+1, state, lineDiff(r.keys[best].String(), k.String()))
	b.WriteString("if the driver's request changed on purpose, re-record with " + RecordEnv + "=sim")
	return b.String()
}

// unused lists the interactions no request matched.
func (r *replayer) unused() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for i, u := range r.used {
		if !u {
			out = append(out, fmt.Sprintf("#%d %s %s", i+1, r.keys[i].Method, r.keys[i].Path))
		}
	}
	return out
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n    ") + "\n"
}

func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("conformance: reading request body: %w", err)
	}
	return b, nil
}

// response builds the recorded answer. Recorded latency is never replayed.
func response(req *http.Request, it *cassette.Interaction) *http.Response {
	status := it.Response.Status
	if status == "" {
		status = strconv.Itoa(it.Response.Code) + " " + http.StatusText(it.Response.Code)
	}
	h := it.Response.Headers.Clone()
	if h == nil {
		h = http.Header{}
	}
	body := []byte(it.Response.Body)
	if h.Get("Content-Length") != "" {
		// Scrubbing may have changed the body's length.
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	return &http.Response{
		Status:        status,
		StatusCode:    it.Response.Code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

// startRecorder deletes the scenario's cassette and records a new one
// through real. The returned stop function saves it, scrubbed; in ModeLive
// it also replaces every occurrence of the run's reference suffix so that
// the cassette holds the deterministic references replay will send.
func startRecorder(t *testing.T, file string, real http.RoundTripper, runSuffix string) (http.RoundTripper, func() error, error) {
	if err := os.Remove(file); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return nil, nil, err
	}
	rec, err := recorder.NewAsMode(strings.TrimSuffix(file, ".yaml"), recorder.ModeRecording, real)
	if err != nil {
		return nil, nil, err
	}
	rec.SkipRequestLatency = true
	count := 0
	var mu sync.Mutex
	rec.AddFilter(func(*cassette.Interaction) error {
		mu.Lock()
		count++
		mu.Unlock()
		return nil
	})
	if runSuffix != "" {
		rec.AddSaveFilter(func(i *cassette.Interaction) error {
			strip := func(s string) string { return strings.ReplaceAll(s, runSuffix, "") }
			i.Request.URL = strip(i.Request.URL)
			i.Request.Body = strip(i.Request.Body)
			i.Response.Body = strip(i.Response.Body)
			for k, vs := range i.Request.Form {
				for j := range vs {
					vs[j] = strip(vs[j])
				}
				i.Request.Form[k] = vs
			}
			for _, h := range []http.Header{i.Request.Headers, i.Response.Headers} {
				for _, vs := range h {
					for j := range vs {
						vs[j] = strip(vs[j])
					}
				}
			}
			return nil
		})
	}
	rec.AddSaveFilter(scrubInteraction)
	stop := func() error {
		if err := rec.Stop(); err != nil {
			return err
		}
		mu.Lock()
		n := count
		mu.Unlock()
		if n == 0 {
			return os.WriteFile(file, []byte(emptyCassette), 0o644)
		}
		t.Logf("recorded %d interactions to %s", n, file)
		return nil
	}
	return rec, stop, nil
}
