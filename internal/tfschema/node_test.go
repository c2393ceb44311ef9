package tfschema

import (
	"regexp"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric/crds"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestSnakeCase(t *testing.T) {
	cases := map[string]string{
		"ipv4Namespace": "ipv4_namespace", "hostBGP": "host_bgp", "pxeURL": "pxe_url", "portFECs": "port_fecs",
		"maxPathsEBGP": "max_paths_ebgp", "vtepIP": "vtep_ip", "leaseTimeSeconds": "lease_time_seconds",
		"interfaceMTU": "interface_mtu", "vpcLoopback": "vpc_loopback", "leaf1": "leaf1", "dnsServers": "dns_servers",
		"relayVPC": "relay_vpc", "staticExternal": "static_external", "subnet": "subnet",
	}
	for in, want := range cases {
		if got := SnakeCase(in); got != want {
			t.Errorf("SnakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

var tfName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// Every CRD derives, every attribute name is a valid Terraform name, and no spec field collides with the
// attributes the engine adds at the top level.
func TestAllCRDsDerive(t *testing.T) {
	reserved := map[string]bool{"id": true, "name": true, "namespace": true, "labels": true, "annotations": true, "manifest": true}
	for _, f := range crds.Files() {
		data, _ := crds.Read(f)
		c, err := ParseCRD(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if c.Kind == "" || c.Plural == "" || c.Version != "v1beta1" {
			t.Fatalf("%s: %+v", f, c)
		}
		if c.Spec == nil {
			if c.Kind != "SwitchGroup" {
				t.Errorf("%s: no spec fields", c.Kind)
			}
			continue
		}
		for _, fld := range c.Spec.Fields {
			if _, bad := reservedRoot[fld.TF]; bad {
				t.Errorf("%s: spec field %q uses a name Terraform reserves", c.Kind, fld.TF)
			}
			if reserved[fld.TF] {
				t.Errorf("%s: spec field %q collides with an engine attribute", c.Kind, fld.TF)
			}
		}
		var walk func(n *Node, path string)
		walk = func(n *Node, path string) {
			for _, fld := range n.Fields {
				if !tfName.MatchString(fld.TF) {
					t.Errorf("%s: bad attribute name %q at %s", c.Kind, fld.TF, path)
				}
				walk(fld, path+"."+fld.TF)
			}
			if n.Elem != nil {
				walk(n.Elem, path+"[]")
			}
		}
		walk(c.Spec, c.Kind)
		_ = c.Spec.ResourceAttributes()
		_ = c.Spec.DataSourceAttributes()
	}
}

func vpcNode(t *testing.T) *Node {
	t.Helper()
	data, _ := crds.Read("vpc.githedgehog.com_vpcs.yaml")
	c, err := ParseCRD(data)
	if err != nil {
		t.Fatal(err)
	}
	return c.Spec
}

func TestVPCShape(t *testing.T) {
	n := vpcNode(t)
	subnets := n.Field("subnets")
	if subnets == nil || subnets.Type != Map || subnets.Elem.Type != Object {
		t.Fatalf("subnets: %+v", subnets)
	}
	opts := subnets.Elem.Field("dhcp").Field("options")
	if f := opts.Field("interfaceMTU"); f == nil || f.TF != "interface_mtu" || f.Required || !f.Defaulted || f.Type != Int {
		t.Fatalf("interfaceMTU: %+v", f)
	}
	if p := n.Field("permit"); p.Type != List || p.Elem.Type != List || p.Nestable() {
		t.Fatalf("permit: %+v", p)
	}
}

func TestRoundTrip(t *testing.T) {
	n := vpcNode(t)
	spec := map[string]any{
		"ipv4Namespace": "default",
		"subnets": map[string]any{
			"default": map[string]any{"subnet": "10.0.1.0/24", "vlan": int64(1001), "dhcp": map[string]any{"enable": true, "options": map[string]any{"dnsServers": []any{"1.1.1.1"}, "interfaceMTU": int64(9036), "leaseTimeSeconds": int64(3600)}}},
		},
		"permit":       []any{[]any{"a", "b"}},
		"staticRoutes": []any{map[string]any{"prefix": "10.9.0.0/16", "nextHops": []any{"10.0.1.5"}}},
	}
	v, err := n.ToValue(spec)
	if err != nil {
		t.Fatal(err)
	}
	back, unknown, err := n.FromValue(v)
	if err != nil || unknown {
		t.Fatal(err, unknown)
	}
	v2, err := n.ToValue(back)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Equal(v2) {
		t.Fatalf("round trip differs:\n%v\n%v", v, v2)
	}
	got := back.(map[string]any)["subnets"].(map[string]any)["default"].(map[string]any)["vlan"]
	if got != int64(1001) {
		t.Fatalf("vlan %v (%T)", got, got)
	}
}

func TestUnknownIsReported(t *testing.T) {
	n := vpcNode(t)
	typ := n.TerraformType().(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	vals["ipv4_namespace"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	_, unknown, err := n.FromValue(tftypes.NewValue(typ, vals))
	if err != nil || !unknown {
		t.Fatalf("unknown=%v err=%v", unknown, err)
	}
}

func TestOverlayKeepsConfigAndFillsDefaults(t *testing.T) {
	n := vpcNode(t)
	cfg := map[string]any{"subnets": map[string]any{"a": map[string]any{"subnet": "10.0.0.0/24", "vlan": int64(5)}}}
	def := map[string]any{"ipv4Namespace": "default", "subnets": map[string]any{
		"a":     map[string]any{"subnet": "10.0.0.0/24", "vlan": int64(5), "gateway": "10.0.0.1"},
		"extra": map[string]any{"subnet": "10.1.0.0/24"},
	}}
	got := n.Overlay(cfg, def).(map[string]any)
	if got["ipv4Namespace"] != "default" {
		t.Fatalf("default not filled: %v", got)
	}
	sub := got["subnets"].(map[string]any)
	if len(sub) != 1 || sub["a"].(map[string]any)["gateway"] != "10.0.0.1" {
		t.Fatalf("subnets: %v", sub)
	}
}

func TestReservedRootRenamed(t *testing.T) {
	data, _ := crds.Read("vpc.githedgehog.com_vpcattachments.yaml")
	c, err := ParseCRD(data)
	if err != nil {
		t.Fatal(err)
	}
	f := c.Spec.Field("connection")
	if f == nil || f.TF != "connection_name" {
		t.Fatalf("connection field: %+v", f)
	}
}

func TestRewrites(t *testing.T) {
	n := vpcNode(t)
	cfg := map[string]any{"subnets": map[string]any{"a": map[string]any{"subnet": "10.0.0.0/24", "vlan": int64(5),
		"dhcp": map[string]any{"enable": true, "static": map[string]any{"AA:BB:CC:DD:EE:FF": map[string]any{"ip": "10.0.0.9"}}}}},
		"staticRoutes": []any{map[string]any{"prefix": "10.9.0.0/16", "nextHops": []any{"10.0.0.3", "10.0.0.2"}}}}
	def := map[string]any{"ipv4Namespace": "default", "subnets": map[string]any{"a": map[string]any{"subnet": "10.0.0.0/24", "vlan": int64(5), "gateway": "10.0.0.1",
		"dhcp": map[string]any{"enable": true, "static": map[string]any{"aa:bb:cc:dd:ee:ff": map[string]any{"ip": "10.0.0.9"}}}}},
		"staticRoutes": []any{map[string]any{"prefix": "10.9.0.0/16", "nextHops": []any{"10.0.0.2", "10.0.0.3"}}}}
	rw := n.Rewrites(cfg, def)
	paths := map[string]bool{}
	for _, r := range rw {
		paths[strings.Join(r.Path, ".")] = true
	}
	// the reordered list and the static map (its key was normalised) are rewrites; defaults are not
	if !paths["static_routes"] || paths["ipv4_namespace"] || paths["subnets.a.gateway"] {
		t.Fatalf("rewrites %v", paths)
	}
	if !paths["subnets.a.dhcp.static.AA:BB:CC:DD:EE:FF"] {
		t.Fatalf("normalised MAC key not reported: %v", paths)
	}
}
