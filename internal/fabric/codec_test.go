package fabric

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func sampleFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/samples/*.yaml")
	if err != nil || len(files) != 3 {
		t.Fatalf("want 3 sample files, got %v (%v)", files, err)
	}
	return files
}

func TestRoundTripSamples(t *testing.T) {
	total := 0
	for _, f := range sampleFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := DecodeUnstructured(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		objs, err := Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(objs) != len(raw) || len(objs) == 0 {
			t.Fatalf("%s: %d objects vs %d documents", f, len(objs), len(raw))
		}
		for i, o := range objs {
			got, err := ToUnstructured(o)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, raw[i]) {
				t.Errorf("%s doc %d (%s): round trip differs\n got: %v\nwant: %v", f, i, Key(o), got, raw[i])
			}
			// Encode -> Decode must be lossless too.
			y, err := Encode(o)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Decode(y)
			if err != nil || len(back) != 1 || !reflect.DeepEqual(back[0], o) {
				t.Errorf("%s doc %d: Encode/Decode differs: %v", f, i, err)
			}
			total++
		}
	}
	if total < 150 {
		t.Errorf("only %d objects round-tripped", total)
	}
}

func TestSamplesKeepEmptyObjects(t *testing.T) {
	data, _ := os.ReadFile("testdata/samples/nvidia-air-demo--include.yaml")
	objs, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	var sw *Switch
	var vpc *VPC
	for _, o := range objs {
		switch t := o.(type) {
		case *Switch:
			sw = t
		case *VPC:
			vpc = t
		}
	}
	if sw == nil || sw.Spec.ECMP == nil || sw.Spec.Redundancy == nil {
		t.Fatalf("switch ecmp/redundancy {} lost: %+v", sw)
	}
	if vpc == nil || vpc.Spec.Subnets["default"].DHCP == nil {
		t.Fatal("vpc dhcp {} lost")
	}
	y, _ := Encode(sw)
	if !strings.Contains(string(y), "ecmp: {}") || !strings.Contains(string(y), "redundancy: {}") {
		t.Errorf("encoded switch lacks empty objects:\n%s", y)
	}
}

func TestFromUnstructuredStrict(t *testing.T) {
	cases := []struct {
		name, doc, wantErr string
	}{
		{"nested unknown", `apiVersion: vpc.githedgehog.com/v1beta1
kind: VPC
metadata: {name: v}
spec:
  subnets:
    default:
      subnet: 10.0.0.0/24
      dhcp: {enable: true, bogus: 1}
`, `unknown field "spec.subnets.default.dhcp.bogus"`},
		{"list unknown", `apiVersion: wiring.githedgehog.com/v1beta1
kind: Connection
metadata: {name: c}
spec:
  bundled:
    links:
    - server: {port: s/eth0}
      switch: {port: l/E1/1, extra: x}
`, `unknown field "spec.bundled.links[0].switch.extra"`},
		{"top unknown", "apiVersion: wiring.githedgehog.com/v1beta1\nkind: Server\nmetadata: {name: s}\nspec: {}\nfoo: 1\n", `unknown field "foo"`},
		{"metadata unknown", "apiVersion: wiring.githedgehog.com/v1beta1\nkind: Server\nmetadata: {name: s, nme: x}\nspec: {}\n", `unknown field "metadata.nme"`},
		{"wrong apiVersion", "apiVersion: vpc.githedgehog.com/v1beta1\nkind: Server\nmetadata: {name: s}\n", "apiVersion"},
		{"unknown kind", "apiVersion: vpc.githedgehog.com/v1beta1\nkind: Nope\n", "unknown kind"},
		{"no kind", "apiVersion: vpc.githedgehog.com/v1beta1\n", "missing kind"},
		{"bad type", "apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\nmetadata: {name: v}\nspec: {subnets: {a: {vlan: notanumber}}}\n", "vlan"},
		{"negative lease", "apiVersion: vpc.githedgehog.com/v1beta1\nkind: VPC\nmetadata: {name: v}\nspec: {subnets: {a: {dhcp: {options: {leaseTimeSeconds: -1, interfaceMTU: 1}}}}}\n", "leaseTimeSeconds"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode([]byte(c.doc))
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("got %v, want error containing %q", err, c.wantErr)
			}
		})
	}
}

func TestFromUnstructuredServerMetaAndAPIVersion(t *testing.T) {
	o, err := FromUnstructured(map[string]any{
		"kind": "Server",
		"metadata": map[string]any{"name": "s", "uid": "x", "resourceVersion": "5",
			"managedFields": []any{map[string]any{"manager": "m"}}},
		"spec": map[string]any{"profile": "p"},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := o.(*Server)
	if s.APIVersion != "wiring.githedgehog.com/v1beta1" || s.Kind != "Server" || s.Spec.Profile != "p" || s.Metadata.Name != "s" {
		t.Errorf("got %+v", s)
	}
}

func TestDecodeErrorsNameDocument(t *testing.T) {
	doc := "# comment only\n---\n---\napiVersion: wiring.githedgehog.com/v1beta1\nkind: Server\nmetadata: {name: a}\n---\napiVersion: wiring.githedgehog.com/v1beta1\nkind: Switch\nmetadata: {name: b}\nspec: {role: spine, wat: 1}\n"
	_, err := Decode([]byte(doc))
	if err == nil || !strings.Contains(err.Error(), "document 3") || !strings.Contains(err.Error(), `"Switch"`) ||
		!strings.Contains(err.Error(), "spec.wat") {
		t.Fatalf("got %v", err)
	}
	objs, err := Decode([]byte("# only comments\n---\n\n---\n"))
	if err != nil || len(objs) != 0 {
		t.Fatalf("empty docs: %v %v", objs, err)
	}
	if _, err := Decode([]byte("- a\n- b\n")); err == nil {
		t.Fatal("list document should fail")
	}
}

func TestEncodeSortedKeys(t *testing.T) {
	o, _ := New(KindSwitch)
	sw := o.(*Switch)
	sw.Metadata.Name = "s1"
	sw.Spec.Role = "spine"
	sw.Spec.ASN = 65100
	sw.Spec.VTEPIP = "1.2.3.4/32"
	y, err := Encode(sw)
	if err != nil {
		t.Fatal(err)
	}
	want := "apiVersion: wiring.githedgehog.com/v1beta1\nkind: Switch\nmetadata:\n  name: s1\nspec:\n  asn: 65100\n  role: spine\n  vtepIP: 1.2.3.4/32\n"
	if string(y) != want {
		t.Errorf("got\n%s\nwant\n%s", y, want)
	}
}

func TestDeepCopy(t *testing.T) {
	data, _ := os.ReadFile("testdata/samples/demo-gitops--env-1--demo.yaml")
	objs, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	v := objs[0].(*VPC)
	v.Status = map[string]any{"vni": int64(5), "l": []any{"a"}}
	v.Metadata.Labels = map[string]string{}
	c := DeepCopy(v).(*VPC)
	if !reflect.DeepEqual(c, v) {
		t.Fatalf("copy differs:\n%+v\n%+v", c, v)
	}
	c.Spec.Subnets["subnet-1"].DHCP.Range.Start = "changed"
	c.Spec.Permit[0][0] = "changed"
	c.Status["l"].([]any)[0] = "changed"
	c.Metadata.Labels["x"] = "y"
	if v.Spec.Subnets["subnet-1"].DHCP.Range.Start == "changed" || v.Spec.Permit[0][0] == "changed" ||
		v.Status["l"].([]any)[0] == "changed" || len(v.Metadata.Labels) != 0 {
		t.Error("copy shares memory with original")
	}
	if DeepCopy(nil) != nil {
		t.Error("DeepCopy(nil)")
	}
}
