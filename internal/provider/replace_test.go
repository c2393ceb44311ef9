package provider

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// TestImmutableFieldsResolve: every immutable field of every kind is an attribute of its schema.
func TestImmutableFieldsResolve(t *testing.T) {
	for kind, s := range mustKinds() {
		for _, f := range s.Immutable {
			if _, _, ok := s.attributePathOf(f); !ok {
				t.Errorf("%s: immutable field %v is not in the schema", kind, f.Path)
			}
		}
	}
}

func TestReplaceFields(t *testing.T) {
	s := mustKinds()[fabric.KindConnection]
	unb := func(port string) map[string]any {
		return map[string]any{"unbundled": map[string]any{"link": map[string]any{
			"server": map[string]any{"port": "server-1/enp2s1"}, "switch": map[string]any{"port": "leaf-1/" + port}}}}
	}
	bun := map[string]any{"bundled": map[string]any{"links": []any{map[string]any{
		"server": map[string]any{"port": "server-1/enp2s1"}, "switch": map[string]any{"port": "leaf-1/E1/1"}}}}}
	se := func(within, ip string) map[string]any {
		sw := map[string]any{"port": "border-1/E1/5", "ip": ip, "nextHop": "172.31.0.2", "subnets": []any{"10.99.0.0/16"}}
		m := map[string]any{"link": map[string]any{"switch": sw}}
		if within != "" {
			m["withinVPC"] = within
		}
		return map[string]any{"staticExternal": m}
	}
	cases := []struct {
		name      string
		old, next map[string]any
		want      []string
	}{
		{"link type unbundled to bundled", unb("E1/1"), bun, []string{"bundled", "unbundled"}},
		{"link type bundled to static external", bun, se("", "172.31.0.1/24"), []string{"bundled", "static_external"}},
		{"same link type, other port", unb("E1/1"), unb("E1/2"), nil},
		{"withinVPC changed", se("vpc-1", "172.31.0.1/24"), se("vpc-2", "172.31.0.1/24"), []string{"static_external.within_vpc"}},
		{"withinVPC set", se("", "172.31.0.1/24"), se("vpc-1", "172.31.0.1/24"), []string{"static_external.within_vpc"}},
		{"withinVPC removed", se("vpc-1", "172.31.0.1/24"), se("", "172.31.0.1/24"), []string{"static_external.within_vpc"}},
		{"static external ip changed", se("vpc-1", "172.31.0.1/24"), se("vpc-1", "172.31.0.3/24"), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ov, err := s.CRD.Spec.ToValue(c.old)
			if err != nil {
				t.Fatal(err)
			}
			nv, err := s.CRD.Spec.ToValue(c.next)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range s.replaceFields(attrs(ov), attrs(nv)) {
				got = append(got, p.String())
			}
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("replace %v, want %v", got, c.want)
			}
		})
	}
	// A kind without immutable fields never replaces for a spec change.
	if vpc := mustKinds()[fabric.KindVPC]; len(vpc.Immutable) != 0 {
		t.Errorf("VPC has immutable fields %v", vpc.Immutable)
	}
}

// TestDocsListImmutableFields: each resource's doc page has a Replacement section listing exactly the
// attributes whose change replaces the resource (kindSpec.Immutable); kinds without any say so.
func TestDocsListImmutableFields(t *testing.T) {
	for _, k := range managedKinds {
		s := mustKinds()[k.kind]
		raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "resources", k.typeName+".md"))
		if err != nil {
			t.Fatal(err)
		}
		doc := string(raw)
		i := strings.Index(doc, "## Replacement")
		if i < 0 {
			t.Errorf("%s: docs lack a Replacement section", k.typeName)
			continue
		}
		sec := doc[i:]
		if j := strings.Index(sec[3:], "\n## "); j >= 0 {
			sec = sec[:j+3]
		}
		if len(s.Immutable) == 0 {
			if !strings.Contains(sec, "No other attribute") {
				t.Errorf("%s: Replacement section should say no other attribute replaces it:\n%s", k.typeName, sec)
			}
			continue
		}
		for _, f := range s.Immutable {
			p, _, _ := s.attributePathOf(f)
			if !strings.Contains(sec, "`"+p.String()+"`") {
				t.Errorf("%s: Replacement section lacks `%s`", k.typeName, p)
			}
		}
	}
}

// TestReplacementDeleteFindings: the delete protections of a replacement are warnings at plan that name
// the attributes forcing it.
func TestReplacementDeleteFindings(t *testing.T) {
	in := diag.Diagnostics{{Stage: diag.StageCross, Severity: diag.Error, Rule: "delete.connection.in-use", Kind: fabric.KindConnection, Name: "c",
		Summary: "Connection is in use and cannot be deleted", Detail: `Connection "c" is still used by VPCAttachment "a"`}}
	out := replacementDeleteFindings(fabric.KindConnection, []path.Path{path.Root("bundled"), path.Root("unbundled")}, in)
	if len(out) != 1 || out[0].Severity != diag.Warning || !strings.Contains(out[0].Detail, "changing bundled, unbundled replaces this Connection") ||
		!strings.Contains(out[0].Detail, `VPCAttachment "a"`) || in[0].Severity != diag.Error {
		t.Fatalf("%+v", out)
	}
	if replacementDeleteFindings(fabric.KindConnection, []path.Path{path.Root("bundled")}, nil) != nil {
		t.Fatal("findings without protections")
	}
}
