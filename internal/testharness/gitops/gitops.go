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

// Options change how the controller applies.
type Options struct {
	// Tracking makes the controller add the labels and annotations real GitOps controllers put on what they
	// apply (Flux's kustomize.toolkit.fluxcd.io/* labels, Argo CD's app.kubernetes.io/instance label and
	// argocd.argoproj.io/tracking-id annotation, kubectl's last-applied-configuration annotation).
	Tracking bool
}

// Controller polls one branch of one bare repository.
type Controller struct {
	opts                    Options
	repoDir, branch, prefix string
	client                  dynamic.Interface
	cancel                  context.CancelFunc
	done                    chan struct{}

	mu      sync.Mutex
	applied map[string]*unstructured.Unstructured // path -> object applied from it
	errs    []error
}

// StartWith begins mirroring repoDir's branch folder prefix into the cluster every interval.
func StartWith(repoDir, branch, prefix string, cfg *rest.Config, interval time.Duration, opts Options) (*Controller, error) {
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Controller{opts: opts, repoDir: repoDir, branch: branch, prefix: prefix, client: client, cancel: cancel,
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
		if c.opts.Tracking {
			track(u, data)
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

// track adds what Flux and Argo CD add to an object they apply from manifest data.
func track(u *unstructured.Unstructured, data []byte) {
	l := u.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	l["kustomize.toolkit.fluxcd.io/name"] = "fabric"
	l["kustomize.toolkit.fluxcd.io/namespace"] = "flux-system"
	l["app.kubernetes.io/instance"] = "fabric"
	u.SetLabels(l)
	a := u.GetAnnotations()
	if a == nil {
		a = map[string]string{}
	}
	ns := u.GetNamespace()
	if ns == "" {
		ns = "default"
	}
	a["argocd.argoproj.io/tracking-id"] = "fabric:" + u.GroupVersionKind().Group + "/" + u.GetKind() + ":" + ns + "/" + u.GetName()
	if j, err := yaml.YAMLToJSON(data); err == nil {
		a["kubectl.kubernetes.io/last-applied-configuration"] = string(j)
	}
	u.SetAnnotations(a)
}
