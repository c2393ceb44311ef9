package cascade

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"unicode/utf8"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/spec"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric/crds"
)

// Schema rule identifiers.
const (
	RuleSchemaKind         = "schema.kind"
	RuleSchemaType         = "schema.type"
	RuleSchemaEnum         = "schema.enum"
	RuleSchemaRequired     = "schema.required"
	RuleSchemaPattern      = "schema.pattern"
	RuleSchemaMinItems     = "schema.min-items"
	RuleSchemaMaxItems     = "schema.max-items"
	RuleSchemaMinimum      = "schema.minimum"
	RuleSchemaMaximum      = "schema.maximum"
	RuleSchemaMinLength    = "schema.min-length"
	RuleSchemaMaxLength    = "schema.max-length"
	RuleSchemaUnknownField = "schema.unknown-field"
	RuleSchemaFormat       = "schema.format"
	RuleSchemaName         = "schema.metadata.name"
)

// node is a compiled openAPIV3Schema node.
type node struct {
	typ         string
	format      string
	props       map[string]*node
	required    []string
	items       *node
	addl        *node // schema of additionalProperties, if any
	addlAllowed bool  // additionalProperties: true
	preserve    bool  // x-kubernetes-preserve-unknown-fields
	intOrString bool
	nullable    bool
	enum        []any
	enumText    string
	pattern     *regexp.Regexp
	minItems    *int64
	maxItems    *int64
	minLength   *int64
	maxLength   *int64
	minimum     *float64
	maximum     *float64
	exclMin     bool
	exclMax     bool
}

type schemaSet struct {
	byKind map[string]*node
	err    error
}

var (
	schemasOnce sync.Once
	schemas     schemaSet
)

// loadSchemas compiles the embedded CRDs once.
func loadSchemas() schemaSet {
	schemasOnce.Do(func() {
		schemas.byKind = map[string]*node{}
		for _, f := range crds.Files() {
			b, err := crds.Read(f)
			if err != nil {
				schemas.err = err
				return
			}
			var crd apiextv1.CustomResourceDefinition
			if err := yaml.Unmarshal(b, &crd); err != nil {
				schemas.err = fmt.Errorf("crd %s: %w", f, err)
				return
			}
			for _, v := range crd.Spec.Versions {
				if !v.Storage || v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
					continue
				}
				n, err := compile(v.Schema.OpenAPIV3Schema)
				if err != nil {
					schemas.err = fmt.Errorf("crd %s: %w", f, err)
					return
				}
				schemas.byKind[crd.Spec.Names.Kind] = n
			}
		}
	})
	return schemas
}

// SchemaKinds returns the kinds that have a compiled CRD schema, sorted.
func SchemaKinds() []string {
	s := loadSchemas()
	out := make([]string, 0, len(s.byKind))
	for k := range s.byKind {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func compile(p *apiextv1.JSONSchemaProps) (*node, error) {
	n := &node{
		typ: p.Type, format: p.Format, required: p.Required, nullable: p.Nullable, intOrString: p.XIntOrString,
		minItems: p.MinItems, maxItems: p.MaxItems, minLength: p.MinLength, maxLength: p.MaxLength,
		minimum: p.Minimum, maximum: p.Maximum, exclMin: p.ExclusiveMinimum, exclMax: p.ExclusiveMaximum,
	}
	if p.XPreserveUnknownFields != nil && *p.XPreserveUnknownFields {
		n.preserve = true
	}
	if p.Pattern != "" {
		re, err := regexp.Compile(p.Pattern)
		if err != nil {
			return nil, fmt.Errorf("pattern %q: %w", p.Pattern, err)
		}
		n.pattern = re
	}
	if len(p.Enum) > 0 {
		var texts []string
		for _, e := range p.Enum {
			var v any
			if err := json.Unmarshal(e.Raw, &v); err != nil {
				return nil, fmt.Errorf("enum: %w", err)
			}
			n.enum = append(n.enum, v)
			texts = append(texts, string(e.Raw))
		}
		n.enumText = fmt.Sprint(texts)
	}
	if len(p.Properties) > 0 {
		n.props = make(map[string]*node, len(p.Properties))
		for k, v := range p.Properties {
			c, err := compile(&v)
			if err != nil {
				return nil, err
			}
			n.props[k] = c
		}
	}
	if p.Items != nil && p.Items.Schema != nil {
		c, err := compile(p.Items.Schema)
		if err != nil {
			return nil, err
		}
		n.items = c
	}
	if ap := p.AdditionalProperties; ap != nil {
		if ap.Schema != nil {
			c, err := compile(ap.Schema)
			if err != nil {
				return nil, err
			}
			n.addl = c
		} else if ap.Allows {
			n.addlAllowed = true
		}
	}
	return n, nil
}

// ValidateSchema validates an unstructured object (as decoded from YAML/JSON) against the openAPIV3Schema
// of its kind's CRD. Only metadata name/namespace/labels/annotations and spec are validated; apiVersion,
// kind, status and other metadata fields are ignored.
//
// The object may be given before the fabric's defaulting (engine.Render validates the configuration as
// written): a required spec field that the defaulting fills is not reported, since the cluster runs the
// fabric's mutating webhook before it checks the schema (see dropDefaultedRequired).
func ValidateSchema(kind string, obj map[string]any) diag.Diagnostics {
	b := &diag.Builder{Stage: diag.StageSchema, Kind: kind}
	meta, _ := obj["metadata"].(map[string]any)
	if name, ok := meta["name"].(string); ok {
		b.Name = name
	}
	s := loadSchemas()
	if s.err != nil {
		b.Errorf(RuleSchemaKind, diag.Root(), "CRD schemas could not be loaded", "%v", s.err)
		return b.Out
	}
	root := s.byKind[kind]
	if root == nil {
		b.Errorf(RuleSchemaKind, diag.F("kind"), "unknown kind", "kind %q is not a Hedgehog fabric kind", kind)
		return b.Out
	}
	validateMetadata(b, obj["metadata"])
	if spec, ok := obj["spec"]; ok && spec != nil {
		if sn := root.props["spec"]; sn != nil {
			w := walkers.Get().(*walker)
			w.b, w.path = b, append(w.path[:0], diag.Step{Field: "spec"})
			w.node(sn, spec)
			w.b = nil
			walkers.Put(w)
		}
	}
	b.Out = dropDefaultedRequired(kind, obj, b.Out)
	sortDiags(b.Out)
	if kind == fabric.KindVLANNamespace && !b.Out.HasError() {
		// The schema stage sees the object as configured, before the defaulting hides what is wrong.
		if o, err := fabric.FromUnstructured(obj); err == nil {
			b.Out = append(b.Out, spec.ValidateBeforeDefaulting(o)...)
		}
	}
	return b.Out
}

// dropDefaultedRequired removes the "required field missing" findings under spec that the fabric's
// defaulting resolves. The cluster decodes an object, runs the fabric's defaulting (mutating webhook) and
// encodes it again before it checks the CRD schema, so a required field is judged on the defaulted form:
//
//   - a field the defaulting sets (a DHCP options block without interfaceMTU or leaseTimeSeconds gets
//     9036 and 3600) or an object the encoding always writes (ExternalAttachment switch and neighbor of a
//     static attachment) is present: not reported;
//   - a field inside an object the defaulting drops (dhcp.options while dhcp.enable is false) does not
//     exist in the cluster: not reported;
//   - a field the defaulting leaves at its zero value (Switch role, ACL statement action, seq and
//     prefixes, static remoteIP, static lease ip) stays reported: the encoding writes the zero value,
//     which the fabric rejects, so the field is genuinely required.
//
// The defaulted form is computed only when a required field is missing and the object decodes; an object
// that does not decode keeps every finding.
func dropDefaultedRequired(kind string, obj map[string]any, ds diag.Diagnostics) diag.Diagnostics {
	isCandidate := func(d diag.Diagnostic) bool {
		return d.Rule == RuleSchemaRequired && len(d.Path) > 1 && d.Path[0].Field == "spec"
	}
	need := false
	for _, d := range ds {
		need = need || isCandidate(d)
	}
	if !need {
		return ds
	}
	defaulted, ok := defaultedForm(kind, obj)
	if !ok {
		return ds
	}
	out := ds[:0]
	for _, d := range ds {
		if isCandidate(d) && defaultResolves(defaulted, d.Path) {
			continue
		}
		out = append(out, d)
	}
	return out
}

// defaultedForm returns obj as the cluster holds it after the fabric's defaulting: decoded into the
// model, defaulted (fabric.Default) and encoded again.
func defaultedForm(kind string, obj map[string]any) (map[string]any, bool) {
	in := make(map[string]any, len(obj)+1)
	for k, v := range obj {
		in[k] = v
	}
	in["kind"] = kind
	o, err := fabric.FromUnstructured(in)
	if err != nil {
		return nil, false
	}
	fabric.Default(o)
	u, err := fabric.ToUnstructured(o)
	return u, err == nil
}

// defaultResolves reports whether the required field at p is no longer missing in the defaulted object:
// it holds a non-zero value (objects and lists count whatever they hold), or an object on the way to it
// was dropped.
func defaultResolves(defaulted map[string]any, p diag.Path) bool {
	var cur any = defaulted
	for i, st := range p {
		var next any
		var ok bool
		switch c := cur.(type) {
		case map[string]any:
			key := st.Field
			if st.IsKey {
				key = st.Key
			}
			next, ok = c[key]
		case []any:
			if st.IsIndex && st.Index < len(c) {
				next, ok = c[st.Index], true
			}
		}
		if !ok || next == nil {
			// Missing: the field itself stays missing; an object holding it was dropped.
			return i < len(p)-1
		}
		cur = next
	}
	switch v := cur.(type) {
	case string:
		return v != ""
	case bool:
		return v
	case map[string]any, []any:
		return true
	}
	f, ok := asNumber(cur)
	return ok && f != 0
}

// dns1123Subdomain is the Kubernetes object name format.
var dns1123Subdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

func validateMetadata(b *diag.Builder, m any) {
	p := diag.F("metadata")
	if m == nil {
		b.Errorf(RuleSchemaRequired, p, "metadata is required", "every object needs metadata with a name")
		return
	}
	meta, ok := m.(map[string]any)
	if !ok {
		b.Errorf(RuleSchemaType, p, "metadata must be an object", "got %s", typeName(m))
		return
	}
	name, present := meta["name"]
	switch n, ok := name.(string); {
	case !present || name == nil:
		b.Errorf(RuleSchemaRequired, p.Field("name"), "metadata.name is required", "every object needs a name")
	case !ok:
		b.Errorf(RuleSchemaType, p.Field("name"), "metadata.name must be a string", "got %s", typeName(name))
	case len(n) == 0 || len(n) > 253 || !dns1123Subdomain.MatchString(n):
		b.Errorf(RuleSchemaName, p.Field("name"), "invalid object name", "%q is not a DNS-1123 subdomain (lower case alphanumerics, '-' and '.', at most 253 characters)", n)
	}
	if ns, ok := meta["namespace"]; ok && ns != nil {
		if _, isStr := ns.(string); !isStr {
			b.Errorf(RuleSchemaType, p.Field("namespace"), "metadata.namespace must be a string", "got %s", typeName(ns))
		}
	}
	for _, f := range [...]string{"labels", "annotations"} {
		v, ok := meta[f]
		if !ok || v == nil {
			continue
		}
		mm, isMap := v.(map[string]any)
		if !isMap {
			if _, isSM := v.(map[string]string); !isSM {
				b.Errorf(RuleSchemaType, p.Field(f), "metadata."+f+" must be a map of strings", "got %s", typeName(v))
			}
			continue
		}
		for k, val := range mm {
			if _, isStr := val.(string); !isStr {
				b.Errorf(RuleSchemaType, p.Field(f).Key(k), "metadata."+f+" values must be strings", "got %s", typeName(val))
			}
		}
	}
}

// walker validates a value tree; path is a stack of steps, copied only when a finding is made.
type walker struct {
	b    *diag.Builder
	path diag.Path
}

var walkers = sync.Pool{New: func() any { return &walker{path: make(diag.Path, 0, 16)} }}

func (w *walker) p() diag.Path { return append(diag.Path(nil), w.path...) }

func (w *walker) errorf(rule, summary, format string, args ...any) {
	w.b.Errorf(rule, w.p(), summary, format, args...)
}

func (w *walker) push(s diag.Step) { w.path = append(w.path, s) }
func (w *walker) pop()             { w.path = w.path[:len(w.path)-1] }

func (w *walker) node(n *node, v any) {
	if v == nil {
		if !n.nullable && n.typ != "" {
			// JSON null for an optional field is treated as absent by the API server for objects.
			if n.typ == "object" || n.typ == "array" {
				return
			}
			w.errorf(RuleSchemaType, "value must not be null", "expected %s", n.typ)
		}
		return
	}
	if n.intOrString {
		switch v.(type) {
		case string:
			return
		}
		if _, ok := asNumber(v); ok {
			return
		}
		w.errorf(RuleSchemaType, "value must be an integer or a string", "got %s", typeName(v))
		return
	}
	switch n.typ {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			w.errorf(RuleSchemaType, "value must be an object", "got %s", typeName(v))
			return
		}
		w.object(n, m)
	case "array":
		l, ok := v.([]any)
		if !ok {
			w.errorf(RuleSchemaType, "value must be a list", "got %s", typeName(v))
			return
		}
		if n.minItems != nil && int64(len(l)) < *n.minItems {
			w.errorf(RuleSchemaMinItems, "too few items", "need at least %d items, got %d", *n.minItems, len(l))
		}
		if n.maxItems != nil && int64(len(l)) > *n.maxItems {
			w.errorf(RuleSchemaMaxItems, "too many items", "at most %d items allowed, got %d", *n.maxItems, len(l))
		}
		if n.items != nil {
			for i, it := range l {
				w.push(diag.Step{Index: i, IsIndex: true})
				w.node(n.items, it)
				w.pop()
			}
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			w.errorf(RuleSchemaType, "value must be a string", "got %s", typeName(v))
			return
		}
		if n.minLength != nil || n.maxLength != nil {
			l := int64(utf8.RuneCountInString(s))
			if n.minLength != nil && l < *n.minLength {
				w.errorf(RuleSchemaMinLength, "string too short", "need at least %d characters, got %d", *n.minLength, l)
			}
			if n.maxLength != nil && l > *n.maxLength {
				w.errorf(RuleSchemaMaxLength, "string too long", "at most %d characters allowed, got %d", *n.maxLength, l)
			}
		}
		if n.pattern != nil && !n.pattern.MatchString(s) {
			w.errorf(RuleSchemaPattern, "value does not match the required pattern", "%q does not match %s", s, n.pattern)
		}
		w.enum(n, s)
	case "integer", "number":
		f, ok := asNumber(v)
		if !ok {
			w.errorf(RuleSchemaType, "value must be "+article(n.typ), "got %s", typeName(v))
			return
		}
		if n.typ == "integer" && (f != math.Trunc(f) || math.IsInf(f, 0) || math.IsNaN(f)) {
			w.errorf(RuleSchemaType, "value must be an integer", "got %v", f)
			return
		}
		if n.typ == "integer" && n.format == "int32" && (f < math.MinInt32 || f > math.MaxInt32) {
			w.errorf(RuleSchemaFormat, "value out of int32 range", "got %v", f)
		}
		if n.minimum != nil && (f < *n.minimum || (n.exclMin && f == *n.minimum)) {
			w.errorf(RuleSchemaMinimum, "value too small", "minimum is %v, got %v", *n.minimum, f)
		}
		if n.maximum != nil && (f > *n.maximum || (n.exclMax && f == *n.maximum)) {
			w.errorf(RuleSchemaMaximum, "value too large", "maximum is %v, got %v", *n.maximum, f)
		}
		w.enum(n, f)
	case "boolean":
		bv, ok := v.(bool)
		if !ok {
			w.errorf(RuleSchemaType, "value must be a boolean", "got %s", typeName(v))
			return
		}
		w.enum(n, bv)
	}
}

func (w *walker) object(n *node, m map[string]any) {
	for _, r := range n.required {
		if v, ok := m[r]; !ok || v == nil {
			w.b.Errorf(RuleSchemaRequired, w.p().Field(r), "required field missing", "%s is required", r)
		}
	}
	for k, v := range m {
		if c := n.props[k]; c != nil {
			w.push(diag.Step{Field: k})
			w.node(c, v)
			w.pop()
			continue
		}
		switch {
		case n.addl != nil:
			w.push(diag.Step{Key: k, IsKey: true})
			w.node(n.addl, v)
			w.pop()
		case n.addlAllowed || n.preserve:
		default:
			w.b.Errorf(RuleSchemaUnknownField, w.p().Field(k), "unknown field", "field %q is not defined for this object", k)
		}
	}
}

func (w *walker) enum(n *node, v any) {
	if len(n.enum) == 0 {
		return
	}
	for _, e := range n.enum {
		if ef, ok := e.(float64); ok {
			if vf, ok := v.(float64); ok && vf == ef {
				return
			}
			continue
		}
		if e == v {
			return
		}
	}
	w.errorf(RuleSchemaEnum, "value not allowed", "%v is not one of %s", v, n.enumText)
}

func asNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return f, err == nil
	}
	return 0, false
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	if _, ok := asNumber(v); ok {
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

func article(t string) string {
	if t == "integer" {
		return "an integer"
	}
	return "a " + t
}

// sortDiags orders findings by path so that output is deterministic despite map iteration.
func sortDiags(ds diag.Diagnostics) {
	if len(ds) < 2 {
		return
	}
	sort.SliceStable(ds, func(i, j int) bool {
		pi, pj := ds[i].Path.String(), ds[j].Path.String()
		if pi != pj {
			return pi < pj
		}
		return ds[i].Rule < ds[j].Rule
	})
}
