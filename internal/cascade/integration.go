package cascade

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
)

// RuleIntegrationBackend is the rule of a failing backend probe.
const RuleIntegrationBackend = "integration.backend"

// Probe checks that one configured backend (Kubernetes API, Git remote, NetBox, ...) is reachable and
// ready.
type Probe interface {
	Name() string
	Check(ctx context.Context) error
}

// ValidateIntegration runs the probes concurrently and returns one error per failing backend, naming
// it, in probe-name order. A probe that panics counts as failing. A probe whose error has a method
// IsNotice() returning true (backend.CheckNotice) is ready: its message becomes a warning.
func ValidateIntegration(ctx context.Context, probes []Probe) diag.Diagnostics {
	if len(probes) == 0 {
		return nil
	}
	type result struct {
		name string
		err  error
		took time.Duration
	}
	results := make([]result, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		if p == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			defer func() {
				if r := recover(); r != nil {
					results[i] = result{name: p.Name(), err: fmt.Errorf("probe panicked: %v", r), took: time.Since(start)}
				}
			}()
			err := p.Check(ctx)
			results[i] = result{name: p.Name(), err: err, took: time.Since(start)}
		}()
	}
	wg.Wait()
	var out diag.Diagnostics
	for _, r := range results {
		if r.err == nil {
			continue
		}
		var n interface{ IsNotice() bool }
		if errors.As(r.err, &n) && n.IsNotice() {
			out = append(out, diag.Diagnostic{
				Stage: diag.StageIntegration, Severity: diag.Warning, Rule: RuleIntegrationBackend,
				Kind: "Backend", Name: r.name,
				Summary: fmt.Sprintf("backend %q: note", r.name),
				Detail:  fmt.Sprintf("backend %q: %v", r.name, r.err),
			})
			continue
		}
		out = append(out, diag.Diagnostic{
			Stage: diag.StageIntegration, Severity: diag.Error, Rule: RuleIntegrationBackend,
			Kind: "Backend", Name: r.name,
			Summary: fmt.Sprintf("backend %q is not ready", r.name),
			Detail:  fmt.Sprintf("probe of backend %q failed after %s: %v", r.name, r.took.Round(time.Millisecond), r.err),
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
