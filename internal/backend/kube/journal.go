package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/dynamic"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

// Labels and key of the journal's ConfigMaps.
const (
	// JournalLabel marks a ConfigMap as a journal entry of this provider.
	JournalLabel = "terraform.githedgehog.com/journal"
	// JournalOwnerLabel holds backend.OwnerKey of the entry's owner (owner names need not be label values).
	JournalOwnerLabel = "terraform.githedgehog.com/journal-owner"
	// JournalKey is the data key holding the entry as JSON.
	JournalKey = "entry.json"
	// JournalPrefix starts the name of every journal ConfigMap: hedgehog-journal-<entry ID>.
	JournalPrefix = "hedgehog-journal-"
)

// Journal returns the saga journal kept in this cluster: one ConfigMap per open entry in the backend's
// namespace (see DECISIONS.md). It is usable in apply mode only; the provider picks Git in observe mode.
func (b *Backend) Journal() backend.Journal { return &journal{b: b} }

type journal struct{ b *Backend }

var _ backend.Journal = (*journal)(nil)

func (j *journal) Where() string {
	return "kubernetes ConfigMaps " + JournalPrefix + "* in namespace " + j.b.cfg.Namespace
}

func (j *journal) cms() (dynamic.ResourceInterface, error) {
	dyn, err := j.b.client()
	if err != nil {
		return nil, err
	}
	return dyn.Resource(cmGVR).Namespace(j.b.cfg.Namespace), nil
}

func (j *journal) ref(id string) backend.Ref {
	return backend.Ref{Kind: "ConfigMap", Namespace: j.b.cfg.Namespace, Name: JournalPrefix + id}
}

// Open creates the entry's ConfigMap or replaces it (an unconditional update: the entry is this owner's
// own record of its own saga, so the last writer is right).
func (j *journal) Open(ctx context.Context, e backend.JournalEntry) error {
	ref := j.ref(e.ID)
	data, err := json.Marshal(e)
	if err != nil {
		return j.b.fail("journal open", ref, err)
	}
	r, err := j.cms()
	if err != nil {
		return j.b.fail("journal open", ref, err)
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{
			"name": ref.Name, "namespace": ref.Namespace,
			"labels": map[string]any{JournalLabel: "true", JournalOwnerLabel: backend.OwnerKey(e.Owner)},
			"annotations": map[string]any{
				backend.OwnerAnnotation: backend.OwnerValue, backend.OwnerIDAnnotation: e.Owner,
			},
		},
		"data": map[string]any{JournalKey: string(data)},
	}}
	opts := metav1.CreateOptions{FieldManager: j.b.cfg.FieldManager}
	_, err = r.Create(ctx, u, opts)
	if apierrors.IsAlreadyExists(err) {
		_, err = r.Update(ctx, u, metav1.UpdateOptions{FieldManager: j.b.cfg.FieldManager})
		if apierrors.IsNotFound(err) { // closed in between: create again
			_, err = r.Create(ctx, u, opts)
		}
	}
	if err != nil {
		return j.b.fail("journal open", ref, err)
	}
	return nil
}

// Close deletes the entry's ConfigMap; a missing one is fine.
func (j *journal) Close(ctx context.Context, e backend.JournalEntry) error {
	ref := j.ref(e.ID)
	r, err := j.cms()
	if err != nil {
		return j.b.fail("journal close", ref, err)
	}
	if err := r.Delete(ctx, ref.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return j.b.fail("journal close", ref, err)
	}
	return nil
}

// Pending lists the owner's entries by label selector. An entry that does not decode is an error naming
// its ConfigMap: the engine must not write while it cannot tell what an interrupted saga left behind.
func (j *journal) Pending(ctx context.Context, owner string) ([]backend.JournalEntry, error) {
	ref := backend.Ref{Kind: "ConfigMap", Namespace: j.b.cfg.Namespace}
	r, err := j.cms()
	if err != nil {
		return nil, j.b.fail("journal pending", ref, err)
	}
	sel := labels.SelectorFromSet(labels.Set{JournalLabel: "true", JournalOwnerLabel: backend.OwnerKey(owner)}).String()
	var out []backend.JournalEntry
	opts := metav1.ListOptions{LabelSelector: sel, Limit: 500}
	for {
		l, err := r.List(ctx, opts)
		if err != nil {
			return nil, j.b.fail("journal pending", ref, err)
		}
		for _, it := range l.Items {
			raw, _, _ := unstructured.NestedString(it.Object, "data", JournalKey)
			var e backend.JournalEntry
			if err := json.Unmarshal([]byte(raw), &e); err != nil {
				ref.Name = it.GetName()
				return nil, j.b.fail("journal pending", ref, fmt.Errorf("journal entry ConfigMap %s/%s does not decode (key %s): %w", it.GetNamespace(), it.GetName(), JournalKey, err))
			}
			if e.Owner != owner {
				continue // an owner-key collision (or a hand-made label): not this owner's entry
			}
			out = append(out, e)
		}
		if opts.Continue = l.GetContinue(); opts.Continue == "" {
			break
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out, nil
}
