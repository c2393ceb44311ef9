package cascade

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// Policy rule identifiers.
const (
	RulePolicyInvalid            = "policy.invalid"
	RulePolicyNamePattern        = "policy.name-pattern"
	RulePolicyVLANRange          = "policy.vlan-range"
	RulePolicySubnetAllowed      = "policy.subnet-allowed"
	RulePolicyRequiredLabel      = "policy.required-label"
	RulePolicyRequiredAnnotation = "policy.required-annotation"
	RulePolicyMaxSubnets         = "policy.max-subnets"
	RulePolicyForbiddenCIDR      = "policy.forbidden-cidr"
)

// Severity of a policy rule: "error" (the default when empty) or "warning".
type Severity string

// Policy severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// AnyKind in a kind field makes a policy rule apply to every kind.
const AnyKind = "*"

// Policy is the compliance policy the platform team sets. It is JSON-tagged in snake_case so the
// provider can map HCL attributes to it. Compiled forms are cached by content, so a Policy may be
// copied and changed freely.
type Policy struct {
	NamePatterns        []NamePatternRule   `json:"name_patterns,omitempty"`
	AllowedVLANRanges   []AllowedVLANRule   `json:"allowed_vlan_ranges,omitempty"`
	AllowedSubnets      []AllowedSubnetRule `json:"allowed_subnets,omitempty"`
	RequiredLabels      []RequiredKeysRule  `json:"required_labels,omitempty"`
	RequiredAnnotations []RequiredKeysRule  `json:"required_annotations,omitempty"`
	MaxSubnetsPerVPC    *MaxSubnetsRule     `json:"max_subnets_per_vpc,omitempty"`
	ForbiddenCIDRs      []ForbiddenCIDRRule `json:"forbidden_cidrs,omitempty"`
}

// NamePatternRule requires object names of a kind ("*" for all) to match a regular expression.
type NamePatternRule struct {
	Kind     string   `json:"kind"`
	Pattern  string   `json:"pattern"`
	Severity Severity `json:"severity,omitempty"`
}

// AllowedVLANRule restricts the VLANs VPCs may use in a VLANNamespace (and the ranges the namespace
// itself may declare) to the given ranges.
type AllowedVLANRule struct {
	VLANNamespace string      `json:"vlan_namespace"`
	Ranges        []VLANRange `json:"ranges"`
	Severity      Severity    `json:"severity,omitempty"`
}

// AllowedSubnetRule requires VPC subnets of an IPv4Namespace to lie inside one of the given CIDRs.
type AllowedSubnetRule struct {
	IPv4Namespace string   `json:"ipv4_namespace"`
	Subnets       []string `json:"subnets"`
	Severity      Severity `json:"severity,omitempty"`
}

// RequiredKeysRule requires label or annotation keys on objects of a kind ("*" for all).
type RequiredKeysRule struct {
	Kind     string   `json:"kind"`
	Keys     []string `json:"keys"`
	Severity Severity `json:"severity,omitempty"`
}

// MaxSubnetsRule caps the number of subnets of one VPC.
type MaxSubnetsRule struct {
	Max      int      `json:"max"`
	Severity Severity `json:"severity,omitempty"`
}

// ForbiddenCIDRRule forbids VPC subnets, IPv4Namespace subnets and static-external subnets that overlap
// a CIDR.
type ForbiddenCIDRRule struct {
	CIDR     string   `json:"cidr"`
	Severity Severity `json:"severity,omitempty"`
}

type compiledPolicy struct {
	names      []compiledName
	vlans      map[string]AllowedVLANRule
	subnets    map[string]compiledSubnets
	forbidden  []compiledCIDR
	labels     []RequiredKeysRule
	annots     []RequiredKeysRule
	maxSubnets *MaxSubnetsRule
}

type compiledName struct {
	kind string
	re   *regexp.Regexp
	sev  Severity
	src  string
}

type compiledSubnets struct {
	prefixes []netip.Prefix
	sev      Severity
	src      []string
}

type compiledCIDR struct {
	p   netip.Prefix
	sev Severity
}

// Validate checks the policy (patterns compile, CIDRs parse, severities are known) and caches its
// compiled form.
func (p *Policy) Validate() error {
	_, err := p.compile()
	return err
}

// policyCache maps a policy's JSON form to its compiled form (bounded; reset when full).
var policyCache struct {
	sync.Mutex
	m map[string]*compiledPolicy
}

const policyCacheMax = 32

func (p *Policy) compile() (*compiledPolicy, error) {
	key, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	policyCache.Lock()
	c := policyCache.m[string(key)]
	policyCache.Unlock()
	if c != nil {
		return c, nil
	}
	c, err = p.compileUncached()
	if err != nil {
		return nil, err
	}
	policyCache.Lock()
	if policyCache.m == nil || len(policyCache.m) >= policyCacheMax {
		policyCache.m = map[string]*compiledPolicy{}
	}
	policyCache.m[string(key)] = c
	policyCache.Unlock()
	return c, nil
}

func (p *Policy) compileUncached() (*compiledPolicy, error) {
	var errs []error
	sev := func(where string, s Severity) {
		if s != "" && s != SeverityError && s != SeverityWarning {
			errs = append(errs, fmt.Errorf("%s: severity %q is not \"error\" or \"warning\"", where, s))
		}
	}
	c := &compiledPolicy{vlans: map[string]AllowedVLANRule{}, subnets: map[string]compiledSubnets{},
		labels: p.RequiredLabels, annots: p.RequiredAnnotations, maxSubnets: p.MaxSubnetsPerVPC}
	for i, r := range p.NamePatterns {
		where := fmt.Sprintf("name_patterns[%d]", i)
		sev(where, r.Severity)
		re, err := regexp.Compile(r.Pattern)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		c.names = append(c.names, compiledName{kind: r.Kind, re: re, sev: r.Severity, src: r.Pattern})
	}
	for i, r := range p.AllowedVLANRanges {
		where := fmt.Sprintf("allowed_vlan_ranges[%d]", i)
		sev(where, r.Severity)
		for _, vr := range r.Ranges {
			if vr.From < 1 || vr.From > vr.To || vr.To > 4094 {
				errs = append(errs, fmt.Errorf("%s: invalid VLAN range %s", where, vr))
			}
		}
		if prev, ok := c.vlans[r.VLANNamespace]; ok {
			r.Ranges = append(append([]VLANRange{}, prev.Ranges...), r.Ranges...)
		}
		c.vlans[r.VLANNamespace] = r
	}
	for i, r := range p.AllowedSubnets {
		where := fmt.Sprintf("allowed_subnets[%d]", i)
		sev(where, r.Severity)
		cs := c.subnets[r.IPv4Namespace]
		cs.sev = r.Severity
		for _, s := range r.Subnets {
			pf, err := netip.ParsePrefix(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a CIDR", where, s))
				continue
			}
			cs.prefixes = append(cs.prefixes, pf.Masked())
			cs.src = append(cs.src, s)
		}
		c.subnets[r.IPv4Namespace] = cs
	}
	for i, r := range p.ForbiddenCIDRs {
		where := fmt.Sprintf("forbidden_cidrs[%d]", i)
		sev(where, r.Severity)
		pf, err := netip.ParsePrefix(r.CIDR)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a CIDR", where, r.CIDR))
			continue
		}
		c.forbidden = append(c.forbidden, compiledCIDR{p: pf.Masked(), sev: r.Severity})
	}
	for i, r := range p.RequiredLabels {
		sev(fmt.Sprintf("required_labels[%d]", i), r.Severity)
	}
	for i, r := range p.RequiredAnnotations {
		sev(fmt.Sprintf("required_annotations[%d]", i), r.Severity)
	}
	if m := p.MaxSubnetsPerVPC; m != nil {
		sev("max_subnets_per_vpc", m.Severity)
		if m.Max < 1 {
			errs = append(errs, fmt.Errorf("max_subnets_per_vpc: max must be at least 1, got %d", m.Max))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("policy: %w", errors.Join(errs...))
	}
	return c, nil
}

// add emits a finding with the rule's severity.
func add(b *diag.Builder, s Severity, rule string, path diag.Path, summary, format string, args ...any) {
	if s == SeverityWarning {
		b.Warnf(rule, path, summary, format, args...)
		return
	}
	b.Errorf(rule, path, summary, format, args...)
}

func kindMatches(ruleKind, kind string) bool {
	return ruleKind == AnyKind || ruleKind == "" || ruleKind == kind
}

// ValidatePolicy checks one object against the compliance policy. A nil policy checks nothing.
func ValidatePolicy(obj fabric.Object, p *Policy) diag.Diagnostics {
	if p == nil || obj == nil {
		return nil
	}
	c, err := p.compile()
	return validatePolicy(obj, c, err)
}

// validatePolicy is ValidatePolicy with the policy already compiled (c, err from p.compile).
func validatePolicy(obj fabric.Object, c *compiledPolicy, err error) diag.Diagnostics {
	meta := obj.Meta()
	b := &diag.Builder{Stage: diag.StagePolicy, Kind: obj.GetKind(), Name: meta.Name}
	if err != nil {
		b.Errorf(RulePolicyInvalid, diag.Root(), "invalid compliance policy", "%v", err)
		return b.Out
	}
	kind := obj.GetKind()
	for _, n := range c.names {
		if kindMatches(n.kind, kind) && !n.re.MatchString(meta.Name) {
			add(b, n.sev, RulePolicyNamePattern, diag.F("metadata", "name"), "name violates the naming policy",
				"%s name %q does not match the policy pattern %q", kind, meta.Name, n.src)
		}
	}
	checkKeys(b, c.labels, kind, meta.Labels, "labels", RulePolicyRequiredLabel)
	checkKeys(b, c.annots, kind, meta.Annotations, "annotations", RulePolicyRequiredAnnotation)

	switch o := obj.(type) {
	case *fabric.VPC:
		policyVPC(b, c, o)
	case *fabric.VLANNamespace:
		if r, ok := c.vlans[meta.Name]; ok {
			for i, vr := range o.Spec.Ranges {
				if !vlanRangeInside(VLANRange{From: vr.From, To: vr.To}, r.Ranges) {
					add(b, r.Severity, RulePolicyVLANRange, diag.F("spec", "ranges").Index(i), "VLAN range outside the allowed ranges",
						"range %d-%d of VLANNamespace %q is not inside the allowed ranges %s", vr.From, vr.To, meta.Name, fmtRanges(r.Ranges))
				}
			}
		}
	case *fabric.IPv4Namespace:
		for i, s := range o.Spec.Subnets {
			forbidden(b, c, s, diag.F("spec", "subnets").Index(i))
		}
	case *fabric.Connection:
		if se := o.Spec.StaticExternal; se != nil {
			for i, s := range se.Link.Switch.Subnets {
				forbidden(b, c, s, diag.F("spec", "staticExternal", "link", "switch", "subnets").Index(i))
			}
		}
	}
	return b.Out
}

func policyVPC(b *diag.Builder, c *compiledPolicy, o *fabric.VPC) {
	if m := c.maxSubnets; m != nil && len(o.Spec.Subnets) > m.Max {
		add(b, m.Severity, RulePolicyMaxSubnets, diag.F("spec", "subnets"), "too many subnets",
			"VPC %q has %d subnets; the policy allows at most %d", o.Metadata.Name, len(o.Spec.Subnets), m.Max)
	}
	vr, hasVLAN := c.vlans[o.Spec.VLANNamespace]
	sr, hasSubnets := c.subnets[o.Spec.IPv4Namespace]
	for _, name := range sortedKeys(o.Spec.Subnets) {
		sn := o.Spec.Subnets[name]
		if sn == nil {
			continue
		}
		p := diag.F("spec", "subnets").Key(name)
		if hasVLAN && sn.VLAN != 0 && !vlanIn(sn.VLAN, vr.Ranges) {
			add(b, vr.Severity, RulePolicyVLANRange, p.Field("vlan"), "VLAN outside the allowed ranges",
				"VLAN %d of subnet %q is not in the ranges %s allowed for VLANNamespace %q", sn.VLAN, name, fmtRanges(vr.Ranges), o.Spec.VLANNamespace)
		}
		pf, err := netip.ParsePrefix(sn.Subnet)
		if err != nil {
			continue // the spec stage reports it
		}
		pf = pf.Masked()
		if hasSubnets && !prefixInsideAny(pf, sr.prefixes) {
			add(b, sr.sev, RulePolicySubnetAllowed, p.Field("subnet"), "subnet outside the allowed subnets",
				"subnet %s of %q is not inside the subnets %s allowed for IPv4Namespace %q", pf, name, strings.Join(sr.src, ", "), o.Spec.IPv4Namespace)
		}
		forbidden(b, c, sn.Subnet, p.Field("subnet"))
	}
}

func forbidden(b *diag.Builder, c *compiledPolicy, s string, p diag.Path) {
	if len(c.forbidden) == 0 {
		return
	}
	pf, err := netip.ParsePrefix(s)
	if err != nil {
		return
	}
	pf = pf.Masked()
	for _, f := range c.forbidden {
		if f.p.Overlaps(pf) {
			add(b, f.sev, RulePolicyForbiddenCIDR, p, "subnet overlaps a forbidden CIDR",
				"%s overlaps %s, which the policy forbids", pf, f.p)
		}
	}
}

func checkKeys(b *diag.Builder, rules []RequiredKeysRule, kind string, have map[string]string, field, rule string) {
	for _, r := range rules {
		if !kindMatches(r.Kind, kind) {
			continue
		}
		for _, k := range r.Keys {
			if _, ok := have[k]; !ok {
				add(b, r.Severity, rule, diag.F("metadata", field).Key(k), "required "+strings.TrimSuffix(field, "s")+" missing",
					"the policy requires %s %q on every %s", strings.TrimSuffix(field, "s"), k, kindLabel(r.Kind))
			}
		}
	}
}

func kindLabel(k string) string {
	if k == "" || k == AnyKind {
		return "object"
	}
	return k
}

func vlanIn(v uint16, rs []VLANRange) bool {
	for _, r := range rs {
		if r.Contains(v) {
			return true
		}
	}
	return false
}

// vlanRangeInside reports whether r is covered by a single range of rs.
func vlanRangeInside(r VLANRange, rs []VLANRange) bool {
	for _, a := range rs {
		if r.From >= a.From && r.To <= a.To {
			return true
		}
	}
	return false
}

func fmtRanges(rs []VLANRange) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ", ")
}

// prefixInside reports whether inner lies entirely inside outer.
func prefixInside(inner, outer netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

func prefixInsideAny(p netip.Prefix, outers []netip.Prefix) bool {
	for _, o := range outers {
		if prefixInside(p, o) {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
