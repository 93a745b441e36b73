package httpx

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"

	"github.com/gopayments/payments/internal/redact"
)

// Safe printing of driver configurations and gateways. A driver's Config
// and *Gateway print through these helpers for every fmt verb and slog, so
// that no credential reaches a log line: Secret fields show "[REDACTED]",
// URLs lose their user info and secret query parameters, and clients,
// loggers and functions show only whether they are set.

// FormatSafe writes an already safe text for any fmt verb (%q quotes it,
// %#v writes goText).
func FormatSafe(f fmt.State, verb rune, text, goText string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, goText)
	case verb == 'q':
		fmt.Fprint(f, strconv.Quote(text))
	default:
		fmt.Fprint(f, text)
	}
}

// ConfigString renders a configuration struct (or a pointer to one) as
// fmt's %+v would, with its fields made safe; goSyntax renders it as %#v
// would, named name.
func ConfigString(name string, cfg any, goSyntax bool) string {
	v := reflect.ValueOf(cfg)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "<nil>"
		}
		v = v.Elem()
	}
	var b strings.Builder
	writeStruct(&b, v, v.Type().PkgPath(), goSyntax, name)
	return b.String()
}

func writeStruct(b *strings.Builder, v reflect.Value, pkg string, goSyntax bool, name string) {
	if goSyntax {
		b.WriteString(name)
	}
	b.WriteByte('{')
	n := 0
	for i := 0; i < v.NumField(); i++ {
		sf := v.Type().Field(i)
		if !sf.IsExported() {
			continue
		}
		if n > 0 {
			if goSyntax {
				b.WriteString(", ")
			} else {
				b.WriteByte(' ')
			}
		}
		n++
		b.WriteString(sf.Name)
		b.WriteByte(':')
		writeField(b, v.Field(i), pkg, goSyntax)
	}
	b.WriteByte('}')
}

func writeField(b *strings.Builder, f reflect.Value, pkg string, goSyntax bool) {
	if lv, ok := f.Interface().(slog.LogValuer); ok && f.Kind() == reflect.String {
		// A redacting type (payments.Secret, CVV, WalletToken).
		s := lv.LogValue().String()
		if goSyntax {
			s = strconv.Quote(s)
		}
		b.WriteString(s)
		return
	}
	switch f.Kind() {
	case reflect.String:
		s := f.String()
		if strings.Contains(s, "://") {
			s = redact.URL(s)
		}
		if goSyntax {
			s = strconv.Quote(s)
		}
		b.WriteString(s)
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if goSyntax {
			fmt.Fprintf(b, "%#v", f.Interface())
		} else {
			fmt.Fprint(b, f.Interface())
		}
	case reflect.Pointer:
		switch {
		case f.IsNil():
			b.WriteString("nil")
		case f.Elem().Kind() == reflect.Struct && f.Elem().Type().PkgPath() == pkg:
			// The driver's own option structs (OAuth, NotificationAuth).
			b.WriteByte('&')
			writeStruct(b, f.Elem(), pkg, goSyntax, typeName(f.Elem().Type()))
		default:
			b.WriteString("(" + f.Type().String() + ")(set)")
		}
	default:
		if f.IsZero() {
			b.WriteString("nil")
		} else {
			b.WriteString("(" + f.Type().String() + ")(set)")
		}
	}
}

func typeName(t reflect.Type) string {
	p := t.PkgPath()
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	return p + "." + t.Name()
}

// ConfigLogValue is the slog form of a configuration: a group of its
// fields, made safe as ConfigString makes them.
func ConfigLogValue(cfg any) slog.Value {
	fields, ok := safeFields(cfg)
	if !ok {
		return slog.StringValue("<nil>")
	}
	attrs := make([]slog.Attr, len(fields))
	for i, f := range fields {
		attrs[i] = slog.String(f[0], f[1])
	}
	return slog.GroupValue(attrs...)
}

// ConfigJSON is the JSON form of a configuration: an object of its fields,
// made safe as ConfigString makes them (every value a string).
func ConfigJSON(cfg any) ([]byte, error) {
	fields, ok := safeFields(cfg)
	if !ok {
		return []byte("null"), nil
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(jsonString(f[0]) + ":" + jsonString(f[1]))
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// safeFields are the exported fields of a configuration struct (or a
// pointer to one), each name with its safe text; ok is false for nil.
func safeFields(cfg any) (fields [][2]string, ok bool) {
	v := reflect.ValueOf(cfg)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil, false
		}
		v = v.Elem()
	}
	for i := 0; i < v.NumField(); i++ {
		sf := v.Type().Field(i)
		if !sf.IsExported() {
			continue
		}
		var b strings.Builder
		writeField(&b, v.Field(i), v.Type().PkgPath(), false)
		fields = append(fields, [2]string{sf.Name, b.String()})
	}
	return fields, true
}

func jsonString(s string) string {
	q, _ := json.Marshal(s) // a Go string always encodes
	return string(q)
}
