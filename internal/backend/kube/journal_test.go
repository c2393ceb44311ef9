package kube

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend/backendtest"
)

func TestJournal(t *testing.T) {
	ctx := context.Background()
	j := newBackend(t, "journal").Journal()
	if w := j.Where(); !strings.Contains(w, "namespace journal") {
		t.Errorf("Where = %q", w)
	}
	a1, a2, b1 := backendtest.Entry("team-a", "web", "create"), backendtest.Entry("team-a", "db", "update"), backendtest.Entry("team b/prod", "web", "delete")
	for _, e := range []backend.JournalEntry{a1, a2, b1} {
		if err := j.Open(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if got := fmt.Sprint(backendtest.PendingNames(t, j, "team-a")); got != fmt.Sprint(sortByID(a1, a2)) {
		t.Errorf("team-a pending = %s", got)
	}
	if got := fmt.Sprint(backendtest.PendingNames(t, j, "team b/prod")); got != "[web:delete]" {
		t.Errorf("team b pending = %s", got)
	}
	if got := backendtest.PendingNames(t, j, "nobody"); len(got) != 0 {
		t.Errorf("nobody pending = %v", got)
	}
	// The ConfigMap is named after the entry and labelled with the owner key.
	cm, err := dynamic.NewForConfigOrDie(srv.RESTConfig()).Resource(cmGVR).Namespace("journal").Get(ctx, "hedgehog-journal-"+a1.ID, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l := cm.GetLabels(); l[JournalOwnerLabel] != backend.OwnerKey("team-a") || l[JournalLabel] != "true" {
		t.Errorf("labels = %v", l)
	}
	// A re-open replaces the entry (same ID).
	a1.Op, a1.Note = "update", "compensation failed"
	if err := j.Open(ctx, a1); err != nil {
		t.Fatal(err)
	}
	es, _ := j.Pending(ctx, "team-a")
	if len(es) != 2 {
		t.Fatalf("after re-open: %d entries", len(es))
	}
	for _, e := range es {
		if e.ID == a1.ID && (e.Op != "update" || e.Note != "compensation failed" || e.Audit.Resource != "hedgehog_vpc web" || e.Desired["spec"] == nil) {
			t.Errorf("re-opened entry = %+v", e)
		}
	}
	// Close removes only that entry; closing again is fine.
	for i := 0; i < 2; i++ {
		if err := j.Close(ctx, a1); err != nil {
			t.Fatal(err)
		}
	}
	if got := fmt.Sprint(backendtest.PendingNames(t, j, "team-a")); got != "[db:update]" {
		t.Errorf("after close: %s", got)
	}
	if got := fmt.Sprint(backendtest.PendingNames(t, j, "team b/prod")); got != "[web:delete]" {
		t.Errorf("other owner after close: %s", got)
	}
}

func sortByID(es ...backend.JournalEntry) []string {
	if len(es) == 2 && es[0].ID > es[1].ID {
		es[0], es[1] = es[1], es[0]
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Ref.Name+":"+e.Op)
	}
	return out
}

func TestJournalConcurrentOpens(t *testing.T) {
	ctx := context.Background()
	j := newBackend(t, "journal-conc").Journal()
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs <- j.Open(ctx, backendtest.Entry("team-c", fmt.Sprintf("vpc-%d", i), "create"))
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := backendtest.PendingNames(t, j, "team-c"); len(got) != 10 {
		t.Errorf("pending after 10 concurrent opens: %d %v", len(got), got)
	}
}

func TestJournalUndecodableEntry(t *testing.T) {
	ctx := context.Background()
	j := newBackend(t, "journal-bad").Journal()
	cm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "hedgehog-journal-broken", "labels": map[string]any{
			JournalLabel: "true", JournalOwnerLabel: backend.OwnerKey("team-d")}},
		"data": map[string]any{JournalKey: "{not json"}}}
	if _, err := dynamic.NewForConfigOrDie(srv.RESTConfig()).Resource(cmGVR).Namespace("journal-bad").Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := j.Pending(ctx, "team-d")
	if err == nil || !strings.Contains(err.Error(), "hedgehog-journal-broken") {
		t.Fatalf("want an error naming the entry, got %v", err)
	}
}
