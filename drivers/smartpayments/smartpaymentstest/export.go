package smartpaymentstest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ExportPath is the path of the export API on the export host.
const ExportPath = "/aggregation-service/public/transaction/excel"

// XLSXContentType is the Content-Type of an export result.
const XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// ExportColumns are the header row of an export result. The document does
// not describe the sheet; amounts are integer minor units, dates ISO 8601 UTC.
var ExportColumns = []string{
	"Order ID", "Processing ID", "Type", "Status", "Amount", "Final amount",
	"Currency", "Account", "Card", "Created", "End date", "Error",
}

type exportTask struct {
	id    string
	polls int
	xlsx  []byte
}

type exportTaskResponse struct {
	ID     string `json:"id"`
	Status int    `json:"status"`
}

// handleExport serves the export host:
//
//	POST {ExportPath}                  create a task
//	GET  {ExportPath}/task/{id}        task status
//	GET  {ExportPath}/task/{id}/result the .xlsx
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		s.frameworkError(w, r, http.StatusUnauthorized)
		return
	}
	if r.URL.Path == ExportPath {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			s.frameworkError(w, r, http.StatusMethodNotAllowed)
			return
		}
		if !isJSON(r.Header.Get("Content-Type")) {
			s.frameworkError(w, r, http.StatusUnsupportedMediaType)
			return
		}
		f, rerr := decodeFields(r)
		var resp any
		if rerr == nil {
			resp, rerr = s.createExport(f)
		}
		if rerr != nil {
			writeJSON(w, rerr.status, errorBody(styleGeneric, rerr, nil))
			return
		}
		writeJSON(w, http.StatusOK, resp)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, ExportPath+"/task/")
	id, result := strings.CutSuffix(rest, "/result")
	if !ok || id == "" || strings.Contains(id, "/") {
		s.frameworkError(w, r, http.StatusNotFound)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		s.frameworkError(w, r, http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	task := s.tasks[id]
	if task == nil {
		s.mu.Unlock()
		writeJSON(w, http.StatusNotFound, genericErrorBody{Status: StatusFail, Err: ErrCodeTaskNotFound, Msg: "Task " + id + " not found"})
		return
	}
	if !result {
		task.polls++
	}
	status := StatusProcessing
	if task.polls >= s.cfg.exportPolls {
		status = StatusSuccess
	}
	data := task.xlsx
	s.mu.Unlock()

	if !result {
		writeJSON(w, http.StatusOK, exportTaskResponse{ID: id, Status: status})
		return
	}
	if status != StatusSuccess {
		writeJSON(w, http.StatusBadRequest, genericErrorBody{Status: StatusProcessing, Err: ErrCodeTaskNotReady, Msg: "Task " + id + " is not finished"})
		return
	}
	w.Header().Set("Content-Type", XLSXContentType)
	w.Header().Set("Content-Disposition", `attachment; filename="transactions.xlsx"`)
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

func (s *Server) createExport(f *fields) (any, *reqError) {
	typ := f.str("type", true)
	if typ != "" && typ != TypePayment && typ != TypeWithdrawal && typ != TypeRefund {
		f.fail("type must be one of: Payment, Withdrawal, Refund")
	}
	status, _ := f.long("status", true, false)
	if status < StatusFail || status > StatusSuccess {
		f.fail("status must be one of: 2, 1, -1")
	}
	from, _ := f.long("dateFrom", true, false)
	to, _ := f.long("dateTo", true, true)
	if f.err != nil {
		return nil, f.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rows := [][]any{}
	for _, t := range s.txns {
		ms := t.created.UnixMilli()
		if t.kind != typ || int64(t.status) != status || ms < from || ms > to {
			continue
		}
		rows = append(rows, exportRow(t))
	}
	task := &exportTask{id: s.newTaskID(), xlsx: buildXLSX(ExportColumns, rows)}
	s.tasks[task.id] = task
	status1 := StatusProcessing
	if s.cfg.exportPolls <= 0 {
		status1 = StatusSuccess
	}
	return exportTaskResponse{ID: task.id, Status: status1}, nil
}

func exportRow(t *txn) []any {
	card := ""
	if c := t.card(); c != nil {
		card = c.Number
	}
	ended := ""
	if !t.ended.IsZero() {
		ended = fmtTime(t.ended)
	}
	return []any{
		t.orderID, t.pid, t.kind, int64(t.status), t.amount, t.finalAmount(),
		t.currency, t.account, card, fmtTime(t.created), ended, t.errCode,
	}
}

// buildXLSX writes a minimal valid workbook: one sheet, inline strings,
// numbers as numeric cells. Entries carry a fixed date so output is stable.
func buildXLSX(header []string, rows [][]any) []byte {
	var sheet strings.Builder
	sheet.WriteString(xml.Header)
	sheet.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	writeRow := func(n int, cells []any) {
		fmt.Fprintf(&sheet, `<row r="%d">`, n)
		for i, c := range cells {
			ref := fmt.Sprintf("%c%d", 'A'+i, n)
			switch v := c.(type) {
			case int64:
				fmt.Fprintf(&sheet, `<c r="%s"><v>%d</v></c>`, ref, v)
			default:
				fmt.Fprintf(&sheet, `<c r="%s" t="inlineStr"><is><t>`, ref)
				_ = xml.EscapeText(&sheet, []byte(fmt.Sprint(v)))
				sheet.WriteString(`</t></is></c>`)
			}
		}
		sheet.WriteString(`</row>`)
	}
	head := make([]any, len(header))
	for i, h := range header {
		head[i] = h
	}
	writeRow(1, head)
	for i, r := range rows {
		writeRow(i+2, r)
	}
	sheet.WriteString(`</sheetData></worksheet>`)

	files := []struct{ name, body string }{
		{"[Content_Types].xml", xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`</Types>`},
		{"_rels/.rels", xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
			`</Relationships>`},
		{"xl/workbook.xml", xml.Header + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="Transactions" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`</Relationships>`},
		{"xl/worksheets/sheet1.xml", sheet.String()},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	stamp := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: stamp})
		if err == nil {
			_, err = w.Write([]byte(f.body))
		}
		if err != nil {
			panic("smartpaymentstest: building xlsx: " + err.Error()) // writes to memory cannot fail
		}
	}
	if err := zw.Close(); err != nil {
		panic("smartpaymentstest: building xlsx: " + err.Error())
	}
	return buf.Bytes()
}
