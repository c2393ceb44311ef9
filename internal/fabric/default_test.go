package fabric

import (
	"os"
	"reflect"
	"testing"
)

func mustDecodeOne(t *testing.T, doc string) Object {
	t.Helper()
	objs, err := Decode([]byte(doc))
	if err != nil || len(objs) != 1 {
		t.Fatalf("decode: %v (%d objects)", err, len(objs))
	}
	return objs[0]
}

// defaulted decodes doc, defaults it, and checks that defaulting again and
// defaulting a deep copy change nothing.
func defaulted(t *testing.T, doc string) Object {
	t.Helper()
	o := mustDecodeOne(t, doc)
	Default(o)
	again := DeepCopy(o)
	Default(again)
	if !reflect.DeepEqual(o, again) {
		t.Fatalf("Default not idempotent:\n%+v\n%+v", o, again)
	}
	return o
}

const vpcHead = "apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\nmetadata: {name: v}\n"

func TestDefaultNamespaceAllKinds(t *testing.T) {
	for _, k := range Kinds() {
		o, _ := New(k.Kind)
		Default(o)
		if o.Meta().Namespace != "default" {
			t.Errorf("%s: namespace %q", k.Kind, o.Meta().Namespace)
		}
		o.Meta().Namespace = "other"
		Default(o)
		if o.Meta().Namespace != "other" {
			t.Errorf("%s: explicit namespace overwritten", k.Kind)
		}
	}
	Default(nil) // must not panic
}

func TestDefaultVPCNamespaces(t *testing.T) {
	v := defaulted(t, vpcHead+"spec: {}\n").(*VPC)
	if v.Spec.IPv4Namespace != "default" || v.Spec.VLANNamespace != "default" {
		t.Errorf("got %+v", v.Spec)
	}
	v = defaulted(t, vpcHead+"spec: {ipv4Namespace: a, vlanNamespace: b}\n").(*VPC)
	if v.Spec.IPv4Namespace != "a" || v.Spec.VLANNamespace != "b" {
		t.Errorf("got %+v", v.Spec)
	}
}

func TestDefaultVPCGateway(t *testing.T) {
	v := defaulted(t, vpcHead+`spec:
  subnets:
    a: {subnet: 10.1.0.0/16, vlan: 10}
    b: {subnet: 10.2.0.0/24, gateway: 10.2.0.254, vlan: 11}
    c: {subnet: 10.3.0.0/24, hostBGP: true}
    d: {subnet: not-a-cidr}
`).(*VPC)
	s := v.Spec.Subnets
	if s["a"].Gateway != "10.1.0.1" || s["b"].Gateway != "10.2.0.254" || s["c"].Gateway != "" || s["d"].Gateway != "" {
		t.Errorf("gateways: %q %q %q %q", s["a"].Gateway, s["b"].Gateway, s["c"].Gateway, s["d"].Gateway)
	}
	if s["a"].DHCP == nil || s["d"].DHCP == nil {
		t.Error("dhcp {} not defaulted")
	}
}

func TestDefaultVPCDHCPRange(t *testing.T) {
	v := defaulted(t, vpcHead+`spec:
  subnets:
    a: {subnet: 10.1.0.0/24, vlan: 10, dhcp: {enable: true}}
    b: {subnet: 10.2.0.0/24, vlan: 11, dhcp: {enable: true, range: {start: 10.2.0.50}}}
    c: {subnet: 10.3.0.0/24, vlan: 12, dhcp: {enable: true, range: {end: 10.3.0.60}}}
    d: {subnet: 10.4.0.0/31, vlan: 13, dhcp: {enable: true}}
`).(*VPC)
	s := v.Spec.Subnets
	check := func(name, start, end string) {
		r := s[name].DHCP.Range
		if r == nil || r.Start != start || r.End != end {
			t.Errorf("%s: range %+v, want %s-%s", name, r, start, end)
		}
	}
	check("a", "10.1.0.2", "10.1.0.255") // broadcast, per RULES-NOTES
	check("b", "10.2.0.50", "10.2.0.255")
	check("c", "10.3.0.2", "10.3.0.60")
	if s["d"].DHCP.Range != nil {
		t.Errorf("/31: no DHCP defaulting expected, got %+v", s["d"].DHCP.Range)
	}
}

func TestDefaultVPCDHCPDisabledDropsRangeAndOptions(t *testing.T) {
	v := defaulted(t, vpcHead+`spec:
  subnets:
    a:
      subnet: 10.1.0.0/24
      vlan: 10
      dhcp:
        range: {start: 10.1.0.10}
        options: {interfaceMTU: 1500, leaseTimeSeconds: 10}
        static: {"AA-BB-CC-DD-EE-FF": {ip: 10.1.0.5}}
`).(*VPC)
	d := v.Spec.Subnets["a"].DHCP
	if d.Range != nil || d.Options != nil {
		t.Errorf("range/options not dropped: %+v", d)
	}
	if _, ok := d.Static["AA-BB-CC-DD-EE-FF"]; !ok {
		t.Errorf("static must be kept untouched when dhcp is disabled: %+v", d.Static)
	}
}

func TestDefaultVPCDHCPOptions(t *testing.T) {
	v := defaulted(t, vpcHead+`spec:
  subnets:
    none: {subnet: 10.1.0.0/24, vlan: 10, dhcp: {enable: true}}
    empty: {subnet: 10.2.0.0/24, vlan: 11, dhcp: {enable: true, options: {interfaceMTU: 0, leaseTimeSeconds: 0}}}
    some:
      subnet: 10.3.0.0/24
      vlan: 12
      dhcp:
        enable: true
        options:
          interfaceMTU: 0
          leaseTimeSeconds: 0
          dnsServers: [10.0.0.9, 10.0.0.1]
          timeServers: [b, a]
          advertisedRoutes: [{destination: 10.9.0.0/16, gateway: 10.3.0.2}, {destination: 10.8.0.0/16, gateway: 10.3.0.3}]
    set: {subnet: 10.4.0.0/24, vlan: 13, dhcp: {enable: true, options: {interfaceMTU: 1500, leaseTimeSeconds: 60}}}
`).(*VPC)
	s := v.Spec.Subnets
	if s["none"].DHCP.Options != nil {
		t.Error("options must not be created when absent")
	}
	if s["empty"].DHCP.Options != nil {
		t.Error("all-empty options must be dropped")
	}
	o := s["some"].DHCP.Options
	if o.InterfaceMTU != 9036 || o.LeaseTimeSeconds != 3600 {
		t.Errorf("mtu/lease: %+v", o)
	}
	if !reflect.DeepEqual(o.DNSServers, []string{"10.0.0.1", "10.0.0.9"}) || !reflect.DeepEqual(o.TimeServers, []string{"a", "b"}) {
		t.Errorf("servers not sorted: %+v", o)
	}
	if o.AdvertisedRoutes[0].Destination != "10.8.0.0/16" {
		t.Errorf("routes not sorted: %+v", o.AdvertisedRoutes)
	}
	if o := s["set"].DHCP.Options; o.InterfaceMTU != 1500 || o.LeaseTimeSeconds != 60 {
		t.Errorf("explicit values overwritten: %+v", o)
	}
}

func TestDefaultVPCStaticMAC(t *testing.T) {
	v := defaulted(t, vpcHead+`spec:
  subnets:
    a:
      subnet: 10.1.0.0/24
      vlan: 10
      dhcp:
        enable: true
        static:
          "AA-BB-CC-DD-EE-FF": {ip: 10.1.0.5}
          "0011.2233.4455": {ip: 10.1.0.6}
          "not-a-mac": {ip: 10.1.0.7}
`).(*VPC)
	st := v.Spec.Subnets["a"].DHCP.Static
	want := map[string]VPCDHCPStatic{
		"aa:bb:cc:dd:ee:ff": {IP: "10.1.0.5"}, "00:11:22:33:44:55": {IP: "10.1.0.6"}, "not-a-mac": {IP: "10.1.0.7"},
	}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("got %v", st)
	}
}

func TestDefaultVPCAttachmentSubnet(t *testing.T) {
	for in, want := range map[string]string{"v1": "v1/default", "v1/s": "v1/s", "v1/": "v1/", "": ""} {
		o := defaulted(t, "apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPCAttachment\nmetadata: {name: a}\nspec: {subnet: '"+in+"'}\n").(*VPCAttachment)
		if o.Spec.Subnet != want {
			t.Errorf("%q -> %q, want %q", in, o.Spec.Subnet, want)
		}
	}
	for in, want := range map[string][2]string{"v": {"v", "default"}, "v/": {"v", "default"}, "v/s": {"v", "s"}, "v/s/x": {"v", "s/x"}} {
		a, b := VPCSubnetName(in)
		if a != want[0] || b != want[1] {
			t.Errorf("VPCSubnetName(%q) = %q, %q", in, a, b)
		}
	}
}

func TestDefaultExternal(t *testing.T) {
	e := defaulted(t, "apiVersion: vpc.githedgehog.com/v1beta1\nkind: External\nmetadata: {name: e}\nspec: {inboundCommunity: '1:1'}\n").(*External)
	if e.Spec.IPv4Namespace != "default" {
		t.Errorf("got %q", e.Spec.IPv4Namespace)
	}
}

func TestDefaultVLANNamespace(t *testing.T) {
	head := "apiVersion: wiring.githedgehog.com/v1beta1\nkind: VLANNamespace\nmetadata: {name: ns1}\n"
	ns := defaulted(t, head+"spec: {ranges: [{from: 2000, to: 2100}, {from: 100}, {from: 1000, to: 1999}]}\n").(*VLANNamespace)
	want := []VLANRange{{100, 100}, {1000, 1999}, {2000, 2100}}
	if !reflect.DeepEqual(ns.Spec.Ranges, want) {
		t.Errorf("got %v, want %v", ns.Spec.Ranges, want)
	}
	for _, bad := range []string{"[{from: 0, to: 10}]", "[{from: 10, to: 5}]", "[{from: 10, to: 4095}]", "[{from: 10}, {from: 4095}]"} {
		ns := defaulted(t, head+"spec: {ranges: "+bad+"}\n").(*VLANNamespace)
		if ns.Spec.Ranges != nil {
			t.Errorf("%s: invalid ranges should be emptied, got %v", bad, ns.Spec.Ranges)
		}
	}
}

func TestDefaultSwitch(t *testing.T) {
	sw := defaulted(t, `apiVersion: wiring.githedgehog.com/v1beta1
kind: Switch
metadata: {name: s}
spec:
  role: server-leaf
  boot: {mac: "0C-20-12-FF-02-0A"}
  groups: [z, a]
  redundancy: {group: m, type: eslag}
  portSpeeds: {E1/1: SPEED_25GB, E1/2: 10G}
  portGroupSpeeds: {"1": SPEED_10GB}
  linkFlapErrDisable: {recoveryInterval: 0}
`).(*Switch)
	s := sw.Spec
	if !reflect.DeepEqual(s.Groups, []string{"a", "m", "z"}) {
		t.Errorf("groups %v", s.Groups)
	}
	if !reflect.DeepEqual(s.VLANNamespaces, []string{"default"}) {
		t.Errorf("vlanNamespaces %v", s.VLANNamespaces)
	}
	if s.PortSpeeds["E1/1"] != "25GB" || s.PortSpeeds["E1/2"] != "10G" || s.PortGroupSpeeds["1"] != "10GB" {
		t.Errorf("speeds %v %v", s.PortSpeeds, s.PortGroupSpeeds)
	}
	if s.Boot.MAC != "0c:20:12:ff:02:0a" {
		t.Errorf("mac %q", s.Boot.MAC)
	}
	lf := s.LinkFlapErrDisable
	if *lf.FlapThreshold != 3 || *lf.SamplingInterval != 30 || *lf.RecoveryInterval != 0 {
		t.Errorf("linkFlap %d %d %d", *lf.FlapThreshold, *lf.SamplingInterval, *lf.RecoveryInterval)
	}
	if s.ECMP == nil {
		t.Error("ecmp {} not defaulted")
	}

	sw = defaulted(t, "apiVersion: wiring.githedgehog.com/v1beta1\nkind: Switch\nmetadata: {name: s}\nspec: {role: spine, vlanNamespaces: [b, a], groups: [g]}\n").(*Switch)
	if !reflect.DeepEqual(sw.Spec.VLANNamespaces, []string{"a", "b"}) || sw.Spec.LinkFlapErrDisable != nil ||
		!reflect.DeepEqual(sw.Spec.Groups, []string{"g"}) || sw.Spec.Redundancy == nil || sw.Spec.Boot == nil {
		t.Errorf("got %+v", sw.Spec)
	}
	sw = defaulted(t, "apiVersion: wiring.githedgehog.com/v1beta1\nkind: Switch\nmetadata: {name: s}\nspec: {role: spine, linkFlapErrDisable: {}}\n").(*Switch)
	if lf := sw.Spec.LinkFlapErrDisable; *lf.FlapThreshold != 3 || *lf.SamplingInterval != 30 || *lf.RecoveryInterval != 300 {
		t.Errorf("linkFlap defaults wrong")
	}
}

// TestDefaultSamplesIdempotent defaults every sample object, checks a second
// Default changes nothing, and that already-defaulted sample fields survive.
func TestDefaultSamplesIdempotent(t *testing.T) {
	for _, f := range sampleFiles(t) {
		data, _ := os.ReadFile(f)
		objs, err := Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			orig := DeepCopy(o)
			Default(o)
			again := DeepCopy(o)
			Default(again)
			if !reflect.DeepEqual(o, again) {
				t.Errorf("%s: %s not idempotent", f, Key(o))
			}
			// The nvidia sample was serialised from the fabric types (non-VPC objects are already defaulted): Default must not change it.
			if f == "testdata/samples/nvidia-air-demo--include.yaml" {
				if _, isVPC := o.(*VPC); !isVPC && !reflect.DeepEqual(o, orig) {
					a, _ := Encode(orig)
					b, _ := Encode(o)
					t.Errorf("%s: defaulting changed an exported object:\n%s\n->\n%s", Key(o), a, b)
				}
			}
		}
	}
}

func TestDefaultIPv4Namespace(t *testing.T) {
	ns := defaulted(t, "apiVersion: vpc.githedgehog.com/v1beta1\nkind: IPv4Namespace\nmetadata: {name: ns1}\nspec: {subnets: [10.2.0.0/16, 10.10.0.0/16, 10.1.0.0/16]}\n").(*IPv4Namespace)
	// string order, as the fabric's sort.Strings
	if !reflect.DeepEqual(ns.Spec.Subnets, []string{"10.1.0.0/16", "10.10.0.0/16", "10.2.0.0/16"}) {
		t.Errorf("got %v", ns.Spec.Subnets)
	}
}

func TestDefaultExternalPeering(t *testing.T) {
	p := defaulted(t, `apiVersion: vpc.githedgehog.com/v1beta1
kind: ExternalPeering
metadata: {name: p}
spec:
  permit:
    vpc: {name: v, subnets: [s2, s1]}
    external: {name: e, prefixes: [{prefix: 10.0.0.0/8}, {prefix: 0.0.0.0/0}]}
`).(*ExternalPeering)
	if !reflect.DeepEqual(p.Spec.Permit.VPC.Subnets, []string{"s1", "s2"}) || p.Spec.Permit.External.Prefixes[0].Prefix != "0.0.0.0/0" {
		t.Errorf("got %+v %+v", p.Spec.Permit.VPC, p.Spec.Permit.External)
	}
	p = defaulted(t, "apiVersion: vpc.githedgehog.com/v1beta1\nkind: ExternalPeering\nmetadata: {name: p}\nspec: {}\n").(*ExternalPeering)
	if p.Spec.Permit == nil || p.Spec.Permit.VPC == nil || p.Spec.Permit.External == nil {
		t.Errorf("permit value structs not defaulted: %+v", p.Spec.Permit)
	}
}

func TestVPCHelpers(t *testing.T) {
	v := mustDecodeOne(t, vpcHead+"spec: {defaultIsolated: true, subnets: {a: {isolated: false, restricted: true}, b: {}}}\n").(*VPC)
	if v.Spec.IsSubnetIsolated("a") || !v.Spec.IsSubnetIsolated("b") || !v.Spec.IsSubnetIsolated("missing") {
		t.Error("IsSubnetIsolated")
	}
	if !v.Spec.IsSubnetRestricted("a") || v.Spec.IsSubnetRestricted("b") {
		t.Error("IsSubnetRestricted")
	}
	a := VPCAttachmentSpec{Subnet: "v1"}
	if a.VPCName() != "v1" || a.SubnetName() != "default" {
		t.Error("VPCAttachmentSpec names")
	}
}
