package cascade

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

const samplesDir = "../fabric/testdata/samples"

// decodeFile decodes and defaults every object of a YAML file.
func decodeFile(t testing.TB, path string) []fabric.Object {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := fabric.Decode(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, o := range objs {
		fabric.Default(o)
	}
	return objs
}

func decodeYAML(t testing.TB, y string) fabric.Object {
	t.Helper()
	objs, err := fabric.Decode([]byte(y))
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, y)
	}
	if len(objs) != 1 {
		t.Fatalf("want 1 object, got %d", len(objs))
	}
	fabric.Default(objs[0])
	return objs[0]
}

func testConfig(t testing.TB) *FabricConfig {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "fabric-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseFabricConfig(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// nvidiaFabric returns the nvidia-air-demo sample plus the builtin profiles.
func nvidiaFabric(t testing.TB) []fabric.Object {
	return append(BuiltinSwitchProfiles(), decodeFile(t, filepath.Join(samplesDir, "nvidia-air-demo--include.yaml"))...)
}

// demoFabric returns the demo-gitops samples with their environment fixture and the builtin profiles.
func demoFabric(t testing.TB) []fabric.Object {
	objs := append(BuiltinSwitchProfiles(), decodeFile(t, filepath.Join("testdata", "demo-gitops-env.yaml"))...)
	objs = append(objs, decodeFile(t, filepath.Join(samplesDir, "demo-gitops--env-1--pre-demo.yaml"))...)
	return append(objs, decodeFile(t, filepath.Join(samplesDir, "demo-gitops--env-1--demo.yaml"))...)
}

// hasRule reports whether ds holds a finding of rule at path (path "" matches any path).
func hasRule(ds diag.Diagnostics, rule, path string) bool {
	for _, d := range ds {
		if d.Rule == rule && (path == "" || d.Path.String() == path) {
			return true
		}
	}
	return false
}

func dump(ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString("\n  " + d.String())
	}
	return b.String()
}
