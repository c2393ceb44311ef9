// Package tfschema derives Terraform schemas from the fabric's CRD OpenAPI schemas and converts values
// between Terraform (tftypes) and the unstructured JSON form of a manifest. One derivation serves all kinds,
// so each resource's schema mirrors its CRD field for field (camelCase JSON names become snake_case).
package tfschema

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"sigs.k8s.io/yaml"
)

// Type is a node's shape.
type Type int

const (
	Object Type = iota
	Map
	List
	String
	Int
	Bool
	Number
)

// Node is one field of a CRD spec schema.
type Node struct {
	JSON        string // JSON name in the manifest
	TF          string // Terraform attribute name
	Type        Type
	Fields      []*Node // Object: fields sorted by TF name
	Elem        *Node   // Map, List: element
	Required    bool    // required by the CRD when the parent is present, and not filled by the fabric's defaulting
	Defaulted   bool    // required by the CRD, but the fabric's defaulting fills it when omitted (see DefaultedRequired)
	Description string
	Enum        []string
}

// Field returns the child with the given JSON name.
func (n *Node) Field(json string) *Node {
	for _, f := range n.Fields {
		if f.JSON == json {
			return f
		}
	}
	return nil
}

// At returns the node at a dot-separated path of JSON names below n; "*" steps into a list or map
// element. nil when there is no such node.
func (n *Node) At(path string) *Node {
	cur := n
	for _, st := range strings.Split(path, ".") {
		if cur == nil {
			return nil
		}
		if st == "*" {
			cur = cur.Elem
			continue
		}
		cur = cur.Field(st)
	}
	return cur
}

// DefaultedRequired lists, per kind, the spec fields (paths as for Node.At, from spec) the CRD marks
// required but the fabric's defaulting always fills. The cluster runs the fabric's mutating webhook
// (fabric.Default in this provider) before it checks the CRD schema, so a configuration may leave these
// out; the cascade's schema stage judges required fields on the defaulted form in the same way
// (cascade.dropDefaultedRequired). They become Optional and Computed attributes, and the plan predicts
// the default (Node.Overlay with the defaulted spec):
//
//   - VPC DHCP options: interfaceMTU 0 -> 9036 and leaseTimeSeconds 0 -> 3600 (VPC Default(); an options
//     object the defaulting drops, while DHCP is disabled, does not reach the cluster at all);
//   - ExternalAttachment switch and neighbor: value structs the fabric always encodes (as {} when unset).
//
// Required fields the defaulting leaves at their zero value (Switch role, ACL statement action, static
// remoteIP, static lease ip) stay Required. TestDefaultedRequiredMatchesCascade keeps this table and the
// cascade in agreement.
var DefaultedRequired = map[string][]string{
	"VPC":                {"subnets.*.dhcp.options.interfaceMTU", "subnets.*.dhcp.options.leaseTimeSeconds"},
	"ExternalAttachment": {"neighbor", "switch"},
}

// Nestable reports whether the node can be a nested attribute (an object, or a list or map of objects);
// otherwise it is written as a plain attribute with an element type.
func (n *Node) Nestable() bool {
	switch n.Type {
	case Object:
		return true
	case List, Map:
		return n.Elem.Type == Object
	}
	return false
}

// CRD is what the derivation keeps of one CRD.
type CRD struct {
	Kind, Group, Version, Plural string
	Description                  string
	Spec                         *Node // nil when the CRD has no spec properties
}

// ParseCRD derives the node tree of one CRD file.
func ParseCRD(data []byte) (*CRD, error) {
	var doc struct {
		Spec struct {
			Group string `json:"group"`
			Names struct {
				Kind   string `json:"kind"`
				Plural string `json:"plural"`
			} `json:"names"`
			Versions []struct {
				Name   string `json:"name"`
				Schema struct {
					OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
				} `json:"schema"`
			} `json:"versions"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Spec.Versions) != 1 {
		return nil, fmt.Errorf("%s: want exactly one version, got %d", doc.Spec.Names.Kind, len(doc.Spec.Versions))
	}
	v := doc.Spec.Versions[0]
	root := v.Schema.OpenAPIV3Schema
	c := &CRD{Kind: doc.Spec.Names.Kind, Group: doc.Spec.Group, Version: v.Name, Plural: doc.Spec.Names.Plural}
	c.Description, _ = root["description"].(string)
	props, _ := root["properties"].(map[string]any)
	specSchema, _ := props["spec"].(map[string]any)
	if specSchema == nil {
		return c, nil
	}
	spec, err := build("spec", specSchema)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Kind, err)
	}
	for _, f := range spec.Fields {
		if alt, ok := reservedRoot[f.TF]; ok {
			f.TF = alt
		}
	}
	sort.Slice(spec.Fields, func(i, j int) bool { return spec.Fields[i].TF < spec.Fields[j].TF })
	for _, p := range DefaultedRequired[c.Kind] {
		n := spec.At(p)
		if n == nil || !n.Required {
			return nil, fmt.Errorf("%s: defaulted required field %q is not a required field of the CRD", c.Kind, p)
		}
		n.Required, n.Defaulted = false, true
		d := strings.TrimSpace(n.Description)
		if d != "" && !strings.HasSuffix(d, ".") {
			d += "."
		}
		n.Description = strings.TrimSpace(d + " Defaulted by the fabric when omitted.")
	}
	if len(spec.Fields) > 0 {
		c.Spec = spec
	}
	return c, nil
}

func build(json string, s map[string]any) (*Node, error) {
	n := &Node{JSON: json, TF: SnakeCase(json)}
	n.Description, _ = s["description"].(string)
	if e, ok := s["enum"].([]any); ok {
		for _, x := range e {
			n.Enum = append(n.Enum, fmt.Sprint(x))
		}
	}
	t, _ := s["type"].(string)
	switch t {
	case "object":
		props, _ := s["properties"].(map[string]any)
		if ap, ok := s["additionalProperties"].(map[string]any); ok && len(props) == 0 {
			n.Type = Map
			elem, err := build("", ap)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", json, err)
			}
			n.Elem = elem
			return n, nil
		}
		n.Type = Object
		req := map[string]bool{}
		if r, ok := s["required"].([]any); ok {
			for _, x := range r {
				req[fmt.Sprint(x)] = true
			}
		}
		for name, p := range props {
			ps, _ := p.(map[string]any)
			child, err := build(name, ps)
			if err != nil {
				return nil, fmt.Errorf("%s.%w", json, err)
			}
			child.Required = req[name]
			n.Fields = append(n.Fields, child)
		}
		sort.Slice(n.Fields, func(i, j int) bool { return n.Fields[i].TF < n.Fields[j].TF })
	case "array":
		items, _ := s["items"].(map[string]any)
		elem, err := build("", items)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", json, err)
		}
		n.Type, n.Elem = List, elem
	case "string":
		n.Type = String
	case "integer":
		n.Type = Int
	case "boolean":
		n.Type = Bool
	case "number":
		n.Type = Number
	default:
		return nil, fmt.Errorf("%s: unsupported schema type %q", json, t)
	}
	return n, nil
}

// reservedRoot renames top-level spec fields whose names Terraform reserves for meta-arguments.
var reservedRoot = map[string]string{
	"connection":  "connection_name",
	"count":       "count_value",
	"depends_on":  "depends_on_value",
	"for_each":    "for_each_value",
	"lifecycle":   "lifecycle_value",
	"provider":    "provider_name",
	"provisioner": "provisioner_name",
}

// SnakeCase turns a camelCase JSON name into a Terraform attribute name: ipv4Namespace -> ipv4_namespace,
// hostBGP -> host_bgp, pxeURL -> pxe_url, portFECs -> port_fecs, maxPathsEBGP -> max_paths_ebgp.
func SnakeCase(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prev := r[i-1]
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			// A trailing plural "s" after an acronym (FECs) stays with the acronym.
			pluralAcronym := nextLower && r[i+1] == 's' && (i+2 == len(r) || unicode.IsUpper(r[i+2]))
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower && !pluralAcronym) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}
