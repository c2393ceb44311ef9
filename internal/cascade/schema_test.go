package cascade

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

func TestSchemaKindsCoverFabricKinds(t *testing.T) {
	got := map[string]bool{}
	for _, k := range SchemaKinds() {
		got[k] = true
	}
	for _, k := range fabric.Kinds() {
		if !got[k.Kind] {
			t.Errorf("no CRD schema for kind %s", k.Kind)
		}
	}
	if len(got) != 14 {
		t.Errorf("want 14 kinds, got %d", len(got))
	}
}

func TestSchemaAcceptsSamples(t *testing.T) {
	for _, f := range []string{"nvidia-air-demo--include.yaml", "demo-gitops--env-1--demo.yaml", "demo-gitops--env-1--pre-demo.yaml"} {
		b, err := os.ReadFile(filepath.Join(samplesDir, f))
		if err != nil {
			t.Fatal(err)
		}
		objs, err := fabric.DecodeUnstructured(b)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			kind, _ := o["kind"].(string)
			if ds := ValidateSchema(kind, o); len(ds) != 0 {
				t.Errorf("%s: %s", f, dump(ds))
			}
		}
	}
}

func TestValidateSchemaRules(t *testing.T) {
	cases := []struct {
		name, kind, json, rule, path string
	}{
		{"schema.kind/unknown", "Nope", `{"metadata":{"name":"a"}}`, RuleSchemaKind, "kind"},
		{"schema.required/metadata", "VPC", `{"spec":{}}`, RuleSchemaRequired, "metadata"},
		{"schema.required/name", "VPC", `{"metadata":{}}`, RuleSchemaRequired, "metadata.name"},
		{"schema.metadata.name/invalid", "VPC", `{"metadata":{"name":"Bad_Name"}}`, RuleSchemaName, "metadata.name"},
		{"schema.type/label-value", "VPC", `{"metadata":{"name":"a","labels":{"x":1}}}`, RuleSchemaType, `metadata.labels["x"]`},
		{"schema.type/annotations", "VPC", `{"metadata":{"name":"a","annotations":"x"}}`, RuleSchemaType, "metadata.annotations"},
		{"schema.type/namespace", "VPC", `{"metadata":{"name":"a","namespace":3}}`, RuleSchemaType, "metadata.namespace"},
		{"schema.required/switch-role", "Switch", `{"metadata":{"name":"a"},"spec":{"asn":1}}`, RuleSchemaRequired, "spec.role"},
		{"schema.enum/switch-role", "Switch", `{"metadata":{"name":"a"},"spec":{"role":"router"}}`, RuleSchemaEnum, "spec.role"},
		{"schema.enum/redundancy-type", "Switch", `{"metadata":{"name":"a"},"spec":{"role":"spine","redundancy":{"type":"vpc"}}}`, RuleSchemaEnum, "spec.redundancy.type"},
		{"schema.enum/additional-properties-fec", "Switch", `{"metadata":{"name":"a"},"spec":{"role":"spine","portFECs":{"E1/1":"bad"}}}`, RuleSchemaEnum, `spec.portFECs["E1/1"]`},
		{"schema.type/additional-properties-bool", "Switch", `{"metadata":{"name":"a"},"spec":{"role":"spine","portAutoNegs":{"E1/1":"yes"}}}`, RuleSchemaType, `spec.portAutoNegs["E1/1"]`},
		{"schema.type/integer", "VPC", `{"metadata":{"name":"a"},"spec":{"subnets":{"default":{"vlan":"ten"}}}}`, RuleSchemaType, `spec.subnets["default"].vlan`},
		{"schema.type/integer-fraction", "VPC", `{"metadata":{"name":"a"},"spec":{"subnets":{"default":{"vlan":10.5}}}}`, RuleSchemaType, `spec.subnets["default"].vlan`},
		{"schema.type/boolean", "VPC", `{"metadata":{"name":"a"},"spec":{"subnets":{"default":{"isolated":"yes"}}}}`, RuleSchemaType, `spec.subnets["default"].isolated`},
		{"schema.type/string", "VPC", `{"metadata":{"name":"a"},"spec":{"subnets":{"default":{"subnet":10}}}}`, RuleSchemaType, `spec.subnets["default"].subnet`},
		{"schema.type/object", "VPC", `{"metadata":{"name":"a"},"spec":{"subnets":[]}}`, RuleSchemaType, "spec.subnets"},
		{"schema.type/array", "IPv4Namespace", `{"metadata":{"name":"a"},"spec":{"subnets":"10.0.0.0/8"}}`, RuleSchemaType, "spec.subnets"},
		{"schema.unknown-field/spec", "VPC", `{"metadata":{"name":"a"},"spec":{"subnet":{}}}`, RuleSchemaUnknownField, "spec.subnet"},
		{"schema.unknown-field/nested", "VPC", `{"metadata":{"name":"a"},"spec":{"subnets":{"default":{"dhcp":{"foo":1}}}}}`, RuleSchemaUnknownField, `spec.subnets["default"].dhcp.foo`},
		{"schema.max-items/ipv4namespace", "IPv4Namespace", `{"metadata":{"name":"a"},"spec":{"subnets":["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","16","17","18","19","20","21"]}}`, RuleSchemaMaxItems, "spec.subnets"},
		{"schema.min-items/eslag-links", "Connection", `{"metadata":{"name":"a"},"spec":{"eslag":{"links":[{"server":{"port":"s/e1"},"switch":{"port":"l/E1/1"}}]}}}`, RuleSchemaMinItems, "spec.eslag.links"},
		{"schema.minimum/flap-threshold", "Switch", `{"metadata":{"name":"a"},"spec":{"role":"spine","linkFlapErrDisable":{"flapThreshold":0}}}`, RuleSchemaMinimum, "spec.linkFlapErrDisable.flapThreshold"},
		{"schema.maximum/flap-threshold", "Switch", `{"metadata":{"name":"a"},"spec":{"role":"spine","linkFlapErrDisable":{"flapThreshold":51}}}`, RuleSchemaMaximum, "spec.linkFlapErrDisable.flapThreshold"},
		{"schema.pattern/static-external-ip", "Connection", `{"metadata":{"name":"a"},"spec":{"staticExternal":{"link":{"switch":{"ip":"10.0.0.1","port":"l/E1/1"}}}}}`, RuleSchemaPattern, "spec.staticExternal.link.switch.ip"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var obj map[string]any
			if err := json.Unmarshal([]byte(tc.json), &obj); err != nil {
				t.Fatal(err)
			}
			ds := ValidateSchema(tc.kind, obj)
			if !hasRule(ds, tc.rule, tc.path) {
				t.Fatalf("want %s at %q, got:%s", tc.rule, tc.path, dump(ds))
			}
			for _, d := range ds {
				if d.Stage != diag.StageSchema || d.Kind != tc.kind || d.Severity != diag.Error {
					t.Errorf("bad diagnostic %s", d)
				}
			}
		})
	}
}

func TestValidateSchemaAccepts(t *testing.T) {
	for name, tc := range map[string]struct{ kind, json string }{
		"switch-full":  {"Switch", `{"apiVersion":"x","kind":"Switch","status":{"anything":1},"metadata":{"name":"a.b-c","namespace":"default","uid":"ignored","labels":{"k":"v"}},"spec":{"role":"spine","asn":65100,"redundancy":{"type":"eslag","group":"g"},"linkFlapErrDisable":{"flapThreshold":50},"portFECs":{"E1/1":"rs"}}}`},
		"vlan-ranges":  {"VLANNamespace", `{"metadata":{"name":"a"},"spec":{"ranges":[{"from":1,"to":4094}]}}`},
		"null-options": {"VPC", `{"metadata":{"name":"a"},"spec":{"subnets":{"default":{"dhcp":{"options":null}}}}}`},
		"int64-value":  {"VPC", `{"metadata":{"name":"a"},"spec":{"subnets":{"default":{"vlan":100}}}}`},
	} {
		var obj map[string]any
		if err := json.Unmarshal([]byte(tc.json), &obj); err != nil {
			t.Fatal(err)
		}
		if ds := ValidateSchema(tc.kind, obj); len(ds) != 0 {
			t.Errorf("%s:%s", name, dump(ds))
		}
	}
	// Integers as int64 (fabric.DecodeUnstructured) are accepted as well as float64 (encoding/json).
	obj := map[string]any{"metadata": map[string]any{"name": "a"}, "spec": map[string]any{"ranges": []any{map[string]any{"from": int64(1), "to": int64(2)}}}}
	if ds := ValidateSchema("VLANNamespace", obj); len(ds) != 0 {
		t.Errorf("int64:%s", dump(ds))
	}
}

func TestValidateSchemaDeterministicOrder(t *testing.T) {
	obj := map[string]any{"metadata": map[string]any{"name": "a"}, "spec": map[string]any{"z": 1, "a": 2, "m": 3, "subnets": map[string]any{"x": map[string]any{"q": 1}}}}
	first := ValidateSchema("VPC", obj)
	if len(first) != 4 {
		t.Fatalf("want 4 findings:%s", dump(first))
	}
	for i := 0; i < 20; i++ {
		again := ValidateSchema("VPC", obj)
		for j := range first {
			if again[j].Path.String() != first[j].Path.String() {
				t.Fatalf("order differs: %s vs %s", dump(again), dump(first))
			}
		}
	}
}

func FuzzValidateSchema(f *testing.F) {
	for _, s := range []string{
		`{"metadata":{"name":"a"},"spec":{"subnets":{"default":{"vlan":1}}}}`,
		`{"metadata":{"name":"a"},"spec":{"role":"spine","redundancy":{"type":"eslag"}}}`,
		`{"metadata":null,"spec":[1,2,{"a":null}]}`,
		`{"metadata":{"name":1e400},"spec":{"eslag":{"links":[null,{"server":3}]}}}`,
		`[]`, `null`, `"x"`,
	} {
		f.Add(s, uint8(0))
	}
	kinds := SchemaKinds()
	f.Fuzz(func(t *testing.T, js string, k uint8) {
		var v any
		dec := json.NewDecoder(strings.NewReader(js))
		if k%2 == 0 {
			dec.UseNumber()
		}
		if dec.Decode(&v) != nil {
			return
		}
		obj, ok := v.(map[string]any)
		if !ok {
			obj = map[string]any{"metadata": map[string]any{"name": "x"}, "spec": v}
		}
		kind := kinds[int(k)%len(kinds)]
		ds := ValidateSchema(kind, obj)
		for _, d := range ds {
			if d.Rule == "" || d.Stage != diag.StageSchema {
				t.Fatalf("bad finding %s", d)
			}
		}
	})
}

// The schema stage judges required fields as the cluster does: after the fabric's defaulting (its
// mutating webhook runs before the CRD schema is checked). engine.Render validates the configuration as
// written, before fabric.Default.
func TestValidateSchemaRequiredAfterDefaulting(t *testing.T) {
	vpc := func(dhcp string) string {
		return `{"metadata":{"name":"v"},"spec":{"subnets":{"default":{"subnet":"10.10.1.0/24","vlan":1001,"dhcp":` + dhcp + `}}}}`
	}
	cases := []struct {
		name, kind, json string
		rule, path       string // empty: no finding at all
	}{
		{name: "accept/dhcp-options-without-mtu-and-lease", kind: "VPC", json: vpc(`{"enable":true,"options":{"dnsServers":["1.1.1.1"]}}`)},
		{name: "accept/dhcp-options-without-mtu", kind: "VPC", json: vpc(`{"enable":true,"options":{"leaseTimeSeconds":600}}`)},
		{name: "accept/dhcp-options-without-lease", kind: "VPC", json: vpc(`{"enable":true,"options":{"interfaceMTU":1500}}`)},
		{name: "accept/dhcp-options-only-disable-default-route", kind: "VPC", json: vpc(`{"enable":true,"options":{"disableDefaultRoute":true}}`)},
		{name: "accept/dhcp-options-dropped-while-disabled", kind: "VPC", json: vpc(`{"enable":false,"options":{"pxeURL":"http://10.10.1.9/boot"}}`)},
		{name: "accept/static-attachment-without-switch-and-neighbor", kind: "ExternalAttachment",
			json: `{"metadata":{"name":"ea"},"spec":{"external":"e","connection":"c","static":{"remoteIP":"10.0.0.1","proxy":true}}}`},
		{name: "accept/with-apiVersion-and-kind", kind: "VPC",
			json: `{"apiVersion":"vpc.githedgehog.com/v1beta1","kind":"VPC","metadata":{"name":"v","namespace":"default"},"spec":{"subnets":{"default":{"subnet":"10.10.1.0/24","vlan":1001,"dhcp":{"enable":true,"options":{}}}}}}`},
		{name: "reject/switch-role-stays-required", kind: "Switch", json: `{"metadata":{"name":"a"},"spec":{"asn":1}}`, rule: RuleSchemaRequired, path: "spec.role"},
		{name: "reject/acl-action-stays-required", kind: "ExternalAttachment",
			json: `{"metadata":{"name":"ea"},"spec":{"external":"e","connection":"c","switch":{"ip":"10.0.0.1/24"},"neighbor":{"ip":"10.0.0.2","asn":65000},"inboundACL":{"statements":[{"seq":10,"protocol":"ip","srcPrefix":"any","dstPrefix":"any"}]}}}`,
			rule: RuleSchemaRequired, path: "spec.inboundACL.statements[0].action"},
		{name: "reject/static-remote-ip-stays-required", kind: "ExternalAttachment",
			json: `{"metadata":{"name":"ea"},"spec":{"external":"e","connection":"c","static":{"proxy":true}}}`, rule: RuleSchemaRequired, path: "spec.static.remoteIP"},
		{name: "reject/static-lease-ip-stays-required", kind: "VPC", json: vpc(`{"enable":true,"static":{"0c:20:12:fe:01:00":{}}}`),
			rule: RuleSchemaRequired, path: `spec.subnets["default"].dhcp.static["0c:20:12:fe:01:00"].ip`},
		{name: "reject/required-kept-when-the-object-does-not-decode", kind: "VPC",
			json: `{"metadata":{"name":"v"},"spec":{"subnets":{"default":{"vlan":"ten","dhcp":{"enable":true,"options":{}}}}}}`,
			rule: RuleSchemaRequired, path: `spec.subnets["default"].dhcp.options.interfaceMTU`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var obj map[string]any
			if err := json.Unmarshal([]byte(tc.json), &obj); err != nil {
				t.Fatal(err)
			}
			ds := ValidateSchema(tc.kind, obj)
			if tc.rule == "" {
				if len(ds) != 0 {
					t.Fatalf("want no findings:%s", dump(ds))
				}
				return
			}
			if !hasRule(ds, tc.rule, tc.path) {
				t.Fatalf("want %s at %q, got:%s", tc.rule, tc.path, dump(ds))
			}
		})
	}
}

// As engine.Render and a plan run it: the schema stage on the configuration as written, then decoding,
// the fabric's defaulting and every other stage. DHCP options given in part are valid.
func TestPartialDHCPOptionsPassEveryStage(t *testing.T) {
	for _, opts := range []string{`{"dnsServers":["10.10.1.53"]}`, `{"interfaceMTU":9036}`, `{"leaseTimeSeconds":60}`, `{}`} {
		raw := `{"apiVersion":"vpc.githedgehog.com/v1beta1","kind":"VPC","metadata":{"name":"vpc-opt","namespace":"default"},` +
			`"spec":{"subnets":{"default":{"subnet":"10.10.200.0/24","vlan":1200,"dhcp":{"enable":true,"options":` + opts + `}}}}}`
		var u map[string]any
		if err := json.Unmarshal([]byte(raw), &u); err != nil {
			t.Fatal(err)
		}
		if ds := ValidateSchema("VPC", u); len(ds) != 0 {
			t.Fatalf("%s: schema:%s", opts, dump(ds))
		}
		o, err := fabric.FromUnstructured(u)
		if err != nil {
			t.Fatal(err)
		}
		fabric.Default(o)
		v := NewView(demoFabric(t)...)
		v.Upsert(o)
		if ds := ValidateObject(o, v, testConfig(t), nil); ds.HasError() {
			t.Errorf("%s:%s", opts, dump(ds))
		}
	}
}
