package provider

import (
	"strings"
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/engine"
)

// TestImportDrift: after an import, a backend that lacks the object or holds another form than the rendered
// one is drift (and has no checkpoint); a backend in line is held.
func TestImportDrift(t *testing.T) {
	res := engine.Result{
		backend.Kubernetes: {Exists: true, Digest: "k-hand", Checkpoint: map[string]string{"uid": "u", "resource_version": "3"}},
		backend.Git:        {Exists: false, Checkpoint: map[string]string{"path": "fabric/vpc/x.yaml", "commit": "head"}},
		backend.NetBox:     {Exists: true, Digest: "n", Checkpoint: map[string]string{"vrf": "7"}},
	}
	desired := map[string]string{backend.Kubernetes: "k-rendered", backend.Git: "g", backend.NetBox: "n"}
	drift, held := importDrift(res, desired, backend.Kubernetes, nil)
	if len(drift) != 2 || !strings.Contains(drift[backend.Git], "missing from git (imported from kubernetes)") || !strings.Contains(drift[backend.Kubernetes], "another form") {
		t.Errorf("drift %v", drift)
	}
	if _, ok := held[backend.Git]; ok {
		t.Errorf("git holds nothing, yet it is held: %v", held)
	}
	if _, ok := held[backend.Kubernetes]; !ok {
		t.Errorf("the cluster's checkpoints (uid) are lost: %v", held)
	}
	if _, ok := held[backend.NetBox]; !ok || drift[backend.NetBox] != "" {
		t.Errorf("NetBox is in line: held %v, drift %q", held, drift[backend.NetBox])
	}
}
