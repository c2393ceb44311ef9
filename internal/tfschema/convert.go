package tfschema

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TerraformType is the tftypes type of the node.
func (n *Node) TerraformType() tftypes.Type {
	return n.AttrType().TerraformType(context.Background())
}

// FromValue converts a Terraform value into its JSON form (map[string]any, []any, string, int64, bool,
// float64). Null values and null object fields are omitted (nil). unknown is true when any part of v is
// not yet known; the result then holds what is known.
func (n *Node) FromValue(v tftypes.Value) (out any, unknown bool, err error) {
	if !v.IsKnown() {
		return nil, true, nil
	}
	if v.IsNull() {
		return nil, false, nil
	}
	switch n.Type {
	case Object:
		var m map[string]tftypes.Value
		if err := v.As(&m); err != nil {
			return nil, false, err
		}
		res := map[string]any{}
		for _, f := range n.Fields {
			fv, ok := m[f.TF]
			if !ok {
				continue
			}
			x, u, err := f.FromValue(fv)
			if err != nil {
				return nil, false, fmt.Errorf("%s: %w", f.TF, err)
			}
			unknown = unknown || u
			if x != nil {
				res[f.JSON] = x
			}
		}
		return res, unknown, nil
	case Map:
		var m map[string]tftypes.Value
		if err := v.As(&m); err != nil {
			return nil, false, err
		}
		res := make(map[string]any, len(m))
		for k, ev := range m {
			x, u, err := n.Elem.FromValue(ev)
			if err != nil {
				return nil, false, fmt.Errorf("[%q]: %w", k, err)
			}
			unknown = unknown || u
			if x != nil {
				res[k] = x
			}
		}
		return res, unknown, nil
	case List:
		var l []tftypes.Value
		if err := v.As(&l); err != nil {
			return nil, false, err
		}
		res := make([]any, 0, len(l))
		for i, ev := range l {
			x, u, err := n.Elem.FromValue(ev)
			if err != nil {
				return nil, false, fmt.Errorf("[%d]: %w", i, err)
			}
			unknown = unknown || u
			res = append(res, x)
		}
		return res, unknown, nil
	case String:
		var s string
		err := v.As(&s)
		return s, false, err
	case Bool:
		var b bool
		err := v.As(&b)
		return b, false, err
	case Int:
		var f big.Float
		if err := v.As(&f); err != nil {
			return nil, false, err
		}
		i, _ := f.Int64()
		return i, false, nil
	default:
		var f big.Float
		if err := v.As(&f); err != nil {
			return nil, false, err
		}
		x, _ := f.Float64()
		return x, false, nil
	}
}

// ToValue converts a JSON-form value into a Terraform value of the node's type. nil becomes null.
func (n *Node) ToValue(x any) (tftypes.Value, error) {
	typ := n.TerraformType()
	if x == nil {
		return tftypes.NewValue(typ, nil), nil
	}
	switch n.Type {
	case Object:
		m, ok := x.(map[string]any)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("%s: want an object, got %T", n.JSON, x)
		}
		vals := make(map[string]tftypes.Value, len(n.Fields))
		for _, f := range n.Fields {
			v, err := f.ToValue(m[f.JSON])
			if err != nil {
				return tftypes.Value{}, err
			}
			vals[f.TF] = v
		}
		return tftypes.NewValue(typ, vals), nil
	case Map:
		m, ok := x.(map[string]any)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("%s: want a map, got %T", n.JSON, x)
		}
		vals := make(map[string]tftypes.Value, len(m))
		for k, e := range m {
			v, err := n.Elem.ToValue(e)
			if err != nil {
				return tftypes.Value{}, err
			}
			vals[k] = v
		}
		return tftypes.NewValue(typ, vals), nil
	case List:
		l, ok := x.([]any)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("%s: want a list, got %T", n.JSON, x)
		}
		vals := make([]tftypes.Value, 0, len(l))
		for _, e := range l {
			v, err := n.Elem.ToValue(e)
			if err != nil {
				return tftypes.Value{}, err
			}
			vals = append(vals, v)
		}
		return tftypes.NewValue(typ, vals), nil
	case String:
		s, ok := x.(string)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("%s: want a string, got %T", n.JSON, x)
		}
		return tftypes.NewValue(typ, s), nil
	case Bool:
		b, ok := x.(bool)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("%s: want a bool, got %T", n.JSON, x)
		}
		return tftypes.NewValue(typ, b), nil
	default:
		f, err := toBigFloat(x)
		if err != nil {
			return tftypes.Value{}, fmt.Errorf("%s: %w", n.JSON, err)
		}
		return tftypes.NewValue(typ, f), nil
	}
}

func toBigFloat(x any) (*big.Float, error) {
	switch v := x.(type) {
	case int:
		return new(big.Float).SetInt64(int64(v)), nil
	case int32:
		return new(big.Float).SetInt64(int64(v)), nil
	case int64:
		return new(big.Float).SetInt64(v), nil
	case float64:
		return big.NewFloat(v), nil
	case json.Number:
		f, _, err := big.ParseFloat(string(v), 10, 64, big.ToNearestEven)
		return f, err
	}
	return nil, fmt.Errorf("want a number, got %T", x)
}

// Overlay returns a planned JSON value: cfg wherever cfg sets a value, def (the fabric's default) wherever
// cfg is null. Maps take their keys from cfg (defaulting never invents map entries the user wrote none of,
// except when cfg is null); lists are taken whole from cfg when set.
func (n *Node) Overlay(cfg, def any) any {
	if cfg == nil {
		return def
	}
	switch n.Type {
	case Object:
		cm, _ := cfg.(map[string]any)
		dm, _ := def.(map[string]any)
		out := make(map[string]any, len(n.Fields))
		for _, f := range n.Fields {
			if v := f.Overlay(cm[f.JSON], dm[f.JSON]); v != nil {
				out[f.JSON] = v
			}
		}
		return out
	case Map:
		cm, _ := cfg.(map[string]any)
		dm, _ := def.(map[string]any)
		out := make(map[string]any, len(cm))
		for k := range cm {
			out[k] = n.Elem.Overlay(cm[k], dm[k])
		}
		return out
	}
	return cfg
}

// Rewrite is a value the configuration sets that the fabric stores in another form. Stored is nil when a map
// entry is stored under another key (a normalised MAC address, say).
type Rewrite struct {
	Path        []string // Terraform attribute names and map keys / list indexes, from the top
	Configured  any
	Stored      any
	IsKeyOrElem []bool // per Path step: true for a map key or list index
}

// Rewrites lists the values cfg sets that def (the defaulted form) holds differently. Values cfg leaves
// unset are defaults, not rewrites; lists are compared whole.
func (n *Node) Rewrites(cfg, def any) []Rewrite {
	var out []Rewrite
	n.rewrites(cfg, def, nil, nil, &out)
	return out
}

func (n *Node) rewrites(cfg, def any, path []string, keyed []bool, out *[]Rewrite) {
	if cfg == nil {
		return
	}
	switch n.Type {
	case Object:
		cm, _ := cfg.(map[string]any)
		dm, _ := def.(map[string]any)
		for _, f := range n.Fields {
			f.rewrites(cm[f.JSON], dm[f.JSON], append(append([]string(nil), path...), f.TF), append(append([]bool(nil), keyed...), false), out)
		}
	case Map:
		cm, _ := cfg.(map[string]any)
		dm, _ := def.(map[string]any)
		if dm == nil {
			return // dropped whole (e.g. DHCP settings with DHCP off): the spec stage warns about those
		}
		for k, v := range cm {
			p, kd := append(append([]string(nil), path...), k), append(append([]bool(nil), keyed...), true)
			if _, ok := dm[k]; !ok {
				*out = append(*out, Rewrite{Path: p, Configured: k, IsKeyOrElem: kd}) // stored under another key
				continue
			}
			n.Elem.rewrites(v, dm[k], p, kd, out)
		}
	default:
		if def != nil && !jsonEqual(cfg, def) {
			*out = append(*out, Rewrite{Path: path, Configured: cfg, Stored: def, IsKeyOrElem: keyed})
		}
	}
}

func jsonEqual(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}
