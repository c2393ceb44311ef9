package spec

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// tcase is one row of a rule table. A rejecting case (ok false) expects a diagnostic with rule, at
// path, whose summary or detail contains msg. An accepting case expects no error at all.
type tcase struct {
	name string // must contain rule
	rule string
	obj  func() fabric.Object
	ok   bool
	path string
	msg  string
	raw  bool // skip fabric.Default (to test input the defaulting would change)
}

// seen records, per rule id, whether a rejecting and an accepting case ran.
var seen = map[string]*[2]bool{}

func mark(rule string, ok bool) {
	s := seen[rule]
	if s == nil {
		s = &[2]bool{}
		seen[rule] = s
	}
	if ok {
		s[1] = true
	} else {
		s[0] = true
	}
}

func runCases(t *testing.T, cases []tcase) {
	t.Helper()
	for _, tc := range cases {
		if !strings.Contains(tc.name, tc.rule) || tc.rule == "" {
			t.Fatalf("case %q must name its rule id %q", tc.name, tc.rule)
		}
		mark(tc.rule, tc.ok)
		t.Run(tc.name, func(t *testing.T) {
			obj := tc.obj()
			if !tc.raw {
				fabric.Default(obj)
			}
			ds := Validate(obj)
			for _, d := range ds {
				if d.Stage != diag.StageSpec || d.Kind != obj.GetKind() || d.Name != obj.Meta().Name || d.Summary == "" || d.Detail == "" {
					t.Errorf("malformed diagnostic %+v", d)
				}
			}
			if tc.ok {
				if errs := ds.Errors(); len(errs) > 0 {
					t.Fatalf("want no errors, got:\n%s", dump(errs))
				}
				return
			}
			for _, d := range ds {
				if d.Rule != tc.rule {
					continue
				}
				if d.Severity != diag.Error {
					t.Fatalf("rule %s reported as %s, want error", d.Rule, d.Severity)
				}
				if got := d.Path.String(); got != tc.path {
					t.Fatalf("rule %s: path %q, want %q", d.Rule, got, tc.path)
				}
				if !strings.Contains(d.Summary+" "+d.Detail, tc.msg) {
					t.Fatalf("rule %s: message %q lacks %q", d.Rule, d.Summary+": "+d.Detail, tc.msg)
				}
				return
			}
			t.Fatalf("want rule %s, got:\n%s", tc.rule, dump(ds))
		})
	}
}

func dump(ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString("  " + d.String() + "\n")
	}
	return b.String()
}

func meta(name string) fabric.ObjectMeta { return fabric.ObjectMeta{Name: name, Namespace: "default"} }

func TestMetaRules(t *testing.T) {
	srv := func(name, ns string) func() fabric.Object {
		return func() fabric.Object {
			return &fabric.Server{Kind: fabric.KindServer, Metadata: fabric.ObjectMeta{Name: name, Namespace: ns}}
		}
	}
	ipns := func(name string) func() fabric.Object {
		return func() fabric.Object {
			return &fabric.IPv4Namespace{Metadata: meta(name), Spec: fabric.IPv4NamespaceSpec{Subnets: []string{"10.0.0.0/16"}}}
		}
	}
	runCases(t, []tcase{
		{name: "meta.name.rfc1123 accepts dotted subdomain", rule: RuleNameRFC1123, obj: srv("server-1.rack-2", "default"), ok: true},
		{name: "meta.name.rfc1123 rejects uppercase", rule: RuleNameRFC1123, obj: srv("Server-1", "default"), path: "metadata.name", msg: "lowercase"},
		{name: "meta.name.rfc1123 rejects leading dash", rule: RuleNameRFC1123, obj: srv("-server", "default"), path: "metadata.name", msg: "RFC 1123"},
		{name: "meta.name.rfc1123 rejects empty label", rule: RuleNameRFC1123, obj: srv("a..b", "default"), path: "metadata.name", msg: "a..b"},
		{name: "meta.name.rfc1123 rejects trailing dash", rule: RuleNameRFC1123, obj: srv("server-", "default"), path: "metadata.name", msg: "server-"},
		{name: "meta.name.rfc1123 rejects empty", rule: RuleNameRFC1123, obj: srv("", "default"), path: "metadata.name", msg: "RFC 1123"},
		{name: "meta.name.rfc1123 rejects SwitchGroup underscore", rule: RuleNameRFC1123, obj: func() fabric.Object {
			return &fabric.SwitchGroup{Metadata: meta("group_1")}
		}, path: "metadata.name", msg: "group_1"},
		{name: "meta.name.rfc1123 rejects SwitchProfile space", rule: RuleNameRFC1123, obj: func() fabric.Object {
			return &fabric.SwitchProfile{Metadata: meta("my profile")}
		}, path: "metadata.name", msg: "my profile"},
		{name: "meta.name.rfc1123 rejects ServerProfile uppercase", rule: RuleNameRFC1123, obj: func() fabric.Object {
			return &fabric.ServerProfile{Metadata: meta("NIC")}
		}, path: "metadata.name", msg: "NIC"},
		{name: "meta.name.length accepts 11 chars", rule: RuleNameLength, obj: ipns("abcdefghijk"), ok: true},
		{name: "meta.name.length rejects 12 chars ipv4namespace", rule: RuleNameLength, obj: ipns("abcdefghijkl"), path: "metadata.name", msg: "11 characters"},
		{name: "meta.name.length long server names are fine", rule: RuleNameLength, obj: srv("a-very-long-server-name", "default"), ok: true},
		{name: "meta.namespace.default defaulted from empty", rule: RuleNamespace, obj: srv("s1", ""), ok: true},
		{name: "meta.namespace.default rejects other namespace", rule: RuleNamespace, obj: srv("s1", "prod"), path: "metadata.namespace", msg: "\"default\""},
		{name: "meta.namespace.default rejects empty when not defaulted", rule: RuleNamespace, obj: srv("s1", ""), raw: true, path: "metadata.namespace", msg: "namespace"},
	})
}

// samples lists the project's copies of the sample manifests.
func sampleFiles(t *testing.T) []string {
	files, err := filepath.Glob(filepath.Join("..", "..", "fabric", "testdata", "samples", "*.yaml"))
	if err != nil || len(files) != 3 {
		t.Fatalf("want the 3 sample files, got %v (%v)", files, err)
	}
	return files
}

func TestSamplesValidate(t *testing.T) {
	total := 0
	for _, f := range sampleFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := fabric.Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, o := range objs {
			fabric.Default(o)
			if errs := Validate(o).Errors(); len(errs) > 0 {
				t.Errorf("%s %s:\n%s", filepath.Base(f), fabric.Key(o), dump(errs))
			}
			total++
		}
	}
	if total < 100 {
		t.Fatalf("decoded only %d objects from the samples", total)
	}
}

func TestValidateNilAndUnknownKinds(t *testing.T) {
	if ds := Validate(nil); ds != nil {
		t.Fatalf("Validate(nil) = %v", ds)
	}
	if ds := Validate((*fabric.VPC)(nil)); ds != nil {
		t.Fatalf("Validate(typed nil) = %v", ds)
	}
	ds := Validate(&fabric.ExternalPeering{Metadata: meta("peer-1")})
	if len(ds) != 0 {
		t.Fatalf("ExternalPeering with a valid name: %v", ds)
	}
}

// allRules is every rule id the stage reports. TestRuleCoverage checks that the table tests have a
// rejecting and an accepting case for each, and that the source names no rule missing here.
var allRules = []string{
	RuleNameRFC1123, RuleNameLength, RuleNamespace,
	"vpc.name.ext-prefix", "vpc.mode", "vpc.ipv4-namespace.required", "vpc.vlan-namespace.required", "vpc.subnets.count",
	"vpc.subnet.cidr", "vpc.subnet.canonical", "vpc.subnet.prefix-length", "vpc.subnet.hostbgp-dhcp",
	"vpc.subnet.gateway-ip", "vpc.subnet.gateway-inside", "vpc.subnet.vlan-required", "vpc.subnet.vlan-range",
	"vpc.subnet.vlan-duplicate", "vpc.subnet.overlap",
	"vpc.subnet.dhcp.relay-exclusive", "vpc.subnet.dhcp.relay-prefix", "vpc.subnet.dhcp.relay-vpc",
	"vpc.subnet.dhcp.static-without-dhcp", "vpc.subnet.dhcp.range-required", "vpc.subnet.dhcp.range-ip",
	"vpc.subnet.dhcp.range-inside", "vpc.subnet.dhcp.range-network", "vpc.subnet.dhcp.range-gateway",
	"vpc.subnet.dhcp.range-order", "vpc.subnet.dhcp.dns-ip", "vpc.subnet.dhcp.ntp-ip", "vpc.subnet.dhcp.mtu",
	"vpc.subnet.dhcp.lease", "vpc.subnet.dhcp.route-destination", "vpc.subnet.dhcp.route-gateway",
	"vpc.subnet.dhcp.static-mac", "vpc.subnet.dhcp.static-ip", "vpc.subnet.dhcp.static-inside",
	"vpc.subnet.dhcp.static-reserved", "vpc.subnet.dhcp.static-unique",
	"vpc.permit.size", "vpc.permit.subnet-unknown", "vpc.permit.duplicate",
	"vpc.static-route.prefix", "vpc.static-route.canonical", "vpc.static-route.next-hops", "vpc.static-route.next-hop-ip",
	"ipv4ns.subnets.count", "ipv4ns.subnet.cidr", "ipv4ns.subnet.canonical", "ipv4ns.subnet.overlap",
	"vlanns.ranges.count", "vlanns.range.bounds", "vlanns.range.overlap",
	"vpcpeering.remote", "vpcpeering.permit.count", "vpcpeering.permit.vpcs", "vpcpeering.permit.two-vpcs",
	"vpcattach.subnet.format", "vpcattach.connection.required", "vpcattach.p2p-link",
	"external.ipv4-namespace.required", "external.community.required", "external.community.format",
	"external.static.communities", "external.static.prefixes", "external.static.prefix-cidr",
	"external.static.prefix-canonical", "external.static.prefix-overlap",
	"extattach.external.required", "extattach.connection.required", "extattach.bgp.switch-ip",
	"extattach.bgp.neighbor-asn", "extattach.bgp.neighbor-ip", "extattach.static.switch-unset",
	"extattach.static.neighbor-unset", "extattach.static.remote-ip", "extattach.static.ip-or-proxy",
	"extattach.static.ip-cidr", "extattach.static.vlan", "extattach.switch.vlan",
	"extattach.acl.seq-min", "extattach.acl.seq-unique", "extattach.acl.action", "extattach.acl.protocol",
	"extattach.acl.prefix", "extattach.acl.tcp-protocol", "extattach.acl.tcp-established",
	"extattach.acl.tcp-contradictory", "extattach.acl.icmp-protocol", "extattach.acl.port-protocol",
	"extattach.acl.port-begin", "extattach.acl.port-order",
	"connection.link-type", "connection.port.format", "connection.port.unique",
	"connection.bundled.links", "connection.bundled.server", "connection.bundled.switches",
	"connection.eslag.links", "connection.eslag.server", "connection.eslag.switches",
	"connection.mclag.links", "connection.mclag.switches", "connection.mclagDomain.links", "connection.mclagDomain.switches",
	"connection.vpcLoopback.links", "connection.vpcLoopback.switches",
	"connection.fabric.links", "connection.fabric.switches", "connection.mesh.links", "connection.mesh.switches",
	"connection.gateway.links", "connection.gateway.switches",
	"connection.link-ip.required", "connection.link-ip.cidr", "connection.link-ip.slash31", "connection.link-ip.pair", "connection.link-ip.unique",
	"connection.static-external.ip", "connection.static-external.next-hop", "connection.static-external.next-hop-inside",
	"connection.static-external.vlan", "connection.static-external.subnet-cidr", "connection.static-external.default-alone",
	"connection.static-external.subnet-canonical", "connection.static-external.subnet-overlap",
	"switch.role", "switch.profile.required", "switch.vlan-namespaces.required", "switch.asn.required",
	"switch.ip.required", "switch.ip.cidr", "switch.protocol-ip.required", "switch.protocol-ip.cidr", "switch.vtep-ip.cidr",
	"switch.protocol-ip.slash32", "switch.vtep-ip.slash32", "switch.vtep-ip.required", "switch.vtep-ip.spine", "switch.redundancy.pair", "switch.redundancy.type",
	"switch.link-flap.threshold", "switch.link-flap.recovery", "switch.link-flap.sampling", "switch.boot.mac",
}

// warnRules are rules reported only as warnings.
var warnRules = []string{"vpc.subnet.dhcp.ignored-when-disabled", "connection.mclag.deprecated"}

func TestRuleCoverage(t *testing.T) {
	// Run every table first so seen is complete, whatever order go test picks.
	for _, f := range []func(*testing.T){TestMetaRules, TestVPCRules, TestNamespaceRules, TestExternalRules, TestConnectionRules, TestSwitchRules} {
		f(t)
	}
	known := map[string]bool{}
	for _, r := range append(append([]string{}, allRules...), warnRules...) {
		if known[r] {
			t.Errorf("rule %s listed twice", r)
		}
		known[r] = true
	}
	for _, r := range allRules {
		s := seen[r]
		if s == nil || !s[0] || !s[1] {
			t.Errorf("rule %s needs a rejecting and an accepting case (have %v)", r, s)
		}
	}
	// Every literal rule id in the source must be listed.
	srcs, _ := filepath.Glob("*.go")
	lit := regexp.MustCompile(`Errorf\("([a-z0-9.-]+)",|Warnf\("([a-z0-9.-]+)",`)
	var found []string
	for _, f := range srcs {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(data), -1) {
			found = append(found, m[1]+m[2])
		}
	}
	sort.Strings(found)
	if len(found) < 50 {
		t.Fatalf("found only %d rule ids in the source", len(found))
	}
	for _, r := range found {
		if !known[r] {
			t.Errorf("rule %s is reported by the source but not listed in allRules", r)
		}
	}
}
