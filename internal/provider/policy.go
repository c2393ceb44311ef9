package provider

import (
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/tfschema"
)

// policyNode describes the provider's `policy` attribute with the same node tree the CRD-derived schemas
// use, so that one conversion turns the HCL value into the JSON the cascade's Policy decodes.
func policyNode() *tfschema.Node {
	leaf := func(j string, t tfschema.Type, req bool, d string) *tfschema.Node {
		return &tfschema.Node{JSON: j, TF: j, Type: t, Required: req, Description: d}
	}
	sev := func() *tfschema.Node {
		return leaf("severity", tfschema.String, false, "`error` (default) or `warning`.")
	}
	obj := func(j, d string, fields ...*tfschema.Node) *tfschema.Node {
		return &tfschema.Node{JSON: j, TF: j, Type: tfschema.Object, Fields: fields, Description: d}
	}
	list := func(j, d string, elem *tfschema.Node) *tfschema.Node {
		return &tfschema.Node{JSON: j, TF: j, Type: tfschema.List, Elem: elem, Description: d}
	}
	strs := func(j string, d string) *tfschema.Node {
		n := list(j, d, leaf("", tfschema.String, false, ""))
		n.Required = true
		return n
	}
	kind := leaf("kind", tfschema.String, true, "Kind the rule applies to (e.g. `VPC`), or `*` for every kind.")
	rng := obj("", "", leaf("from", tfschema.Int, true, "First VLAN."), leaf("to", tfschema.Int, true, "Last VLAN."))
	return obj("policy", "Compliance policy checked as the last stage of the validation cascade, at plan time.",
		list("name_patterns", "Object names of a kind must match a regular expression.",
			obj("", "", kind, leaf("pattern", tfschema.String, true, "Regular expression (RE2)."), sev())),
		list("allowed_vlan_ranges", "VLANs that VPCs of a VLANNamespace may use.",
			obj("", "", leaf("vlan_namespace", tfschema.String, true, "VLANNamespace name."), func() *tfschema.Node {
				n := list("ranges", "Allowed ranges.", rng)
				n.Required = true
				return n
			}(), sev())),
		list("allowed_subnets", "VPC subnets of an IPv4Namespace must lie inside one of these CIDRs.",
			obj("", "", leaf("ipv4_namespace", tfschema.String, true, "IPv4Namespace name."), strs("subnets", "Allowed CIDRs."), sev())),
		list("required_labels", "Label keys every object of a kind must carry.",
			obj("", "", kind, strs("keys", "Label keys."), sev())),
		list("required_annotations", "Annotation keys every object of a kind must carry.",
			obj("", "", kind, strs("keys", "Annotation keys."), sev())),
		obj("max_subnets_per_vpc", "Upper bound on the subnets of one VPC.", leaf("max", tfschema.Int, true, "Maximum number of subnets."), sev()),
		list("forbidden_cidrs", "CIDRs no VPC subnet, IPv4Namespace subnet or static-external subnet may overlap.",
			obj("", "", leaf("cidr", tfschema.String, true, "Forbidden CIDR."), sev())),
	)
}

// decodePolicy turns the provider's policy value into a validated cascade.Policy (nil when unset).
func decodePolicy(n *tfschema.Node, v tftypes.Value) (*cascade.Policy, error) {
	x, unknown, err := n.FromValue(v)
	if err != nil {
		return nil, err
	}
	if unknown {
		return nil, fmt.Errorf("the policy must be known at plan time")
	}
	if x == nil {
		return nil, nil
	}
	b, err := json.Marshal(x)
	if err != nil {
		return nil, err
	}
	p := &cascade.Policy{}
	if err := json.Unmarshal(b, p); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}
