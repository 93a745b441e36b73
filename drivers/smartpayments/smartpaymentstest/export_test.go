package smartpaymentstest_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"

	sp "github.com/gopayments/payments/drivers/smartpayments/smartpaymentstest"
)

// sheetRows reads the cells of xl/worksheets/sheet1.xml, checking that every
// part of a minimal workbook is present and well-formed XML.
func sheetRows(t *testing.T, data []byte) [][]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("result is not a zip: %v", err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		parts[f.Name] = b
		dec := xml.NewDecoder(bytes.NewReader(b))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
			}
		}
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"} {
		if parts[name] == nil {
			t.Fatalf("workbook part %s missing", name)
		}
	}
	var ws struct {
		Rows []struct {
			Cells []struct {
				Type   string `xml:"t,attr"`
				Value  string `xml:"v"`
				Inline string `xml:"is>t"`
			} `xml:"c"`
		} `xml:"sheetData>row"`
	}
	if err := xml.Unmarshal(parts["xl/worksheets/sheet1.xml"], &ws); err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, r := range ws.Rows {
		var row []string
		for _, c := range r.Cells {
			if c.Type == "inlineStr" {
				row = append(row, c.Inline)
			} else {
				row = append(row, c.Value)
			}
		}
		out = append(out, row)
	}
	return out
}

func TestExport(t *testing.T) {
	// Inside the document's example range (2023-01-23 .. 2023-03-24).
	at := time.Date(2023, 3, 1, 12, 0, 0, 0, time.UTC)
	srv := newSim(t, sp.WithClock(func() time.Time { return at }))
	h2h(t, srv, "e-1", sp.CardFrictionless, 1000, nil)
	h2h(t, srv, "e-2", sp.CardDeclined, 2051, nil)
	h2h(t, srv, "e-<&>", sp.CardFrictionless, 3000, nil) // must be escaped in the sheet
	post(t, srv, srv.BaseURL(), "/refund", `{"order_id":"e-1","amount":100,"reason":"r"}`)
	post(t, srv, srv.CardBaseURL(), "/withdrawal/init", `{"account":"p","order_id":"e-w","amount":100,"customer_card_number":"4012000000003010"}`)

	r := post(t, srv, srv.ExportBaseURL(), sp.ExportPath, docExportReq)
	wantCode(t, r, http.StatusOK)
	sameShape(t, r, docExportCreateResp)
	wantEqual(t, "status", r.num("status"), 1)
	id := r.str("id")
	if !processingID.MatchString(id) {
		t.Errorf("task id %q", id)
	}
	taskURL := srv.ExportBaseURL() + sp.ExportPath + "/task/" + id

	st := get(t, srv, taskURL)
	wantCode(t, st, http.StatusOK)
	sameShape(t, st, docExportStatusResp)
	wantEqual(t, "first poll", st.num("status"), 1)
	early := get(t, srv, taskURL+"/result")
	wantCode(t, early, http.StatusBadRequest)
	wantEqual(t, "err", early.str("err"), sp.ErrCodeTaskNotReady)
	wantEqual(t, "second poll", get(t, srv, taskURL).num("status"), 2)
	wantEqual(t, "id", get(t, srv, taskURL).str("id"), id)

	res := get(t, srv, taskURL+"/result")
	wantCode(t, res, http.StatusOK)
	wantEqual(t, "Content-Type", res.header.Get("Content-Type"), sp.XLSXContentType)
	rows := sheetRows(t, res.raw)
	if len(rows) != 3 {
		t.Fatalf("%d rows, want header + 2 successful payments: %v", len(rows), rows)
	}
	if !reflect.DeepEqual(rows[0], sp.ExportColumns) {
		t.Errorf("header %v", rows[0])
	}
	ps, _ := srv.Payment("e-1")
	want := []string{"e-1", ps.ProcessingID, "Payment", "2", "1000", "900", "EUR", "EUR-sandbox", "401200******3010",
		"2023-03-01T12:00:00.000Z", "2023-03-01T12:00:00.000Z", ""}
	if !reflect.DeepEqual(rows[1], want) {
		t.Errorf("row\n got %v\nwant %v", rows[1], want)
	}
	wantEqual(t, "second row", rows[2][0], "e-<&>")

	// Other filters; dateTo may be a string (the document's table types it so).
	cases := []struct {
		body string
		rows int
	}{
		{`{"type":"Payment","status":-1,"dateFrom":0,"dateTo":"9999999999999"}`, 1},
		{`{"type":"Refund","status":2,"dateFrom":0,"dateTo":9999999999999}`, 1},
		{`{"type":"Withdrawal","status":2,"dateFrom":0,"dateTo":9999999999999}`, 1},
		{`{"type":"Payment","status":2,"dateFrom":0,"dateTo":1000}`, 0},
	}
	for _, c := range cases {
		r := post(t, srv, srv.ExportBaseURL(), sp.ExportPath, c.body)
		wantCode(t, r, http.StatusOK)
		u := srv.ExportBaseURL() + sp.ExportPath + "/task/" + r.str("id")
		get(t, srv, u)
		get(t, srv, u)
		if n := len(sheetRows(t, get(t, srv, u+"/result").raw)) - 1; n != c.rows {
			t.Errorf("%s: %d rows, want %d", c.body, n, c.rows)
		}
	}

	for _, body := range []string{
		`{"type":"Payout","status":2,"dateFrom":0,"dateTo":1}`,
		`{"status":2,"dateFrom":0,"dateTo":1}`,
		`{"type":"Payment","status":7,"dateFrom":0,"dateTo":1}`,
		`{"type":"Payment","status":2,"dateFrom":"0","dateTo":1}`,
		`{"type":"Payment","status":2,"dateFrom":0}`,
	} {
		r := post(t, srv, srv.ExportBaseURL(), sp.ExportPath, body)
		wantCode(t, r, http.StatusBadRequest)
		sameShape(t, r, `{"status": -1, "err": "x", "msg": "x"}`)
	}
	wantCode(t, get(t, srv, srv.ExportBaseURL()+sp.ExportPath+"/task/nope"), http.StatusNotFound)
	wantCode(t, get(t, srv, srv.ExportBaseURL()+sp.ExportPath+"/task/nope/result"), http.StatusNotFound)
	wantCode(t, post(t, srv, srv.ExportBaseURL(), sp.ExportPath+"/task/"+id, `{}`), http.StatusMethodNotAllowed)
	wantCode(t, get(t, srv, srv.ExportBaseURL()+sp.ExportPath), http.StatusMethodNotAllowed)
}

func TestExportPolls(t *testing.T) {
	for _, c := range []struct {
		polls      int
		create     int64
		firstPolls []int64
	}{
		{0, 2, []int64{2}},
		{1, 1, []int64{2}},
		{3, 1, []int64{1, 1, 2, 2}},
	} {
		srv := newSim(t, sp.WithExportPolls(c.polls))
		r := post(t, srv, srv.ExportBaseURL(), sp.ExportPath, docExportReq)
		wantEqual(t, "create status", r.num("status"), c.create)
		for i, want := range c.firstPolls {
			got := get(t, srv, srv.ExportBaseURL()+sp.ExportPath+"/task/"+r.str("id")).num("status")
			if got != want {
				t.Errorf("polls=%d: poll %d status %d, want %d", c.polls, i+1, got, want)
			}
		}
	}
}
