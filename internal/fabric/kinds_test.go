package fabric

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric/crds"
	"sigs.k8s.io/yaml"
)

type crdInfo struct {
	info   KindInfo
	schema map[string]any
}

func loadCRDs(t *testing.T) []crdInfo {
	t.Helper()
	var out []crdInfo
	for _, name := range crds.Files() {
		b, err := crds.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		spec := m["spec"].(map[string]any)
		names := spec["names"].(map[string]any)
		versions := spec["versions"].([]any)
		if len(versions) != 1 {
			t.Fatalf("%s: want 1 version, got %d", name, len(versions))
		}
		v := versions[0].(map[string]any)
		out = append(out, crdInfo{
			info: KindInfo{
				Kind: names["kind"].(string), Group: spec["group"].(string), Version: v["name"].(string),
				Plural: names["plural"].(string), Singular: names["singular"].(string),
			},
			schema: v["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any),
		})
	}
	return out
}

func TestKindsMatchCRDs(t *testing.T) {
	cs := loadCRDs(t)
	if len(cs) != 14 || len(Kinds()) != 14 {
		t.Fatalf("want 14 CRDs and kinds, got %d CRDs, %d kinds", len(cs), len(Kinds()))
	}
	for _, c := range cs {
		got, ok := LookupKind(c.info.Kind)
		if !ok {
			t.Errorf("kind %s not registered", c.info.Kind)
			continue
		}
		if got != c.info {
			t.Errorf("kind %s: got %+v, CRD says %+v", c.info.Kind, got, c.info)
		}
		if got.APIVersion() != c.info.Group+"/v1beta1" {
			t.Errorf("APIVersion %s", got.APIVersion())
		}
		o, err := New(c.info.Kind)
		if err != nil || o.GetKind() != c.info.Kind {
			t.Errorf("New(%s) = %v, %v", c.info.Kind, o, err)
		}
	}
	if _, ok := LookupKind("vpc"); ok {
		t.Error("LookupKind must be case-sensitive")
	}
	if _, err := New("Nope"); err == nil {
		t.Error("New(Nope) should fail")
	}
}

// TestTypesMatchCRDSchemas walks each CRD schema alongside the Go type and
// checks that the JSON field names agree in both directions, that required
// fields are not omitempty and optional ones are.
func TestTypesMatchCRDSchemas(t *testing.T) {
	for _, c := range loadCRDs(t) {
		o, _ := New(c.info.Kind)
		props := c.schema["properties"].(map[string]any)
		spec := props["spec"].(map[string]any)
		compareSchema(t, c.info.Kind+".spec", spec, reflect.TypeOf(o.SpecAny()).Elem())
	}
}

func compareSchema(t *testing.T, path string, s map[string]any, typ reflect.Type) {
	t.Helper()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	st, _ := s["type"].(string)
	switch {
	case st == "object" && s["properties"] != nil:
		if typ.Kind() != reflect.Struct {
			t.Errorf("%s: schema object with properties, Go %s", path, typ)
			return
		}
		props := s["properties"].(map[string]any)
		required := map[string]bool{}
		if r, ok := s["required"].([]any); ok {
			for _, x := range r {
				required[x.(string)] = true
			}
		}
		goFields := map[string]reflect.StructField{}
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			goFields[name] = f
		}
		var keys []string
		for k := range props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			f, ok := goFields[k]
			if !ok {
				t.Errorf("%s.%s: in CRD, missing in Go type %s", path, k, typ)
				continue
			}
			omit := strings.Contains(f.Tag.Get("json"), ",omitempty")
			if required[k] && omit && f.Type.Kind() != reflect.Struct {
				t.Errorf("%s.%s: required but omitempty", path, k)
			}
			if !required[k] && !omit && f.Type.Kind() != reflect.Struct {
				t.Errorf("%s.%s: optional but not omitempty", path, k)
			}
			compareSchema(t, path+"."+k, props[k].(map[string]any), f.Type)
		}
		for k := range goFields {
			if _, ok := props[k]; !ok {
				t.Errorf("%s.%s: in Go type %s, not in CRD", path, k, typ)
			}
		}
	case st == "object" && s["additionalProperties"] != nil:
		if typ.Kind() != reflect.Map {
			t.Errorf("%s: schema map, Go %s", path, typ)
			return
		}
		compareSchema(t, path+".*", s["additionalProperties"].(map[string]any), typ.Elem())
	case st == "object":
		if typ.Kind() != reflect.Struct || typ.NumField() != 0 {
			t.Errorf("%s: schema empty object, Go %s", path, typ)
		}
	case st == "array":
		if typ.Kind() != reflect.Slice {
			t.Errorf("%s: schema array, Go %s", path, typ)
			return
		}
		compareSchema(t, path+"[]", s["items"].(map[string]any), typ.Elem())
	case st == "string":
		if typ.Kind() != reflect.String {
			t.Errorf("%s: schema string, Go %s", path, typ)
		}
	case st == "boolean":
		if typ.Kind() != reflect.Bool {
			t.Errorf("%s: schema boolean, Go %s", path, typ)
		}
	case st == "integer":
		switch typ.Kind() {
		case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		default:
			t.Errorf("%s: schema integer, Go %s", path, typ)
		}
	default:
		t.Errorf("%s: unhandled schema type %q", path, st)
	}
}
