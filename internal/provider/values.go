package provider

import (
	"math/big"
	"sort"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Small helpers over tftypes values: the generic resource works on raw values so that one implementation
// serves every kind's derived schema.

// attrs returns a copy of an object's attributes. (Value.As hands out the value's own map: changing it
// would change the value, so that a "copy" of a planned value taken before a write followed the write.)
func attrs(v tftypes.Value) map[string]tftypes.Value {
	var in map[string]tftypes.Value
	if v.IsKnown() && !v.IsNull() {
		_ = v.As(&in)
	}
	m := make(map[string]tftypes.Value, len(in))
	for k, x := range in {
		m[k] = x
	}
	return m
}

// strVal returns the string, and whether it is known and not null.
func strVal(v tftypes.Value) (string, bool) {
	if !v.IsKnown() || v.IsNull() {
		return "", false
	}
	var s string
	if err := v.As(&s); err != nil {
		return "", false
	}
	return s, true
}

func strMapVal(v tftypes.Value) (map[string]string, bool) {
	if !v.IsKnown() {
		return nil, false
	}
	if v.IsNull() {
		return nil, true
	}
	var m map[string]tftypes.Value
	if err := v.As(&m); err != nil {
		return nil, false
	}
	out := make(map[string]string, len(m))
	for k, e := range m {
		s, ok := strVal(e)
		if !ok {
			return nil, false
		}
		out[k] = s
	}
	return out, true
}

var (
	strMapType = tftypes.Map{ElementType: tftypes.String}
	intMapType = tftypes.Map{ElementType: tftypes.Number}
)

func tfStr(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func tfStrOrNull(s string) tftypes.Value {
	if s == "" {
		return tftypes.NewValue(tftypes.String, nil)
	}
	return tfStr(s)
}

func tfUnknown(t tftypes.Type) tftypes.Value { return tftypes.NewValue(t, tftypes.UnknownValue) }

func tfNull(t tftypes.Type) tftypes.Value { return tftypes.NewValue(t, nil) }

func tfStrMap(m map[string]string) tftypes.Value {
	if m == nil {
		return tfNull(strMapType)
	}
	vals := make(map[string]tftypes.Value, len(m))
	for k, v := range m {
		vals[k] = tfStr(v)
	}
	return tftypes.NewValue(strMapType, vals)
}

func tfIntMap(m map[string]int64) tftypes.Value {
	if m == nil {
		return tfNull(intMapType)
	}
	vals := make(map[string]tftypes.Value, len(m))
	for k, v := range m {
		vals[k] = tftypes.NewValue(tftypes.Number, new(big.Float).SetInt64(v))
	}
	return tftypes.NewValue(intMapType, vals)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// boolAttr is the bool, false when null or unknown.
func boolAttr(v tftypes.Value) bool {
	if !v.IsKnown() || v.IsNull() {
		return false
	}
	var b bool
	_ = v.As(&b)
	return b
}

// intMapVal returns a map of whole numbers, and whether it is known and not null.
func intMapVal(v tftypes.Value) (map[string]int64, bool) {
	if !v.IsKnown() || v.IsNull() {
		return nil, false
	}
	var m map[string]tftypes.Value
	if err := v.As(&m); err != nil {
		return nil, false
	}
	out := make(map[string]int64, len(m))
	for k, e := range m {
		if !e.IsKnown() || e.IsNull() {
			return nil, false
		}
		var f big.Float
		if err := e.As(&f); err != nil {
			return nil, false
		}
		n, _ := f.Int64()
		out[k] = n
	}
	return out, true
}
