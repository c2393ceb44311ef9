package kube

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/backendtest"
)

// TestAuditAnnotations: the Git commit and the Terraform Cloud run of a write are annotations on the
// applied object, but neither the digest nor what Get shows includes them (no drift on every refresh).
func TestAuditAnnotations(t *testing.T) {
	ctx := context.Background()
	b := newBackend(t, "audit")
	o := ipns("audited", "10.10.0.0/16")
	in := backendtest.Update
	in.Audit = backend.Audit{Owner: backend.DefaultOwner, Resource: "hedgehog_ipv4namespace audited", Op: "create",
		RunID: "run-123", GitCommit: "0123456789abcdef0123456789abcdef01234567"}
	_, after, err := b.Put(ctx, o, in)
	if err != nil {
		t.Fatal(err)
	}
	u, err := raw("audit").Get(ctx, "audited", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ann := u.GetAnnotations()
	if ann[backend.GitCommitAnnotation] != in.Audit.GitCommit || ann[backend.RunIDAnnotation] != "run-123" {
		t.Fatalf("annotations on the cluster object = %v", ann)
	}
	if after.Digest != b.Digest(o) {
		t.Errorf("digest after the write %s != desired %s: audit annotations would be drift", after.Digest, b.Digest(o))
	}
	st := mustGet(t, b, o.Ref)
	if st.Digest != b.Digest(o) {
		t.Errorf("Get digest %s != desired %s", st.Digest, b.Digest(o))
	}
	shown := st.Object.Manifest["metadata"].(map[string]any)["annotations"].(map[string]any)
	if _, ok := shown[backend.GitCommitAnnotation]; ok {
		t.Errorf("Get shows the audit annotations: %v", shown)
	}
	if _, ok := shown[backend.RunIDAnnotation]; ok {
		t.Errorf("Get shows the audit annotations: %v", shown)
	}
	if backend.ManifestDigest(u.Object) != backend.ManifestDigest(st.Object.Manifest) {
		t.Error("backend.ManifestDigest counts the audit annotations")
	}
	// A later write (another commit, no Terraform Cloud run) updates the commit and drops the run id.
	o2 := ipns("audited", "10.11.0.0/16")
	in.Audit.RunID, in.Audit.GitCommit, in.Audit.Op = "", "fedcba9876543210fedcba9876543210fedcba98", "update"
	prior, _, err := b.Put(ctx, o2, in)
	if err != nil {
		t.Fatal(err)
	}
	u, _ = raw("audit").Get(ctx, "audited", metav1.GetOptions{})
	if ann := u.GetAnnotations(); ann[backend.GitCommitAnnotation] != in.Audit.GitCommit || ann[backend.RunIDAnnotation] != "" {
		t.Fatalf("after the update: %v", ann)
	}
	// The rollback puts the prior write's annotations back with it.
	if err := b.Restore(ctx, o.Ref, prior); err != nil {
		t.Fatal(err)
	}
	u, _ = raw("audit").Get(ctx, "audited", metav1.GetOptions{})
	if ann := u.GetAnnotations(); ann[backend.GitCommitAnnotation] != "0123456789abcdef0123456789abcdef01234567" || ann[backend.RunIDAnnotation] != "run-123" {
		t.Fatalf("after the rollback: %v", ann)
	}
}
