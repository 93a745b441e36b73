package smart2paytest

import (
	"bytes"
	"encoding/json"
)

// kv is one member of an ordered JSON object.
type kv struct {
	k string
	v any
}

// object is a JSON object whose members are written in insertion order, so responses read
// like the provider document (field for field, in the same order, nulls included).
type object []kv

func (o *object) add(k string, v any) { *o = append(*o, kv{k, v}) }

// MarshalJSON writes the members in order, without HTML escaping (URLs keep their '&').
func (o object) MarshalJSON() ([]byte, error) {
	if o == nil {
		return []byte("{}"), nil
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := marshal(f.k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		vb, err := marshal(f.v)
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping and without the trailing newline.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// Small converters from optional Go values to JSON values (nil → null).

func strOrNull(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

func intOrNull(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func boolOrNull(p *bool) any {
	if p == nil {
		return nil
	}
	return *p
}

func rawOrNull(r json.RawMessage) any {
	if len(r) == 0 {
		return nil
	}
	return r
}
