package tfschema

import (
	"encoding/json"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric/crds"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

func crdNode(t *testing.T, file string) *Node {
	t.Helper()
	data, err := crds.Read(file)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCRD(data)
	if err != nil {
		t.Fatal(err)
	}
	return c.Spec
}

// The fields the fabric's defaulting fills are Optional and Computed resource attributes; required fields
// it leaves at their zero value stay Required.
func TestDefaultedRequiredAttributes(t *testing.T) {
	vpc := crdNode(t, "vpc.githedgehog.com_vpcs.yaml")
	ea := crdNode(t, "vpc.githedgehog.com_externalattachments.yaml")
	sw := crdNode(t, "wiring.githedgehog.com_switches.yaml")
	optional := map[string]*Node{
		"vpc interface_mtu":      vpc.At("subnets.*.dhcp.options.interfaceMTU"),
		"vpc lease_time_seconds": vpc.At("subnets.*.dhcp.options.leaseTimeSeconds"),
		"ea switch":              ea.At("switch"),
		"ea neighbor":            ea.At("neighbor"),
	}
	for name, n := range optional {
		if n == nil || n.Required || !n.Defaulted {
			t.Fatalf("%s: %+v", name, n)
		}
	}
	required := map[string]*Node{
		"switch role":      sw.At("role"),
		"acl action":       ea.At("inboundACL.statements.*.action"),
		"static remote ip": ea.At("static.remoteIP"),
		"dhcp static ip":   vpc.At("subnets.*.dhcp.static.*.ip"),
	}
	for name, n := range required {
		if n == nil || !n.Required || n.Defaulted {
			t.Fatalf("%s should stay required: %+v", name, n)
		}
	}

	opts := vpc.At("subnets.*.dhcp.options").resourceAttribute().(rschema.SingleNestedAttribute)
	for _, a := range []string{"interface_mtu", "lease_time_seconds"} {
		at := opts.Attributes[a]
		if at.IsRequired() || !at.IsOptional() || !at.IsComputed() {
			t.Errorf("options.%s: required=%v optional=%v computed=%v", a, at.IsRequired(), at.IsOptional(), at.IsComputed())
		}
	}
	attrs := ea.ResourceAttributes()
	for _, a := range []string{"switch", "neighbor"} {
		if at := attrs[a]; at.IsRequired() || !at.IsOptional() || !at.IsComputed() {
			t.Errorf("%s: required=%v optional=%v computed=%v", a, at.IsRequired(), at.IsOptional(), at.IsComputed())
		}
	}
	if at := sw.ResourceAttributes()["role"]; !at.IsRequired() {
		t.Errorf("switch role is not required")
	}
}

// The table agrees with the cascade's schema stage: a configuration that omits every table field passes
// it (the cascade judges required fields after the fabric's defaulting), while a genuinely required field
// is still reported.
func TestDefaultedRequiredMatchesCascade(t *testing.T) {
	samples := map[string]string{
		"VPC": `{"metadata":{"name":"v"},"spec":{"subnets":{"default":{"subnet":"10.91.1.0/24","vlan":1950,` +
			`"dhcp":{"enable":true,"options":{"dnsServers":["1.1.1.1"]}}}}}}`,
		"ExternalAttachment": `{"metadata":{"name":"ea"},"spec":{"external":"e","connection":"c","static":{"remoteIP":"10.91.0.1"}}}`,
	}
	for kind := range DefaultedRequired {
		js, ok := samples[kind]
		if !ok {
			t.Fatalf("%s: no sample omitting its defaulted required fields", kind)
		}
		var obj map[string]any
		if err := json.Unmarshal([]byte(js), &obj); err != nil {
			t.Fatal(err)
		}
		if ds := cascade.ValidateSchema(kind, obj); len(ds) > 0 {
			t.Errorf("%s: the cascade rejects a configuration omitting %v: %v", kind, DefaultedRequired[kind], ds)
		}
	}
	var sw map[string]any
	_ = json.Unmarshal([]byte(`{"metadata":{"name":"a"},"spec":{"asn":1}}`), &sw)
	if ds := cascade.ValidateSchema("Switch", sw); len(ds) == 0 {
		t.Errorf("the cascade accepts a Switch without role, which the Terraform schema requires")
	}
}

// The plan predicts the default of an omitted defaulted field: Overlay fills it from the defaulted spec.
func TestDefaultedRequiredPlannedDefault(t *testing.T) {
	n := crdNode(t, "vpc.githedgehog.com_vpcs.yaml")
	cfg := map[string]any{"subnets": map[string]any{"default": map[string]any{"subnet": "10.91.1.0/24", "vlan": int64(1950),
		"dhcp": map[string]any{"enable": true, "options": map[string]any{"interfaceMTU": int64(1500)}}}}}
	o, err := fabric.FromUnstructured(map[string]any{"kind": "VPC", "metadata": map[string]any{"name": "v"}, "spec": cfg})
	if err != nil {
		t.Fatal(err)
	}
	fabric.Default(o)
	u, err := fabric.ToUnstructured(o)
	if err != nil {
		t.Fatal(err)
	}
	planned := n.Overlay(cfg, u["spec"]).(map[string]any)
	v, err := n.ToValue(planned)
	if err != nil {
		t.Fatal(err)
	}
	back, _, err := n.FromValue(v)
	if err != nil {
		t.Fatal(err)
	}
	opts := back.(map[string]any)["subnets"].(map[string]any)["default"].(map[string]any)["dhcp"].(map[string]any)["options"].(map[string]any)
	if opts["interfaceMTU"] != int64(1500) || opts["leaseTimeSeconds"] != int64(fabric.DefaultDHCPLeaseSeconds) {
		t.Fatalf("planned options %v", opts)
	}

	ea := crdNode(t, "vpc.githedgehog.com_externalattachments.yaml")
	ecfg := map[string]any{"external": "e", "connection": "c", "static": map[string]any{"remoteIP": "10.91.0.1"}}
	eo, err := fabric.FromUnstructured(map[string]any{"kind": "ExternalAttachment", "metadata": map[string]any{"name": "ea"}, "spec": ecfg})
	if err != nil {
		t.Fatal(err)
	}
	fabric.Default(eo)
	eu, err := fabric.ToUnstructured(eo)
	if err != nil {
		t.Fatal(err)
	}
	ep := ea.Overlay(ecfg, eu["spec"]).(map[string]any)
	if _, ok := ep["switch"].(map[string]any); !ok {
		t.Fatalf("switch not predicted: %v", ep)
	}
	if _, err := ea.ToValue(ep); err != nil {
		t.Fatal(err)
	}
}

// Every table entry names a required field of its CRD (ParseCRD fails otherwise).
func TestDefaultedRequiredTableValid(t *testing.T) {
	byKind := map[string]bool{}
	for _, f := range crds.Files() {
		data, _ := crds.Read(f)
		c, err := ParseCRD(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		byKind[c.Kind] = true
	}
	for kind := range DefaultedRequired {
		if !byKind[kind] {
			t.Errorf("DefaultedRequired names unknown kind %s", kind)
		}
	}
}
