package provider

import (
	"errors"
	"fmt"

	fwdiag "github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/engine"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/redact"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/saga"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/tfschema"
)

// diagnostics collects framework diagnostics; its constructors keep summaries, details and attribute
// paths uniform across the provider.
type diagnostics struct{ d fwdiag.Diagnostics }

func (ds *diagnostics) errorf(p path.Path, summary, format string, args ...any) {
	ds.d.AddAttributeError(p, redact.Text(summary), redact.Text(fmt.Sprintf(format, args...)))
}

func (ds *diagnostics) warnf(p path.Path, summary, format string, args ...any) {
	ds.d.AddAttributeWarning(p, redact.Text(summary), redact.Text(fmt.Sprintf(format, args...)))
}

// scrub redacts the summary and detail of every diagnostic (redact.Text): the last line of defence, run
// (deferred) by every provider, resource and data source method before its diagnostics leave the
// provider — for the CLI's output and for the framework's log lines alike.
func scrub(d *fwdiag.Diagnostics) {
	if d == nil || len(*d) == 0 {
		return
	}
	out := make(fwdiag.Diagnostics, 0, len(*d))
	changed := false
	for _, x := range *d {
		sum, det := redact.Text(x.Summary()), redact.Text(x.Detail())
		if sum == x.Summary() && det == x.Detail() {
			out = append(out, x)
			continue
		}
		changed = true
		var p path.Path
		wp, hasPath := x.(fwdiag.DiagnosticWithPath)
		if hasPath {
			p = wp.Path()
		}
		switch {
		case hasPath && x.Severity() == fwdiag.SeverityWarning:
			out = append(out, fwdiag.NewAttributeWarningDiagnostic(p, sum, det))
		case hasPath:
			out = append(out, fwdiag.NewAttributeErrorDiagnostic(p, sum, det))
		case x.Severity() == fwdiag.SeverityWarning:
			out = append(out, fwdiag.NewWarningDiagnostic(sum, det))
		default:
			out = append(out, fwdiag.NewErrorDiagnostic(sum, det))
		}
	}
	if changed {
		*d = out
	}
}

func (ds *diagnostics) hasError() bool { return ds.d.HasError() }

// cascade turns cascade findings into attribute diagnostics. The summary names the stage and rule so a
// reader can tell a fabric rule from a policy one.
//
// A finding about an object of another kind (the cross stage reports a conflict on the object the fabric
// attributes it to, e.g. an ExternalAttachment's mode while the External is planned) has a path into that
// other object: it is not mapped onto this resource's schema, where the same field names may mean
// something else. Such a finding is reported on the whole resource, naming the other object's field.
func (ds *diagnostics) cascade(s *kindSpec, found diag.Diagnostics) {
	for _, f := range found {
		foreign := f.Kind != "" && f.Kind != s.Kind
		full := path.Empty()
		if !foreign {
			full = attributePath(s.CRD.Spec, f.Path)
		}
		p := displayPath(full)
		summary := fmt.Sprintf("%s (%s stage, rule %s)", f.Summary, f.Stage, f.Rule)
		detail := f.Detail
		if f.Name != "" {
			detail = fmt.Sprintf("%s %q: %s", f.Kind, f.Name, f.Detail)
		}
		switch {
		case foreign && len(f.Path) > 0:
			other := f.Path.String()
			if o, ok := mustKinds()[f.Kind]; ok && o.CRD.Spec != nil {
				if ap := attributePath(o.CRD.Spec, f.Path); len(ap.Steps()) > 0 {
					other = ap.String()
				}
			}
			detail += fmt.Sprintf("\n\nAttribute of %s %q (not of this %s): %s", f.Kind, f.Name, s.Kind, other)
		case len(full.Steps()) > 0:
			detail += "\n\nAttribute: " + full.String()
		}
		if f.Severity == diag.Warning {
			ds.d.AddAttributeWarning(p, summary, detail)
		} else {
			ds.d.AddAttributeError(p, summary, detail)
		}
	}
}

// sagaError reports a failed saga: which backend failed, what was rolled back and what could not be.
func (ds *diagnostics) sagaError(kind string, ref backend.Ref, op string, err error) {
	f, ok := saga.AsFailure(err)
	oe, refused := backend.AsOwnership(err)
	if refused && (!ok || (f.Clean() && onlyStep(f.RolledBack, oe.Backend) && f.Step == oe.Backend)) {
		// Refused before anything was written (the preflight, or the first step before its first write).
		ds.errorf(path.Root(aName), fmt.Sprintf("Cannot %s %s %s: not ours in %s", op, kind, ref.Name, oe.Backend), "%s.\n\n%s", oe.Error(), oe.Hint())
		return
	}
	if !ok {
		ds.errorf(path.Empty(), fmt.Sprintf("Cannot %s %s %s", op, kind, ref.Name), "%v", err)
		return
	}
	detail := fmt.Sprintf("The %s step failed: %v\n\n", f.Step, f.Err)
	if len(f.RolledBack) > 0 {
		detail += fmt.Sprintf("Rolled back to the checkpoint: %v.\n", f.RolledBack)
	} else {
		detail += "No earlier step had written anything.\n"
	}
	if len(f.Skipped) > 0 {
		detail += fmt.Sprintf("Not attempted: %v.\n", f.Skipped)
	}
	if refused {
		detail += "The step refused to write over an object that is not ours: take it over deliberately with `adopt = true` or `terraform import`, or remove it where it was made.\n"
	}
	if f.Clean() {
		detail += "Every backend is as it was before this " + op + "."
	} else {
		for name, e := range f.UndoErrors {
			detail += fmt.Sprintf("COULD NOT roll back %s: %v — it may differ from the checkpoint.\n", name, e)
		}
		var u *engine.Unsettled
		if errors.As(err, &u) && u.Journal != "" {
			detail += fmt.Sprintf("The operation stays open in the journal (%s): the next plan names it, and the next apply finishes the rollback before anything else.", u.Journal)
		} else {
			detail += "No journal is configured (NetBox alone): compare NetBox with the checkpoint by hand."
		}
	}
	ds.errorf(path.Empty(), fmt.Sprintf("Cannot %s %s %s: %s failed", op, kind, ref.Name, f.Step), "%s", detail)
}

// onlyStep reports whether the steps rolled back are at most the refusing step itself (whose refusal came
// before its first write, so its compensation had nothing to undo).
func onlyStep(rolledBack []string, step string) bool {
	for _, s := range rolledBack {
		if s != step {
			return false
		}
	}
	return true
}

// attributePath maps a cascade path (manifest JSON names, from the object root) to a Terraform attribute
// path: metadata.name -> name; spec.subnets["a"].dhcp -> subnets["a"].dhcp.
func attributePath(spec *tfschema.Node, p diag.Path) path.Path {
	if len(p) == 0 {
		return path.Empty()
	}
	switch p[0].Field {
	case "metadata":
		if len(p) > 1 {
			switch p[1].Field {
			case "name", "namespace", "labels", "annotations":
				out := path.Root(p[1].Field)
				if len(p) > 2 && p[2].IsKey {
					out = out.AtMapKey(p[2].Key)
				}
				return out
			}
		}
		return path.Root(aName)
	case "spec":
	default:
		return path.Empty()
	}
	var out path.Path
	n := spec
	started := false
	for _, st := range p[1:] {
		if n == nil {
			break
		}
		switch {
		case st.IsKey:
			if !started || n.Type != tfschema.Map {
				return out
			}
			out, n = out.AtMapKey(st.Key), n.Elem
		case st.IsIndex:
			if !started || n.Type != tfschema.List {
				return out
			}
			out, n = out.AtListIndex(st.Index), n.Elem
		default:
			child := n.Field(st.Field)
			if child == nil {
				return out
			}
			if !started {
				out, started = path.Root(child.TF), true
			} else if n.Type == tfschema.Object && n.Nestable() {
				out = out.AtName(child.TF)
			} else {
				return out
			}
			n = child
		}
	}
	if !started {
		return path.Empty()
	}
	return out
}

// displayPath cuts a path to what Terraform can point at in the configuration: a top-level attribute and
// at most one element of it. Terraform resolves source ranges through blocks only, not through the
// expressions of nested attributes, and falls back to the whole resource when a path goes deeper; the full
// path is written into the detail instead.
func displayPath(p path.Path) path.Path {
	steps := p.Steps()
	if len(steps) <= 1 {
		return p
	}
	first, ok := steps[0].(path.PathStepAttributeName)
	if !ok {
		return p
	}
	out := path.Root(string(first))
	switch s := steps[1].(type) {
	case path.PathStepElementKeyString:
		out = out.AtMapKey(string(s))
	case path.PathStepElementKeyInt:
		out = out.AtListIndex(int(s))
	}
	return out
}

// stateSetter and diagAppender let create and update share one write path.
type stateSetter interface{ setRaw(v tftypes.Value) }

type diagAppender interface{ Append(...fwdiag.Diagnostic) }

type stateRef struct{ s *tfsdk.State }

func (r stateRef) setRaw(v tftypes.Value) { r.s.Raw = v }
