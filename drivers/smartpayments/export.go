package smartpayments

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/gopayments/payments"
	"github.com/gopayments/payments/internal/httpx"
)

// ExportStatus is the "status" filter of an export: the transaction
// statuses the document lists for it.
type ExportStatus int64

// The documented export filters.
const (
	ExportSucceeded ExportStatus = 2
	ExportPending   ExportStatus = 1
	ExportFailed    ExportStatus = -1
)

// ExportRequest asks for the list of transactions of one type and status
// created in [From, To].
type ExportRequest struct {
	// Type is TypePayment, TypeWithdrawal or TypeRefund. Required.
	Type string
	// Status is the status the transactions are in. Required.
	Status ExportStatus
	// From and To bound the transactions' dates (sent in Unix
	// milliseconds). Required; From must not be after To.
	From, To time.Time
	// PollInterval is the first wait between task status polls (default
	// 1s); it doubles up to MaxPollInterval (default 30s). The context
	// bounds the whole wait.
	PollInterval, MaxPollInterval time.Duration
}

// XLSXContentType is the media type of an export.
const XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Export creates an export task (POST .../transaction/excel), polls its
// status (GET .../task/{id}) with backoff until it reports success (2) or
// failure (-1) or ctx ends, then returns the xlsx document
// (GET .../task/{id}/result). The caller closes it.
//
// The result is read whole through the driver's HTTP plumbing (capped at
// Config.MaxExportBytes) before it is returned, so that transport failures
// are classified like every other call.
func (g *Gateway) Export(ctx context.Context, req *ExportRequest) (io.ReadCloser, error) {
	if req == nil {
		return nil, nilRequest()
	}
	id, err := g.CreateExport(ctx, req)
	if err != nil {
		return nil, err
	}
	wait := req.PollInterval
	if wait <= 0 {
		wait = time.Second
	}
	maxWait := req.MaxPollInterval
	if maxWait <= 0 {
		maxWait = 30 * time.Second
	}
	for {
		st, err := g.ExportTaskStatus(ctx, id)
		if err != nil {
			return nil, err
		}
		switch st {
		case statusSuccess:
			return g.ExportResult(ctx, id)
		case statusFail:
			return nil, &payments.Error{Code: payments.Unavailable, Provider: Name, ProviderCode: providerStatus(st), Message: "export: task " + id + " failed"}
		}
		if err := g.sleep(ctx, wait); err != nil {
			return nil, &payments.Error{Code: payments.Unavailable, Provider: Name, Message: "export: task " + id + " not ready before the context ended", Err: err}
		}
		wait = min(2*wait, maxWait)
	}
}

// CreateExport creates an export task and returns its id.
func (g *Gateway) CreateExport(ctx context.Context, req *ExportRequest) (string, error) {
	if req == nil {
		return "", nilRequest()
	}
	var p problems
	switch req.Type {
	case TypePayment, TypeWithdrawal, TypeRefund:
	default:
		p.add("type", "must be Payment, Withdrawal or Refund")
	}
	switch req.Status {
	case ExportSucceeded, ExportPending, ExportFailed:
	default:
		p.add("status", "must be 2, 1 or -1")
	}
	if req.From.IsZero() {
		p.add("from", "required")
	}
	if req.To.IsZero() {
		p.add("to", "required")
	}
	if !req.From.IsZero() && !req.To.IsZero() && req.From.After(req.To) {
		p.add("from", "after to")
	}
	if err := p.err(); err != nil {
		return "", err
	}
	body := exportRequest{Type: req.Type, Status: int64(req.Status), DateFrom: req.From.UnixMilli(), DateTo: req.To.UnixMilli()}
	const op = "export"
	resp, err := g.api.Do(ctx, httpx.Call{Op: op, Method: http.MethodPost, URL: g.urls.export, Body: body, Safety: httpx.Query})
	if err != nil {
		return "", err
	}
	w, err := decodeTask(op, resp)
	if err != nil {
		return "", err
	}
	if w.Status.V == statusFail {
		return "", &payments.Error{Code: payments.Unavailable, Provider: Name, Message: "export: task creation failed"}
	}
	return str(w.ID), nil
}

// ExportTaskStatus returns an export task's status: 1 pending, 2 success,
// -1 failure.
func (g *Gateway) ExportTaskStatus(ctx context.Context, id string) (int64, error) {
	if id == "" {
		return 0, payments.InvalidField("id", "required")
	}
	const op = "export-status"
	resp, err := g.api.Do(ctx, httpx.Call{Op: op, Method: http.MethodGet, URL: g.urls.exportTask + url.PathEscape(id), Safety: httpx.Query})
	if err != nil {
		return 0, err
	}
	w, err := decodeTask(op, resp)
	if err != nil {
		return 0, err
	}
	if got := str(w.ID); got != id {
		return 0, integrity("export-status: asked for task %q, answered %q", id, got)
	}
	return w.Status.V, nil
}

func decodeTask(op string, resp *httpx.Response) (*exportTaskResponse, error) {
	if !resp.OK() {
		return nil, httpError(op, httpx.Query, resp)
	}
	var w exportTaskResponse
	if err := httpx.DecodeJSON(Name, httpx.Query, op, resp, &w); err != nil {
		return nil, err
	}
	if str(w.ID) == "" || !w.Status.Valid {
		return nil, integrity("%s: the answer has no id or status", op)
	}
	return &w, nil
}

// ExportResult downloads a finished export task's xlsx document.
func (g *Gateway) ExportResult(ctx context.Context, id string) (io.ReadCloser, error) {
	if id == "" {
		return nil, payments.InvalidField("id", "required")
	}
	const op = "export-result"
	resp, err := g.export.Do(ctx, httpx.Call{Op: op, Method: http.MethodGet, URL: g.urls.exportTask + url.PathEscape(id) + pathExportResult,
		Header: http.Header{"Accept": {XLSXContentType + ", application/octet-stream, */*"}}, Safety: httpx.Query})
	if err != nil {
		return nil, err
	}
	if !resp.OK() {
		return nil, httpError(op, httpx.Query, resp)
	}
	// An xlsx document is a zip archive.
	if !bytes.HasPrefix(resp.Body, []byte("PK\x03\x04")) {
		return nil, integrity("export-result: the answer is not an xlsx document (%d bytes, %s)", len(resp.Body), fmt.Sprint(resp.Header.Get("Content-Type")))
	}
	return io.NopCloser(bytes.NewReader(resp.Body)), nil
}
