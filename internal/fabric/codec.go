package fabric

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"sigs.k8s.io/yaml"
)

// serverManagedMeta lists metadata fields the API server sets. FromUnstructured
// accepts and drops them (ObjectMeta does not model them); any other unknown
// metadata field is an error.
var serverManagedMeta = map[string]bool{
	"uid": true, "resourceVersion": true, "generation": true, "creationTimestamp": true,
	"deletionTimestamp": true, "deletionGracePeriodSeconds": true, "managedFields": true,
	"finalizers": true, "ownerReferences": true, "generateName": true, "selfLink": true,
}

// splitYAMLDocuments splits a multi-document YAML stream at "---" lines.
func splitYAMLDocuments(data []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 64*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimRight(line, " \t\r")
		if trimmed == "---" || strings.HasPrefix(line, "--- ") || strings.HasPrefix(line, "---\t") {
			docs = append(docs, append([]byte(nil), cur.Bytes()...))
			cur.Reset()
			if rest := strings.TrimSpace(trimmed[3:]); rest != "" && !strings.HasPrefix(rest, "#") {
				cur.WriteString(rest)
				cur.WriteByte('\n')
			}
			continue
		}
		if trimmed == "..." {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	return append(docs, cur.Bytes())
}

// DecodeUnstructured parses a multi-document YAML stream into one map per
// non-empty document (integers as int64, other numbers float64).
func DecodeUnstructured(data []byte) ([]map[string]any, error) {
	var out []map[string]any
	err := eachDocument(data, func(_ int, m map[string]any) error {
		out = append(out, m)
		return nil
	})
	return out, err
}

// Decode parses a multi-document YAML stream into typed objects, strictly.
// Empty documents and comment-only documents are skipped; errors name the
// (0-based, counting every document) index and the kind.
func Decode(data []byte) ([]Object, error) {
	var out []Object
	err := eachDocument(data, func(i int, m map[string]any) error {
		o, err := FromUnstructured(m)
		if err != nil {
			kind, _ := m["kind"].(string)
			return fmt.Errorf("document %d (kind %q): %w", i, kind, err)
		}
		out = append(out, o)
		return nil
	})
	return out, err
}

// eachDocument calls f with every non-empty document of a YAML stream as a map, with its index among all
// documents.
func eachDocument(data []byte, f func(i int, m map[string]any) error) error {
	for i, doc := range splitYAMLDocuments(data) {
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return fmt.Errorf("document %d: %w", i, err)
		}
		v, err := decodeJSONValue(j)
		if err != nil {
			return fmt.Errorf("document %d: %w", i, err)
		}
		if v == nil {
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("document %d: not a YAML mapping", i)
		}
		if err := f(i, m); err != nil {
			return err
		}
	}
	return nil
}

// decodeJSONValue decodes JSON with integers as int64.
func decodeJSONValue(j []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return convertNumbers(v), nil
}

func convertNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = convertNumbers(e)
		}
	case []any:
		for i, e := range t {
			t[i] = convertNumbers(e)
		}
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return n
		}
		f, _ := t.Float64()
		return f
	}
	return v
}

// FromUnstructured converts an unstructured object (as from YAML/JSON) to its
// typed form. It is strict: a field not in the CRD schema is an error naming
// its path (e.g. "spec.subnets.default.dhcp.foo"). apiVersion, when set, must
// match the kind's group/version; when empty it is filled in.
func FromUnstructured(m map[string]any) (Object, error) {
	kind, _ := m["kind"].(string)
	if kind == "" {
		return nil, fmt.Errorf("missing kind")
	}
	o, err := New(kind)
	if err != nil {
		return nil, err
	}
	ki, _ := LookupKind(kind)
	if av, ok := m["apiVersion"]; ok {
		s, _ := av.(string)
		if s != ki.APIVersion() {
			return nil, fmt.Errorf("apiVersion %v does not match kind %s (want %s)", av, kind, ki.APIVersion())
		}
	}
	m = shallowCopy(m)
	if md, ok := m["metadata"].(map[string]any); ok {
		md = shallowCopy(md)
		for k := range md {
			if serverManagedMeta[k] {
				delete(md, k)
			}
		}
		m["metadata"] = md
	}
	if err := checkFields(m, reflect.TypeOf(o).Elem(), ""); err != nil {
		return nil, err
	}
	j, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(j, o); err != nil {
		return nil, err
	}
	setTypeMeta(o, ki)
	return o, nil
}

func shallowCopy(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func setTypeMeta(o Object, ki KindInfo) {
	v := reflect.ValueOf(o).Elem()
	v.FieldByName("APIVersion").SetString(ki.APIVersion())
	v.FieldByName("Kind").SetString(ki.Kind)
}

var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

func jsonFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		fields[name] = f.Type
	}
	fieldCache.Store(t, fields)
	return fields
}

func joinPath(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

// checkFields reports the first (in sorted key order) field of v that t does
// not declare. Type mismatches are left to encoding/json.
func checkFields(v any, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ft, ok := fields[k]
			if !ok {
				return fmt.Errorf("unknown field %q", joinPath(path, k))
			}
			if err := checkFields(m[k], ft, joinPath(path, k)); err != nil {
				return err
			}
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok || t.Elem().Kind() == reflect.Interface {
			return nil
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := checkFields(m[k], t.Elem(), joinPath(path, k)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		l, ok := v.([]any)
		if !ok {
			return nil
		}
		for i, e := range l {
			if err := checkFields(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ToUnstructured converts o to an unstructured map (integers as int64).
func ToUnstructured(o Object) (map[string]any, error) {
	j, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	v, err := decodeJSONValue(j)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("object did not encode to a mapping")
	}
	return m, nil
}

// Encode renders o as YAML with keys sorted.
func Encode(o Object) ([]byte, error) {
	m, err := ToUnstructured(o)
	if err != nil {
		return nil, err
	}
	return yaml.Marshal(m)
}

// DeepCopy returns an independent copy of o (nil and empty collections are
// preserved as they are).
func DeepCopy(o Object) Object {
	if o == nil {
		return nil
	}
	v := reflect.ValueOf(o)
	if v.IsNil() {
		return o
	}
	return copyReflect(v).Interface().(Object)
}

func copyReflect(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(copyReflect(v.Elem()))
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		for i := 0; i < v.NumField(); i++ {
			c.Field(i).Set(copyReflect(v.Field(i)))
		}
		return c
	case reflect.Map:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			c.SetMapIndex(it.Key(), copyReflect(it.Value()))
		}
		return c
	case reflect.Slice:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			c.Index(i).Set(copyReflect(v.Index(i)))
		}
		return c
	case reflect.Interface:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(copyReflect(v.Elem()))
		return c
	}
	return v
}
