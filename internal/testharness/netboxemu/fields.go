package netboxemu

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// kind is the storage/validation type of a writable field.
type kind int

const (
	kString    kind = iota // CharField (blank allowed unless required)
	kInt                   // IntegerField
	kBool                  // BooleanField
	kFloat                 // DecimalField/FloatField
	kChoice                // ChoiceField, rendered as {value,label}
	kFK                    // ForeignKey, written as id or attributes, rendered brief
	kIntList               // list of integers (e.g. asns, route targets)
	kStrList               // list of strings (object_types)
	kVidRanges             // list of [lo,hi] VLAN ID ranges
	kAny                   // JSON value (custom field default)
	kScopeType             // content type label of a scope ("dcim.site")
)

// choice is one value/label pair of a ChoiceField.
type choice struct {
	value any
	label string
}

// field describes one writable attribute of a model.
type field struct {
	name     string
	kind     kind
	required bool
	nullable bool
	def      any
	maxLen   int
	min, max *int
	choices  []choice
	ref      string // kFK: target model
	// rawChoice renders a choice as its bare value (write-only enums).
	rawChoice bool
}

func ip(v int) *int { return &v }

func (f *field) choiceLabel(v any) (string, bool) {
	for _, c := range f.choices {
		if fmt.Sprint(c.value) == fmt.Sprint(v) {
			return c.label, true
		}
	}
	return "", false
}

// errs accumulates DRF-shaped validation errors.
type errs map[string][]string

func (e errs) add(k, msg string) { e[k] = append(e[k], msg) }

// coerceField converts a JSON value into the stored value like DRF would.
func (em *Emulator) coerceField(f *field, v any) (any, string) {
	if v == nil {
		if f.nullable {
			return nil, ""
		}
		return nil, "This field may not be null."
	}
	switch f.kind {
	case kString, kScopeType:
		var s string
		switch t := v.(type) {
		case string:
			s = t
		case json.Number:
			s = t.String()
		default:
			return nil, "Not a valid string."
		}
		s = strings.TrimSpace(s)
		if s == "" && f.required {
			return nil, "This field may not be blank."
		}
		if f.maxLen > 0 && len([]rune(s)) > f.maxLen {
			return nil, fmt.Sprintf("Ensure this field has no more than %d characters.", f.maxLen)
		}
		if f.kind == kScopeType {
			if _, ok := em.models[s]; !ok || s != "dcim.site" {
				return nil, fmt.Sprintf("Invalid content type: %s", s)
			}
		}
		if s == "" && f.nullable {
			return nil, ""
		}
		return s, ""
	case kInt:
		n, ok := toInt(v)
		if !ok {
			return nil, "A valid integer is required."
		}
		if f.min != nil && n < int64(*f.min) {
			return nil, fmt.Sprintf("Ensure this value is greater than or equal to %d.", *f.min)
		}
		if f.max != nil && n > int64(*f.max) {
			return nil, fmt.Sprintf("Ensure this value is less than or equal to %d.", *f.max)
		}
		return n, ""
	case kFloat:
		switch t := v.(type) {
		case json.Number:
			x, err := t.Float64()
			if err != nil {
				return nil, "A valid number is required."
			}
			return x, ""
		case string:
			x, err := strconv.ParseFloat(t, 64)
			if err != nil {
				return nil, "A valid number is required."
			}
			return x, ""
		}
		return nil, "A valid number is required."
	case kBool:
		switch t := v.(type) {
		case bool:
			return t, ""
		case string:
			switch strings.ToLower(t) {
			case "true", "1", "yes", "on", "t", "y":
				return true, ""
			case "false", "0", "no", "off", "f", "n":
				return false, ""
			}
		case json.Number:
			switch t.String() {
			case "1":
				return true, ""
			case "0":
				return false, ""
			}
		}
		return nil, "Must be a valid boolean."
	case kChoice:
		var key string
		switch t := v.(type) {
		case string:
			key = t
		case json.Number:
			key = t.String()
		default:
			return nil, fmt.Sprintf("%q is not a valid choice.", fmt.Sprint(v))
		}
		for _, c := range f.choices {
			if fmt.Sprint(c.value) == key {
				return c.value, ""
			}
		}
		if key == "" && f.nullable {
			return nil, ""
		}
		return nil, fmt.Sprintf("\"%s\" is not a valid choice.", key)
	case kFK:
		id, msg := em.resolveRelated(f.ref, v)
		if msg != "" {
			return nil, msg
		}
		return id, ""
	case kIntList:
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Sprintf("Expected a list of items but got type \"%s\".", pyType(v))
		}
		out := []any{}
		for _, x := range list {
			n, ok := toInt(x)
			if !ok {
				return nil, "Incorrect type. Expected pk value, received " + pyType(x) + "."
			}
			out = append(out, n)
		}
		if len(out) > 0 {
			// No related model (ASNs, route targets) is emulated.
			return nil, fmt.Sprintf("Invalid pk \"%d\" - object does not exist.", out[0])
		}
		return out, ""
	case kStrList:
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Sprintf("Expected a list of items but got type \"%s\".", pyType(v))
		}
		out := []any{}
		for _, x := range list {
			s, ok := x.(string)
			if !ok {
				return nil, "Not a valid string."
			}
			out = append(out, s)
		}
		return out, ""
	case kVidRanges:
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Sprintf("Expected a list of items but got type \"%s\".", pyType(v))
		}
		out := []any{}
		for _, x := range list {
			pair, ok := x.([]any)
			if !ok || len(pair) != 2 {
				return nil, "Range must be a list of two integers."
			}
			lo, ok1 := toInt(pair[0])
			hi, ok2 := toInt(pair[1])
			if !ok1 || !ok2 {
				return nil, "A valid integer is required."
			}
			if lo < 1 || hi > 4094 || lo > hi {
				return nil, fmt.Sprintf("Invalid VLAN ID range %d-%d (must be within 1-4094).", lo, hi)
			}
			out = append(out, []any{lo, hi})
		}
		return out, ""
	case kAny:
		return v, ""
	}
	return v, ""
}

// toInt accepts JSON numbers and numeric strings like DRF's IntegerField.
func toInt(v any) (int64, bool) {
	switch t := v.(type) {
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return n, true
		}
		if f, err := t.Float64(); err == nil && f == math.Trunc(f) {
			return int64(f), true
		}
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
		return n, err == nil
	case int64:
		return t, true
	case int:
		return int64(t), true
	case float64:
		if t == math.Trunc(t) {
			return int64(t), true
		}
	}
	return 0, false
}

// pyType names a JSON value's type the way DRF error messages do.
func pyType(v any) string {
	switch v.(type) {
	case string:
		return "str"
	case json.Number:
		return "int"
	case bool:
		return "bool"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	case nil:
		return "NoneType"
	}
	return "object"
}

// pyRepr formats a lookup dict like Python's repr for error messages.
func pyRepr(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		var v string
		switch t := m[k].(type) {
		case string:
			v = "'" + t + "'"
		case nil:
			v = "None"
		case bool:
			if t {
				v = "True"
			} else {
				v = "False"
			}
		default:
			v = fmt.Sprint(t)
		}
		parts = append(parts, fmt.Sprintf("'%s': %s", k, v))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
