package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gopayments/payments"
)

func TestReadBody(t *testing.T) {
	body := strings.Repeat("x", 1000)
	tests := []struct {
		name      string
		r         io.Reader
		hint, max int64
		want      int // bytes returned
		wantCap   int // 0: not checked
	}{
		{"announced length: one buffer of that size", strings.NewReader(body), 1000, 4096, 1000, 1001},
		{"unknown length grows", strings.NewReader(body), -1, 4096, 1000, 0},
		{"one byte at a time", iotest.OneByteReader(strings.NewReader(body)), 1000, 4096, 1000, 1001},
		{"announced too short: still read whole", strings.NewReader(body), 10, 4096, 1000, 0},
		{"announced too long", strings.NewReader(body), 100000, 4096, 1000, 4097},
		{"oversized: stops at max+1", strings.NewReader(body), -1, 100, 101, 0},
		{"oversized, announced", strings.NewReader(body), 1000, 100, 101, 101},
		{"empty", strings.NewReader(""), 0, 4096, 0, 1},
		{"huge announcement is not trusted", strings.NewReader(body), 1 << 40, 1 << 30, 1000, 256<<10 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readBody(tt.r, tt.hint, tt.max)
			require.NoError(t, err)
			assert.Equal(t, body[:tt.want], string(got))
			if tt.wantCap > 0 {
				assert.Equal(t, tt.wantCap, cap(got))
			}
		})
	}
	_, err := readBody(iotest.ErrReader(io.ErrUnexpectedEOF), 10, 100)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestRequestHeaders(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		_, _ = io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	ctx := context.Background()

	c := New(Config{Provider: "test"})
	c.SetBasicAuth("user", "pass")
	_, err := c.Do(ctx, Call{Op: "op", Method: http.MethodPost, URL: srv.URL, Body: map[string]int{"a": 1}})
	require.NoError(t, err)
	assert.Equal(t, "application/json", got.Get("Accept"))
	assert.Equal(t, "application/json", got.Get("Content-Type"))
	assert.Equal(t, DefaultUserAgent, got.Get("User-Agent"))
	assert.Equal(t, "Basic dXNlcjpwYXNz", got.Get("Authorization"))
	assert.Equal(t, "7", got.Get("Content-Length"))

	c = New(Config{Provider: "test", Header: http.Header{"User-Agent": {"shop/1.0"}, "x-custom": {"a", "b"}}})
	c.SetAuthorization("Bearer t")
	_, err = c.Do(ctx, Call{Op: "op", Method: http.MethodGet, URL: srv.URL,
		Header: http.Header{"X-Custom": {"call"}, "Accept": {"text/plain"}}, Authorization: "Bearer call"})
	require.NoError(t, err)
	assert.Equal(t, "shop/1.0", got.Get("User-Agent"))
	assert.Equal(t, []string{"call"}, got.Values("X-Custom"), "a call's header replaces the client's")
	assert.Equal(t, "text/plain", got.Get("Accept"))
	assert.Equal(t, "Bearer call", got.Get("Authorization"))
	assert.Empty(t, got.Get("Content-Type"), "no body, no content type")

	_, err = c.Do(ctx, Call{Op: "op", Method: http.MethodGet, URL: srv.URL})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, got.Values("X-Custom"), "non-canonical config keys are canonicalised")
	assert.Equal(t, "Bearer t", got.Get("Authorization"))
}

func TestDecodeJSONRejectsTrailingData(t *testing.T) {
	var v struct{ A int }
	for _, safety := range []Safety{Query, MoneyMoving} {
		err := DecodeJSON("test", safety, "op", &Response{StatusCode: 200, Body: []byte(`{"A":1} {"A":2}`)}, &v)
		var pe *payments.Error
		require.True(t, errors.As(err, &pe), "%v", err)
		want := payments.Integrity
		if safety != Query {
			want = payments.OutcomeUnknown
		}
		assert.Equal(t, want, pe.Code)
	}
	require.NoError(t, DecodeJSON("test", Query, "op", &Response{StatusCode: 200, Body: []byte(" {\"A\":1}\n")}, &v))
	assert.Equal(t, 1, v.A)
}
