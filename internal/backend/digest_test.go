package backend

import "testing"

func TestManifestDigestIgnoresGitOpsKeys(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{"spec": map[string]any{"a": 1.0}, "metadata": map[string]any{
			"labels":      map[string]any{"team": "web"},
			"annotations": map[string]any{OwnerAnnotation: OwnerValue}}}
	}
	want := ManifestDigest(base())
	m := base()
	md := m["metadata"].(map[string]any)
	for _, k := range []string{"kustomize.toolkit.fluxcd.io/name", "helm.toolkit.fluxcd.io/namespace", "argocd.argoproj.io/instance", "app.kubernetes.io/instance", "vpc.githedgehog.com/ipv4ns"} {
		md["labels"].(map[string]any)[k] = "x"
	}
	for _, k := range []string{"argocd.argoproj.io/tracking-id", "kubectl.kubernetes.io/last-applied-configuration", "kustomize.toolkit.fluxcd.io/checksum"} {
		md["annotations"].(map[string]any)[k] = "x"
	}
	if got := ManifestDigest(m); got != want {
		t.Error("GitOps tracking keys change the digest")
	}
	md["annotations"].(map[string]any)["note"] = "ours"
	if ManifestDigest(m) == want {
		t.Error("an annotation of our own does not change the digest")
	}
	for k, want := range map[string]bool{"argocd.argoproj.io/tracking-id": true, "app.kubernetes.io/instance": true,
		"app.kubernetes.io/name": false, OwnerAnnotation: false, "fluxcd.io/other": false} {
		if IsGitOpsKey(k) != want {
			t.Errorf("IsGitOpsKey(%q) = %v", k, !want)
		}
	}
}
