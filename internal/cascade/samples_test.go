package cascade

import (
	"context"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

func TestSamplesPassAllStages(t *testing.T) {
	cfg := testConfig(t)
	pol := &Policy{NamePatterns: []NamePatternRule{{Kind: AnyKind, Pattern: `^[a-z0-9-]+$`}}}
	for name, objs := range map[string][]fabric.Object{"nvidia-air-demo": nvidiaFabric(t), "demo-gitops": demoFabric(t)} {
		t.Run(name, func(t *testing.T) {
			ds := Run(context.Background(), Input{Objects: objs, Config: cfg, Policy: pol})
			if bad := ownFindings(ds); len(bad) != 0 {
				t.Fatalf("%d findings:%s", len(bad), dump(bad))
			}
			// ValidateObject agrees, object by object.
			v := NewView(objs...)
			for _, o := range objs {
				if ds := ownFindings(ValidateObject(o, v, cfg, pol)); len(ds) != 0 {
					t.Errorf("%s: %s", fabric.Key(o), dump(ds))
				}
			}
		})
	}
}

// ownFindings keeps errors of any stage and warnings of this package's stages (the spec stage may warn
// about deprecated features the samples use, e.g. MCLAG).
func ownFindings(ds diag.Diagnostics) diag.Diagnostics {
	var out diag.Diagnostics
	for _, d := range ds {
		if d.Severity == diag.Error || d.Stage != diag.StageSpec {
			out = append(out, d)
		}
	}
	return out
}
