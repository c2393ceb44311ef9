package cascade

import (
	"context"
	"fmt"
	"testing"
)

func benchPolicy() *Policy {
	return &Policy{
		NamePatterns:      []NamePatternRule{{Kind: AnyKind, Pattern: `^[a-z0-9][a-z0-9-]*$`}},
		AllowedVLANRanges: []AllowedVLANRule{{VLANNamespace: "default", Ranges: []VLANRange{{From: 1000, To: 2999}}}},
		AllowedSubnets:    []AllowedSubnetRule{{IPv4Namespace: "default", Subnets: []string{"10.0.0.0/8"}}},
		MaxSubnetsPerVPC:  &MaxSubnetsRule{Max: 10},
		ForbiddenCIDRs:    []ForbiddenCIDRRule{{CIDR: "192.168.0.0/16", Severity: SeverityWarning}},
	}
}

func TestGeneratedFabricIsValid(t *testing.T) {
	for _, n := range []int{1000, 10000} {
		objs := genFabric(n)
		if len(objs) < n*9/10 || len(objs) > n*11/10 {
			t.Errorf("genFabric(%d) made %d objects", n, len(objs))
		}
		ds := Run(context.Background(), Input{Objects: objs, Config: DefaultFabricConfig(), Policy: benchPolicy()})
		if len(ds) != 0 {
			t.Fatalf("genFabric(%d): %d findings, first:%s", n, len(ds), dump(ds[:min(len(ds), 10)]))
		}
	}
}

func BenchmarkCascade(b *testing.B) {
	cfg := DefaultFabricConfig()
	pol := benchPolicy()
	for _, n := range []int{1000, 10000} {
		objs := genFabric(n)
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if ds := Run(context.Background(), Input{Objects: objs, Config: cfg, Policy: pol}); len(ds) != 0 {
					b.Fatalf("unexpected findings: %s", dump(ds[:1]))
				}
			}
			b.ReportMetric(float64(len(objs)), "objects")
		})
	}
}
