package cascade

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/spec"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// Rules of the runner itself.
const (
	RuleSchemaEncode  = "schema.encode"          // an object cannot be converted for the schema stage
	RuleCancelled     = "cascade.cancelled"      // the context ended before every object was validated
	RuleStagesSkipped = "cascade.stages-skipped" // schema errors: the later stages did not run (a note)
)

// Input is one run of the cascade.
//
// Objects must already be defaulted (fabric.Default) — the cascade validates what the fabric would store.
// View holds the objects already in the fabric; Run upserts Objects into it (they are planned in the same
// run), so a VPC planned here sees the other VPCs planned here. A nil View starts empty.
// A nil Config skips the fabric stage, a nil Policy the policy stage, empty Probes the integration stage.
type Input struct {
	Objects []fabric.Object
	View    *View
	Config  *FabricConfig
	Policy  *Policy
	Probes  []Probe
}

// Run validates every object of in through the stages schema → spec → fabric → cross → integration →
// policy. An object with errors at a stage skips its later stages. Objects are validated in parallel;
// the findings are returned grouped by stage (schema…cross per object in input order, then integration,
// then policy per object). A cross finding one object reports about another (see ValidateCross) comes
// with the object that found it, and once only when the other object reports it too.
func Run(ctx context.Context, in Input) diag.Diagnostics {
	v := in.View
	if v == nil {
		v = NewView()
	}
	v.mu.Lock()
	for _, o := range in.Objects {
		if o != nil {
			v.upsert(o, true)
		}
	}
	v.mu.Unlock()

	var integ diag.Diagnostics
	var integDone sync.WaitGroup
	if len(in.Probes) > 0 {
		integDone.Add(1)
		go func() {
			defer integDone.Done()
			integ = ValidateIntegration(ctx, in.Probes)
		}()
	}

	st := newStaged(in.Config, in.Policy)
	results := make([]result, len(in.Objects))
	var next atomic.Int64
	workers := min(runtime.GOMAXPROCS(0), max(1, len(in.Objects)/64))
	const chunk = 32
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				start := int(next.Add(chunk)) - chunk
				if start >= len(in.Objects) || ctx.Err() != nil {
					return
				}
				for i := start; i < min(start+chunk, len(in.Objects)); i++ {
					o := in.Objects[i]
					if o == nil {
						continue
					}
					results[i].pre, _ = st.pre(o, v)
					results[i].policy = st.policy(o)
				}
			}
		}()
	}
	wg.Wait()
	integDone.Wait()

	var out diag.Diagnostics
	if err := ctx.Err(); err != nil {
		out = append(out, diag.Diagnostic{Stage: diag.StageSchema, Severity: diag.Error, Rule: RuleCancelled,
			Summary: "validation cancelled", Detail: fmt.Sprintf("the cascade stopped before validating every object: %v", err)})
	}
	own := ownKeys(in.Objects, results)
	for i, r := range results {
		for _, d := range r.pre {
			// A finding about another object (see ValidateCross) that this run also reports from that
			// object itself is reported once.
			if own != nil && isForeign(d, in.Objects[i]) && own[findingKey(d)] {
				continue
			}
			out = append(out, d)
		}
	}
	out = append(out, integ...)
	for _, r := range results {
		out = append(out, r.policy...)
	}
	return out
}

// ValidateObject runs every stage but integration for one defaulted object — what plan time calls for
// each resource. v (the fabric plus planned objects, which should include obj) may be nil to skip the
// cross stage; cfg and p may be nil to skip the fabric and policy stages.
func ValidateObject(obj fabric.Object, v *View, cfg *FabricConfig, p *Policy) diag.Diagnostics {
	if obj == nil {
		return nil
	}
	st := newStaged(cfg, p)
	out, _ := st.pre(obj, v)
	return append(out, st.policy(obj)...)
}

// result is what Run found for one object: the stages schema…cross, then policy.
type result struct{ pre, policy diag.Diagnostics }

// staged holds the configuration and policy prepared once for many objects.
type staged struct {
	cfg    *FabricConfig
	pc     *parsedConfig
	cfgErr error
	pol    *compiledPolicy
	polErr error
	hasPol bool
}

func newStaged(cfg *FabricConfig, p *Policy) *staged {
	st := &staged{cfg: cfg}
	if cfg != nil {
		st.pc, st.cfgErr = cfg.parse()
	}
	if p != nil {
		st.hasPol = true
		st.pol, st.polErr = p.compile()
	}
	return st
}

func (st *staged) policy(obj fabric.Object) diag.Diagnostics {
	if !st.hasPol {
		return nil
	}
	return validatePolicy(obj, st.pol, st.polErr)
}

// pre runs schema, spec, fabric and cross; ok is false when a stage found errors. Every stage runs, so that
// one plan shows all the mistakes of an object (a spec error does not hide a cross-resource one), except
// after a schema error: the object is then not what the later stages expect, and a note says they did not
// run.
func (st *staged) pre(obj fabric.Object, v *View) (diag.Diagnostics, bool) {
	var out diag.Diagnostics
	u, err := fabric.ToUnstructured(obj)
	if err != nil {
		out = append(out, diag.Diagnostic{Stage: diag.StageSchema, Severity: diag.Error, Rule: RuleSchemaEncode,
			Kind: obj.GetKind(), Name: obj.Meta().Name, Summary: "object cannot be encoded", Detail: err.Error()})
		return out, false
	}
	stages := [...]func() diag.Diagnostics{
		func() diag.Diagnostics { return ValidateSchema(obj.GetKind(), u) },
		func() diag.Diagnostics { return spec.Validate(obj) },
		func() diag.Diagnostics { return validateFabric(obj, st.cfg, st.pc, st.cfgErr) },
		func() diag.Diagnostics { return ValidateCross(obj, v) },
	}
	ok := true
	for i, st := range stages {
		ds := st()
		out = append(out, ds...)
		if hasOwnError(ds, obj) {
			ok = false
			if i == 0 {
				out = append(out, diag.Diagnostic{Stage: diag.StageSchema, Severity: diag.Warning, Rule: RuleStagesSkipped,
					Kind: obj.GetKind(), Name: obj.Meta().Name, Summary: "Later checks did not run",
					Detail: "The spec, fabric-rule and cross-resource checks run once the schema errors above are fixed."})
				return out, false
			}
		}
	}
	return out, ok
}

// isForeign reports whether d is about another object than obj (the cross stage may report a finding on
// the object a conflict is attributed to while validating the other object of the pair).
func isForeign(d diag.Diagnostic, obj fabric.Object) bool {
	return obj == nil || d.Kind != obj.GetKind() || d.Name != obj.Meta().Name
}

// hasOwnError reports whether ds holds an error about obj itself.
func hasOwnError(ds diag.Diagnostics, obj fabric.Object) bool {
	for _, d := range ds {
		if d.Severity == diag.Error && !isForeign(d, obj) {
			return true
		}
	}
	return false
}

type findingID struct{ rule, kind, name, path, detail string }

func findingKey(d diag.Diagnostic) findingID {
	return findingID{d.Rule, d.Kind, d.Name, d.Path.String(), d.Detail}
}

// ownKeys returns the keys of the findings objects reported about themselves, or nil when no object
// reported a finding about another object (the common case: nothing to deduplicate).
func ownKeys(objs []fabric.Object, results []result) map[findingID]bool {
	foreign := false
	for i := range results {
		for _, d := range results[i].pre {
			if isForeign(d, objs[i]) {
				foreign = true
			}
		}
	}
	if !foreign {
		return nil
	}
	keys := map[findingID]bool{}
	for i := range results {
		for _, d := range results[i].pre {
			if !isForeign(d, objs[i]) {
				keys[findingKey(d)] = true
			}
		}
	}
	return keys
}
