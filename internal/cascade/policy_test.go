package cascade

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
)

func TestValidatePolicyRules(t *testing.T) {
	vpc := func(subnets string) string {
		return "kind: VPC\nmetadata:\n  name: team-a-vpc\n  labels: {team: a}\nspec:\n  subnets:\n" + subnets
	}
	one := "    default: {subnet: 10.10.1.0/24, vlan: 1001}\n"
	cases := []struct {
		name   string
		policy Policy
		yaml   string
		rule   string
		path   string
		reject bool
		warn   bool
	}{
		{name: "policy.name-pattern/reject", policy: Policy{NamePatterns: []NamePatternRule{{Kind: "VPC", Pattern: `^prod-`}}}, yaml: vpc(one),
			rule: RulePolicyNamePattern, path: "metadata.name", reject: true},
		{name: "policy.name-pattern/reject-any-kind-warning", policy: Policy{NamePatterns: []NamePatternRule{{Kind: AnyKind, Pattern: `^prod-`, Severity: SeverityWarning}}}, yaml: vpc(one),
			rule: RulePolicyNamePattern, path: "metadata.name", reject: true, warn: true},
		{name: "policy.name-pattern/accept", policy: Policy{NamePatterns: []NamePatternRule{{Kind: "VPC", Pattern: `^team-[a-z]+-vpc$`}}}, yaml: vpc(one), rule: RulePolicyNamePattern},
		{name: "policy.name-pattern/accept-other-kind", policy: Policy{NamePatterns: []NamePatternRule{{Kind: "Switch", Pattern: `^sw-`}}}, yaml: vpc(one), rule: RulePolicyNamePattern},
		{name: "policy.vlan-range/reject", policy: Policy{AllowedVLANRanges: []AllowedVLANRule{{VLANNamespace: "default", Ranges: []VLANRange{{2000, 2099}}}}}, yaml: vpc(one),
			rule: RulePolicyVLANRange, path: `spec.subnets["default"].vlan`, reject: true},
		{name: "policy.vlan-range/accept", policy: Policy{AllowedVLANRanges: []AllowedVLANRule{{VLANNamespace: "default", Ranges: []VLANRange{{2000, 2099}, {1000, 1009}}}}}, yaml: vpc(one), rule: RulePolicyVLANRange},
		{name: "policy.vlan-range/accept-other-namespace", policy: Policy{AllowedVLANRanges: []AllowedVLANRule{{VLANNamespace: "other", Ranges: []VLANRange{{2000, 2099}}}}}, yaml: vpc(one), rule: RulePolicyVLANRange},
		{name: "policy.vlan-range/reject-vlannamespace", policy: Policy{AllowedVLANRanges: []AllowedVLANRule{{VLANNamespace: "default", Ranges: []VLANRange{{1000, 1999}}}}},
			yaml: "kind: VLANNamespace\nmetadata: {name: default}\nspec:\n  ranges: [{from: 1000, to: 2999}]\n", rule: RulePolicyVLANRange, path: "spec.ranges[0]", reject: true},
		{name: "policy.subnet-allowed/reject", policy: Policy{AllowedSubnets: []AllowedSubnetRule{{IPv4Namespace: "default", Subnets: []string{"10.20.0.0/16"}}}}, yaml: vpc(one),
			rule: RulePolicySubnetAllowed, path: `spec.subnets["default"].subnet`, reject: true},
		{name: "policy.subnet-allowed/accept", policy: Policy{AllowedSubnets: []AllowedSubnetRule{{IPv4Namespace: "default", Subnets: []string{"10.20.0.0/16", "10.10.0.0/16"}}}}, yaml: vpc(one), rule: RulePolicySubnetAllowed},
		{name: "policy.required-label/reject", policy: Policy{RequiredLabels: []RequiredKeysRule{{Kind: "VPC", Keys: []string{"team", "cost-center"}}}}, yaml: vpc(one),
			rule: RulePolicyRequiredLabel, path: `metadata.labels["cost-center"]`, reject: true},
		{name: "policy.required-label/accept", policy: Policy{RequiredLabels: []RequiredKeysRule{{Kind: AnyKind, Keys: []string{"team"}}}}, yaml: vpc(one), rule: RulePolicyRequiredLabel},
		{name: "policy.required-annotation/reject", policy: Policy{RequiredAnnotations: []RequiredKeysRule{{Kind: "VPC", Keys: []string{"owner"}, Severity: SeverityWarning}}}, yaml: vpc(one),
			rule: RulePolicyRequiredAnnotation, path: `metadata.annotations["owner"]`, reject: true, warn: true},
		{name: "policy.required-annotation/accept", policy: Policy{RequiredAnnotations: []RequiredKeysRule{{Kind: "VPC", Keys: []string{"owner"}}}},
			yaml: "kind: VPC\nmetadata:\n  name: v\n  annotations: {owner: me}\nspec:\n  subnets:\n" + one, rule: RulePolicyRequiredAnnotation},
		{name: "policy.max-subnets/reject", policy: Policy{MaxSubnetsPerVPC: &MaxSubnetsRule{Max: 1}}, yaml: vpc(one + "    second: {subnet: 10.10.2.0/24, vlan: 1002}\n"),
			rule: RulePolicyMaxSubnets, path: "spec.subnets", reject: true},
		{name: "policy.max-subnets/accept", policy: Policy{MaxSubnetsPerVPC: &MaxSubnetsRule{Max: 1}}, yaml: vpc(one), rule: RulePolicyMaxSubnets},
		{name: "policy.forbidden-cidr/reject", policy: Policy{ForbiddenCIDRs: []ForbiddenCIDRRule{{CIDR: "10.10.0.0/20"}}}, yaml: vpc(one),
			rule: RulePolicyForbiddenCIDR, path: `spec.subnets["default"].subnet`, reject: true},
		{name: "policy.forbidden-cidr/reject-ipv4namespace", policy: Policy{ForbiddenCIDRs: []ForbiddenCIDRRule{{CIDR: "10.10.0.0/20"}}},
			yaml: "kind: IPv4Namespace\nmetadata: {name: ns}\nspec:\n  subnets: [10.0.0.0/8]\n", rule: RulePolicyForbiddenCIDR, path: "spec.subnets[0]", reject: true},
		{name: "policy.forbidden-cidr/reject-static-external", policy: Policy{ForbiddenCIDRs: []ForbiddenCIDRRule{{CIDR: "10.99.0.0/16"}}},
			yaml: staticExternalYAML("10.99.1.0/24"), rule: RulePolicyForbiddenCIDR, path: "spec.staticExternal.link.switch.subnets[0]", reject: true},
		{name: "policy.forbidden-cidr/accept", policy: Policy{ForbiddenCIDRs: []ForbiddenCIDRRule{{CIDR: "10.10.2.0/24"}}}, yaml: vpc(one), rule: RulePolicyForbiddenCIDR},
		{name: "policy.invalid/reject-bad-regexp", policy: Policy{NamePatterns: []NamePatternRule{{Kind: "VPC", Pattern: `(`}}}, yaml: vpc(one), rule: RulePolicyInvalid, path: "", reject: true},
		{name: "policy.invalid/reject-bad-severity", policy: Policy{MaxSubnetsPerVPC: &MaxSubnetsRule{Max: 1, Severity: "fatal"}}, yaml: vpc(one), rule: RulePolicyInvalid, path: "", reject: true},
		{name: "policy.invalid/reject-bad-cidr", policy: Policy{ForbiddenCIDRs: []ForbiddenCIDRRule{{CIDR: "10.0.0.0/40"}}}, yaml: vpc(one), rule: RulePolicyInvalid, path: "", reject: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := decodeYAML(t, tc.yaml)
			p := tc.policy
			ds := ValidatePolicy(obj, &p)
			var found *diag.Diagnostic
			for i, d := range ds {
				if d.Stage != diag.StagePolicy || d.Name != obj.Meta().Name {
					t.Errorf("bad header %s", d)
				}
				if d.Rule == tc.rule && d.Path.String() == tc.path {
					found = &ds[i]
				}
			}
			if !tc.reject {
				if len(ds) != 0 {
					t.Fatalf("want no findings, got:%s", dump(ds))
				}
				return
			}
			if found == nil {
				t.Fatalf("want %s at %q, got:%s", tc.rule, tc.path, dump(ds))
			}
			if (found.Severity == diag.Warning) != tc.warn {
				t.Errorf("severity %s, want warning=%v", found.Severity, tc.warn)
			}
		})
	}
	if ds := ValidatePolicy(decodeYAML(t, vpc(one)), nil); ds != nil {
		t.Fatalf("nil policy: %s", dump(ds))
	}
}

func TestPolicyJSONIsSnakeCase(t *testing.T) {
	in := `{"name_patterns":[{"kind":"VPC","pattern":"^a","severity":"warning"}],
	"allowed_vlan_ranges":[{"vlan_namespace":"default","ranges":[{"from":1,"to":2}]}],
	"allowed_subnets":[{"ipv4_namespace":"default","subnets":["10.0.0.0/8"]}],
	"required_labels":[{"kind":"*","keys":["team"]}],"required_annotations":[{"kind":"VPC","keys":["o"]}],
	"max_subnets_per_vpc":{"max":3,"severity":"error"},"forbidden_cidrs":[{"cidr":"192.168.0.0/16"}]}`
	dec := json.NewDecoder(strings.NewReader(in))
	dec.DisallowUnknownFields()
	var p Policy
	if err := dec.Decode(&p); err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.NamePatterns[0].Severity != SeverityWarning || p.AllowedVLANRanges[0].Ranges[0].To != 2 || p.MaxSubnetsPerVPC.Max != 3 ||
		p.AllowedSubnets[0].IPv4Namespace != "default" || p.ForbiddenCIDRs[0].CIDR != "192.168.0.0/16" || p.RequiredAnnotations[0].Keys[0] != "o" {
		t.Fatalf("decoded %+v", p)
	}
}
