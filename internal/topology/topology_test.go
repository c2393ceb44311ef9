package topology

import (
	"os"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

func sample(t *testing.T) []fabric.Object {
	t.Helper()
	b, err := os.ReadFile("../fabric/testdata/samples/nvidia-air-demo--include.yaml")
	if err != nil {
		t.Fatal(err)
	}
	objs, err := fabric.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// TestSampleFabric: every switch and server of the sample is drawn in its group, spines above leaves above
// servers, one edge per switch–server pair of a connection, and the output is stable.
func TestSampleFabric(t *testing.T) {
	objs := sample(t)
	g := Build(objs, Options{Attachments: true})
	dot, mm := g.DOT(), g.Mermaid()
	for _, o := range objs {
		if o.GetKind() == fabric.KindSwitch || o.GetKind() == fabric.KindServer {
			if !strings.Contains(dot, `label="`+o.Meta().Name+`"`) || !strings.Contains(mm, `["`+o.Meta().Name+`"]`) {
				t.Errorf("%s %s is not drawn", o.GetKind(), o.Meta().Name)
			}
		}
	}
	if !strings.Contains(dot, `sw_spine_2d_s00 -- sw_leaf_2d_su00_2d_r0 [label="fabric"]`) {
		t.Error("a fabric link is not drawn spine to leaf")
	}
	if !strings.Contains(dot, `sw_leaf_2d_su00_2d_r0 -- srv_server_2d_su00_2d_n00 [label="unbundled"]`) {
		t.Error("an unbundled link is not drawn switch to server")
	}
	if strings.Index(dot, "cluster_role_spine") > strings.Index(dot, "cluster_role_server_2d_leaf") {
		t.Error("spines are not drawn first")
	}
	if !strings.Contains(mm, "-.-|") || !strings.Contains(dot, "style=dashed") {
		t.Error("VPC attachments are not drawn")
	}
	if again := Build(sample(t), Options{Attachments: true}).DOT(); again != dot {
		t.Error("the drawing is not stable")
	}
}

func TestRedundancyGroupsAndIDs(t *testing.T) {
	objs, err := fabric.Decode([]byte(`
kind: Switch
metadata: {name: leaf-a}
spec: {role: server-leaf, redundancy: {group: mclag-1, type: mclag}}
---
kind: Switch
metadata: {name: leaf_a}
spec: {role: server-leaf}
`))
	if err != nil {
		t.Fatal(err)
	}
	g := Build(objs, Options{})
	dot := g.DOT()
	if !strings.Contains(dot, `label="mclag-1 (mclag)"`) {
		t.Errorf("the redundancy group is not drawn:\n%s", dot)
	}
	if id("sw", "leaf-a") == id("sw", "leaf_a") {
		t.Error("ids collide")
	}
}
