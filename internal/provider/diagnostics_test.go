package provider

import (
	"strings"
	"testing"

	fwdiag "github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

func TestAttributePath(t *testing.T) {
	cases := []struct {
		node *kindSpec
		in   diag.Path
		want string
	}{
		{mustKinds()[fabric.KindVPC], diag.F("spec", "subnets").Key("bad").Field("gateway"), `subnets["bad"].gateway`},
		{mustKinds()[fabric.KindVPC], diag.F("spec", "subnets").Key("a").Field("dhcp").Field("range").Field("start"), `subnets["a"].dhcp.range.start`},
		{mustKinds()[fabric.KindVPC], diag.F("spec", "staticRoutes").Index(2).Field("nextHops").Index(0), `static_routes[2].next_hops[0]`},
		{mustKinds()[fabric.KindVPC], diag.F("spec", "ipv4Namespace"), `ipv4_namespace`},
		{mustKinds()[fabric.KindVPC], diag.F("metadata", "name"), `name`},
		{mustKinds()[fabric.KindVPC], diag.F("metadata", "labels").Key("team"), `labels["team"]`},
		// permit is a list of lists (a plain attribute): the path stops at the deepest addressable step
		{mustKinds()[fabric.KindVPC], diag.F("spec", "permit").Index(0).Index(1), `permit[0][1]`},
		{mustKinds()[fabric.KindVPCAttachment], diag.F("spec", "connection"), `connection_name`},
	}
	for _, c := range cases {
		if got := attributePath(c.node.CRD.Spec, c.in).String(); got != c.want {
			t.Errorf("%s: got %q, want %q", c.in, got, c.want)
		}
	}
}

func TestDisplayPath(t *testing.T) {
	s := mustKinds()[fabric.KindVPC]
	cases := map[string]string{
		`subnets["bad"]`: `subnets["bad"]`,
		`name`:           `name`,
	}
	in := map[string]diag.Path{
		`subnets["bad"]`: diag.F("spec", "subnets").Key("bad").Field("dhcp").Field("range").Field("start"),
		`name`:           diag.F("metadata", "name"),
	}
	for k, want := range cases {
		if got := displayPath(attributePath(s.CRD.Spec, in[k])).String(); got != want {
			t.Errorf("%s: got %q want %q", k, got, want)
		}
	}
	if got := displayPath(attributePath(s.CRD.Spec, diag.F("spec", "staticRoutes").Index(1).Field("prefix"))).String(); got != "static_routes[1]" {
		t.Errorf("static routes: %q", got)
	}
}

// TestCascadePaths checks where findings land: the diagnostic's path is what Terraform can point at
// (DECISIONS 10), the full attribute path is in the detail, and a finding about another object (another
// kind) is never mapped onto this resource's schema.
func TestCascadePaths(t *testing.T) {
	ks := mustKinds()
	cases := []struct {
		name       string
		spec       *kindSpec
		finding    diag.Diagnostic
		wantPath   string
		wantDetail string // substring of the detail
	}{
		{"dhcp range order", ks[fabric.KindVPC], diag.Diagnostic{Kind: fabric.KindVPC, Name: "v", Path: diag.F("spec", "subnets").Key("a").Field("dhcp").Field("range")},
			`subnets["a"]`, `Attribute: subnets["a"].dhcp.range`},
		{"dhcp range end", ks[fabric.KindVPC], diag.Diagnostic{Kind: fabric.KindVPC, Name: "v", Path: diag.F("spec", "subnets").Key("a").Field("dhcp").Field("range").Field("end")},
			`subnets["a"]`, `Attribute: subnets["a"].dhcp.range.end`},
		{"static external communities", ks[fabric.KindExternal], diag.Diagnostic{Kind: fabric.KindExternal, Name: "e", Path: diag.F("spec", "inboundCommunity")},
			`inbound_community`, `Attribute: inbound_community`},
		{"icmp type on a tcp rule", ks[fabric.KindExternalAttachment], diag.Diagnostic{Kind: fabric.KindExternalAttachment, Name: "a", Path: diag.F("spec", "inboundACL", "statements").Index(0).Field("icmpType")},
			`inbound_acl`, `Attribute: inbound_acl.statements[0].icmp_type`},
		{"second link type", ks[fabric.KindConnection], diag.Diagnostic{Kind: fabric.KindConnection, Name: "c", Path: diag.F("spec", "external")},
			`external`, `Attribute: external`},
		{"link port", ks[fabric.KindConnection], diag.Diagnostic{Kind: fabric.KindConnection, Name: "c", Path: diag.F("spec", "fabric", "links").Index(1).Field("leaf").Field("port")},
			`fabric`, `Attribute: fabric.links[1].leaf.port`},
		{"attachment mode found while planning the External", ks[fabric.KindExternal], diag.Diagnostic{Kind: fabric.KindExternalAttachment, Name: "ea", Path: diag.F("spec", "static")},
			``, `Attribute of ExternalAttachment "ea" (not of this External): static`},
		{"attachment switch.ip found while planning the External", ks[fabric.KindExternal], diag.Diagnostic{Kind: fabric.KindExternalAttachment, Name: "ea", Path: diag.F("spec", "switch", "ip")},
			``, `Attribute of ExternalAttachment "ea" (not of this External): switch.ip`},
		{"whole object", ks[fabric.KindConnection], diag.Diagnostic{Kind: fabric.KindConnection, Name: "c"}, ``, `Connection "c"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := &diagnostics{}
			f := c.finding
			f.Summary, f.Detail, f.Rule, f.Stage = "s", "d", "r", diag.StageSpec
			ds.cascade(c.spec, diag.Diagnostics{f})
			if len(ds.d) != 1 {
				t.Fatalf("want one diagnostic, got %d", len(ds.d))
			}
			wp, ok := ds.d[0].(fwdiag.DiagnosticWithPath)
			if !ok {
				t.Fatalf("diagnostic has no path")
			}
			if got := wp.Path().String(); got != c.wantPath {
				t.Errorf("path %q, want %q", got, c.wantPath)
			}
			if !strings.Contains(ds.d[0].Detail(), c.wantDetail) {
				t.Errorf("detail %q lacks %q", ds.d[0].Detail(), c.wantDetail)
			}
			if c.finding.Kind != c.spec.Kind && strings.Contains(ds.d[0].Detail(), "\n\nAttribute: ") {
				t.Errorf("a foreign finding is mapped onto this schema: %q", ds.d[0].Detail())
			}
		})
	}
}
