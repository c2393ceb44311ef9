// Package gitops is a minimal GitOps controller for tests of the provider's `observe` mode: it mirrors the
// manifests under a folder of a bare repository into the cluster, as Flux or Argo CD would — server-side
// apply of every file, deletion of the objects whose file disappeared.
package gitops

import (
	"context"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/testharness/gitserver"
)

// FieldManager is the field manager the controller applies with.
const FieldManager = "gitops-controller"

// Controller polls one branch of one bare repository.
type Controller struct {
	repoDir, branch, prefix string
	client                  dynamic.Interface
	cancel                  context.CancelFunc
	done                    chan struct{}

	mu      sync.Mutex
	applied map[string]*unstructured.Unstructured // path -> object applied from it
	errs    []error
}

// Start begins mirroring repoDir's branch folder prefix into the cluster every interval.
func Start(repoDir, branch, prefix string, cfg *rest.Config, interval time.Duration) (*Controller, error) {
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Controller{repoDir: repoDir, branch: branch, prefix: prefix, client: client, cancel: cancel,
		done: make(chan struct{}), applied: map[string]*unstructured.Unstructured{}}
	go func() {
		defer close(c.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			c.sync(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return c, nil
}

// Stop ends the loop.
func (c *Controller) Stop() {
	c.cancel()
	<-c.done
}

// Errors returns what went wrong while syncing (nil when every sync succeeded).
func (c *Controller) Errors() []error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]error(nil), c.errs...)
}

func (c *Controller) fail(err error) {
	if err != nil && !strings.Contains(err.Error(), "context canceled") {
		c.mu.Lock()
		c.errs = append(c.errs, err)
		c.mu.Unlock()
	}
}

func gvr(kind string) (schema.GroupVersionResource, bool) {
	k, ok := fabric.LookupKind(kind)
	return schema.GroupVersionResource{Group: k.Group, Version: k.Version, Resource: k.Plural}, ok
}

func (c *Controller) sync(ctx context.Context) {
	files, err := gitserver.ListFiles(c.repoDir, c.branch, c.prefix)
	if err != nil {
		return // the branch may not exist yet
	}
	seen := map[string]bool{}
	for _, f := range files {
		if !strings.HasSuffix(f, ".yaml") {
			continue
		}
		seen[f] = true
		data, found, err := gitserver.ReadFile(c.repoDir, c.branch, f)
		if err != nil || !found {
			continue // the branch moved since the listing; the next sync sees the new tree
		}
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(data, &u.Object); err != nil {
			c.fail(err)
			continue
		}
		res, ok := gvr(u.GetKind())
		if !ok {
			continue
		}
		body, _ := u.MarshalJSON()
		force := true
		if _, err := c.client.Resource(res).Namespace(u.GetNamespace()).Patch(ctx, u.GetName(), types.ApplyPatchType, body,
			metav1.PatchOptions{FieldManager: FieldManager, Force: &force}); err != nil {
			c.fail(err)
			continue
		}
		c.mu.Lock()
		c.applied[f] = u
		c.mu.Unlock()
	}
	c.mu.Lock()
	var gone []*unstructured.Unstructured
	for f, u := range c.applied {
		if !seen[f] {
			gone = append(gone, u)
			delete(c.applied, f)
		}
	}
	c.mu.Unlock()
	for _, u := range gone {
		res, _ := gvr(u.GetKind())
		err := c.client.Resource(res).Namespace(u.GetNamespace()).Delete(ctx, u.GetName(), metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			c.fail(err)
		}
	}
}
