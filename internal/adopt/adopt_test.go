package adopt

import (
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric/crds"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/tfschema"
)

func TestLabel(t *testing.T) {
	for in, want := range map[string]string{"vpc-1": "vpc-1", "Leaf.01": "leaf_01", "1st": "_1st", "-x": "_-x", "": "_"} {
		if got := Label(in); got != want {
			t.Errorf("Label(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestQuoteEscapesTemplates(t *testing.T) {
	if got := quote(`a"${b}%{c}\`); got != `"a\"$${b}%%{c}\\"` {
		t.Errorf("quote = %s", got)
	}
}

// TestGenerateWritesReferencesAsExpressions: names of adopted objects become expressions, whole or as the
// part before "/", names of objects not adopted stay literal, and two objects whose labels collide get
// distinct addresses.
func TestGenerateWritesReferencesAsExpressions(t *testing.T) {
	byKind := map[string]*tfschema.CRD{}
	for _, f := range crds.Files() {
		data, _ := crds.Read(f)
		c, err := tfschema.ParseCRD(data)
		if err != nil {
			t.Fatal(err)
		}
		byKind[c.Kind] = c
	}
	kinds := map[string]Kind{}
	for _, k := range []struct{ kind, res string }{{"VPC", "hedgehog_vpc"}, {"VPCAttachment", "hedgehog_vpc_attachment"}, {"IPv4Namespace", "hedgehog_ipv4_namespace"}} {
		kinds[k.kind] = Kind{Kind: k.kind, Resource: k.res, Spec: byKind[k.kind].Spec}
	}
	obj := func(kind, name string, spec map[string]any) Object {
		return Object{Kind: kind, Name: name, Manifest: map[string]any{"apiVersion": "vpc.githedgehog.com/v1beta1", "kind": kind,
			"metadata": map[string]any{"name": name, "annotations": map[string]any{"terraform.githedgehog.com/owner": "x", "team": "a"}}, "spec": spec}}
	}
	blocks := Generate(kinds, []Object{
		obj("VPCAttachment", "att", map[string]any{"subnet": "web/default", "connection": "not-adopted"}),
		obj("VPC", "web", map[string]any{"ipv4Namespace": "ns", "vlanNamespace": "vl", "subnets": map[string]any{"default": map[string]any{"subnet": "10.0.1.0/24", "vlan": float64(1001)}}}),
		obj("IPv4Namespace", "ns", map[string]any{"subnets": []any{"10.0.0.0/16"}}),
		obj("IPv4Namespace", "NS", map[string]any{"subnets": []any{"10.1.0.0/16"}}),
		obj("Switch", "ignored", nil),
	})
	if len(blocks) != 4 {
		t.Fatalf("want 4 blocks, got %d", len(blocks))
	}
	text := Text(blocks)
	for _, want := range []string{
		`subnet = "${hedgehog_vpc.web.name}/default"`,
		`connection_name = "not-adopted"`,
		`ipv4_namespace = hedgehog_ipv4_namespace.ns_2.name`,
		`vlan_namespace = "vl"`,
		`vlan = 1001`,
		`resource "hedgehog_ipv4_namespace" "ns_2"`,
		"import {\n  to = hedgehog_vpc.web\n  id = \"web\"\n}",
		`"team" = "a"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	if strings.Contains(text, "terraform.githedgehog.com/owner") {
		t.Errorf("this provider's marks were copied:\n%s", text)
	}
	if again := Text(Generate(kinds, []Object{obj("IPv4Namespace", "NS", nil), obj("IPv4Namespace", "ns", nil)})); !strings.Contains(again, `"ns_2"`) {
		t.Errorf("addresses are not stable:\n%s", again)
	}
}
