package provider

import (
	"testing"

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
