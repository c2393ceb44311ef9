// Package diag holds the diagnostics every stage of the validation cascade returns. It is a leaf package:
// the model, the cascade stages and the Terraform layer all import it, and it imports nothing of theirs.
package diag

import (
	"fmt"
	"strconv"
	"strings"
)

// Stage names one stage of the validation cascade, in the order the cascade runs them.
type Stage string

const (
	StageSchema      Stage = "schema"      // types, enums, required fields, patterns (from the CRDs)
	StageSpec        Stage = "spec"        // the object alone
	StageFabric      Stage = "fabric"      // rules that need the fabric configuration
	StageCross       Stage = "cross"       // rules across objects (the fabric view)
	StageIntegration Stage = "integration" // the configured backends are reachable and ready
	StagePolicy      Stage = "policy"      // compliance policy set by the platform team
)

// Stages lists the stages in cascade order.
var Stages = []Stage{StageSchema, StageSpec, StageFabric, StageCross, StageIntegration, StagePolicy}

// Severity of a diagnostic.
type Severity int

const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Step is one step of a path into an object: a field (JSON name, as in the manifest), a map key or a
// list index. Exactly one of Field, Key, Index (Index >= 0 with IsIndex) is meaningful.
type Step struct {
	Field   string
	Key     string
	Index   int
	IsKey   bool
	IsIndex bool
}

// Path is a path into an object, starting at the object's root (e.g. spec, subnets, key "default", vlan).
// Paths start with "metadata" or "spec" for fields of the manifest.
type Path []Step

// Root returns an empty path.
func Root() Path { return nil }

// F returns a path of fields.
func F(fields ...string) Path {
	p := make(Path, 0, len(fields))
	for _, f := range fields {
		p = append(p, Step{Field: f})
	}
	return p
}

// Field appends a field step.
func (p Path) Field(name string) Path { return append(p.clone(), Step{Field: name}) }

// Key appends a map-key step.
func (p Path) Key(k string) Path { return append(p.clone(), Step{Key: k, IsKey: true}) }

// Index appends a list-index step.
func (p Path) Index(i int) Path { return append(p.clone(), Step{Index: i, IsIndex: true}) }

func (p Path) clone() Path {
	out := make(Path, len(p), len(p)+1)
	copy(out, p)
	return out
}

// String renders the path like a JSONPath-ish manifest path: spec.subnets["default"].dhcp.range.start
func (p Path) String() string {
	var b strings.Builder
	for i, s := range p {
		switch {
		case s.IsKey:
			b.WriteString("[" + strconv.Quote(s.Key) + "]")
		case s.IsIndex:
			b.WriteString("[" + strconv.Itoa(s.Index) + "]")
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Field)
		}
	}
	return b.String()
}

// Diagnostic is one finding of the cascade about one object.
type Diagnostic struct {
	Stage    Stage
	Severity Severity
	Rule     string // stable rule identifier, e.g. "vpc.subnet.gateway-inside"
	Kind     string // object kind, e.g. "VPC"
	Name     string // object name
	Path     Path   // attribute path inside the object
	Summary  string // one line, what is wrong
	Detail   string // why, and what to do; names other objects involved
}

func (d Diagnostic) String() string {
	return fmt.Sprintf("%s %s [%s/%s] %s/%s %s: %s: %s", d.Severity, d.Stage, d.Rule, d.Kind, d.Kind, d.Name, d.Path, d.Summary, d.Detail)
}

// Diagnostics is a list of findings.
type Diagnostics []Diagnostic

// HasError reports whether any finding is an error.
func (ds Diagnostics) HasError() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns the errors only.
func (ds Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == Error {
			out = append(out, d)
		}
	}
	return out
}

// Builder makes diagnostics for one object and stage with little repetition.
type Builder struct {
	Stage Stage
	Kind  string
	Name  string
	Out   Diagnostics
}

// Errorf adds an error.
func (b *Builder) Errorf(rule string, path Path, summary string, detailFormat string, args ...any) {
	b.Out = append(b.Out, Diagnostic{Stage: b.Stage, Severity: Error, Rule: rule, Kind: b.Kind, Name: b.Name, Path: path, Summary: summary, Detail: fmt.Sprintf(detailFormat, args...)})
}

// Warnf adds a warning.
func (b *Builder) Warnf(rule string, path Path, summary string, detailFormat string, args ...any) {
	b.Out = append(b.Out, Diagnostic{Stage: b.Stage, Severity: Warning, Rule: rule, Kind: b.Kind, Name: b.Name, Path: path, Summary: summary, Detail: fmt.Sprintf(detailFormat, args...)})
}
