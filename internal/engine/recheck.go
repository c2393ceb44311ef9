package engine

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"sync"
	"time"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// The apply's last look (DECISIONS.md, "Address planning is a data source"): the checks at apply run against
// the fabric as this process read it at the start of its walk plus its own writes. Another workspace (or a
// person) may have taken a subnet or VLAN since then: two workspaces that planned at once may well have been
// given the same free value. So a VPC write that brings a subnet prefix or VLAN the VPC did not hold looks
// once more, just before it writes, at the VPCs the fabric holds now (a fresh List of the source, not the
// cached one), and fails rather than write a clash. Concurrent writes share one List that started after they
// asked (freshLister), so a run of many VPC writes costs a List per batch of writes, not per write. The window
// left, between that List and the write, is the time of one write; the fabric has no admission webhook here
// to close it.
//
// A value in a namespace this apply created is not looked at: another workspace could have been handed it only
// by a plan that read the namespace after this apply created it, and it then checks itself before its own
// write. This keeps a run that builds a tenant from scratch (the namespaces and their VPCs together) from
// listing every VPC again before each VPC it creates: 500 VPCs cost about 265 such Lists and 10 ms of provider
// CPU per VPC (measured with internal/cmd/bench, cluster only).

// RecheckRule is the rule of the finding.
const RecheckRule = "cross.vpc.taken-since-plan"

// freshLister runs one List at a time for callers that need a list started after they asked: callers that
// arrive while a List runs wait for the next one, which they share.
type freshLister struct {
	mu      sync.Mutex
	running bool
	next    *freshCall
}

type freshCall struct {
	done   chan struct{}
	states map[string]backend.State
	err    error
}

func (f *freshLister) list(ctx context.Context, fn func(context.Context) (map[string]backend.State, error)) (map[string]backend.State, error) {
	f.mu.Lock()
	c := f.next
	if c == nil {
		c = &freshCall{done: make(chan struct{})}
		f.next = c
	}
	if !f.running {
		f.start(fn)
	}
	f.mu.Unlock()
	select {
	case <-c.done:
		return c.states, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// start runs the waiting call (the caller holds f.mu).
func (f *freshLister) start(fn func(context.Context) (map[string]backend.State, error)) {
	c := f.next
	f.next = nil
	f.running = true
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // the backend's own timeouts apply inside
		c.states, c.err = fn(ctx)
		cancel()
		close(c.done)
		f.mu.Lock()
		f.running = false
		if f.next != nil {
			f.start(fn)
		}
		f.mu.Unlock()
	}()
}

// recheckVPC compares the prefixes and VLANs vpc brings (those its entry in the written view does not hold)
// with the VPCs of other owners in a fresh List of the source.
func (e *Engine) recheckVPC(ctx context.Context, v *cascade.View, vpc *fabric.VPC) diag.Diagnostics {
	if e.source == nil {
		return nil
	}
	var before *fabric.VPC
	if v != nil {
		before, _ = v.Get(fabric.KindVPC, vpc.Metadata.Name).(*fabric.VPC)
	}
	type want struct {
		subnet string
		prefix netip.Prefix
		vlan   uint16
	}
	var news []want
	_, ipv4Here := e.createdHere.Load(fabric.KindIPv4Namespace + "/" + vpc.Spec.IPv4Namespace)
	_, vlanHere := e.createdHere.Load(fabric.KindVLANNamespace + "/" + vpc.Spec.VLANNamespace)
	for _, name := range sortedSubnets(vpc) {
		s := vpc.Spec.Subnets[name]
		var old *fabric.VPCSubnet
		if before != nil && before.Spec.IPv4Namespace == vpc.Spec.IPv4Namespace && before.Spec.VLANNamespace == vpc.Spec.VLANNamespace {
			old = before.Spec.Subnets[name]
		}
		w := want{subnet: name}
		if p, err := netip.ParsePrefix(s.Subnet); err == nil && (old == nil || old.Subnet != s.Subnet) && !ipv4Here {
			w.prefix = p.Masked()
		}
		if s.VLAN != 0 && (old == nil || old.VLAN != s.VLAN) && !vlanHere {
			w.vlan = s.VLAN
		}
		if w.prefix.IsValid() || w.vlan != 0 {
			news = append(news, w)
		}
	}
	if len(news) == 0 {
		return nil
	}
	b := diag.Builder{Stage: diag.StageCross, Kind: fabric.KindVPC, Name: vpc.Metadata.Name}
	states, err := e.fresh.list(ctx, func(ctx context.Context) (map[string]backend.State, error) {
		return e.source.List(ctx, fabric.KindVPC)
	})
	if err != nil {
		b.Warnf(RecheckRule, diag.F("spec", "subnets"), "Could not check the subnets again",
			"Listing the VPCs in %s just before the write failed (%v); the write goes ahead on the checks made against the fabric as read at the start of the apply.", e.source.Name(), err)
		return b.Out
	}
	keys := make([]string, 0, len(states))
	for k := range states {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		st := states[k]
		if st.Object == nil || st.Object.Ref.Name == vpc.Metadata.Name {
			continue
		}
		o, err := fabric.FromUnstructured(st.Object.Manifest)
		if err != nil {
			continue
		}
		fabric.Default(o) // a VPC written without namespaces is in "default", as the fabric reads it
		other, ok := o.(*fabric.VPC)
		if !ok {
			continue
		}
		// A VPC whose addresses are those the written view holds (as read, or as this process wrote it) was
		// judged by the check against that view already. Whoever owns it: two workspaces of the same owner
		// are two states as well.
		if v != nil {
			if seen, _ := v.Get(fabric.KindVPC, other.Metadata.Name).(*fabric.VPC); seen != nil && sameAddresses(seen, other) {
				continue
			}
		}
		for _, w := range news {
			at := diag.F("spec", "subnets").Key(w.subnet)
			for _, on := range sortedSubnets(other) {
				os := other.Spec.Subnets[on]
				if p, err := netip.ParsePrefix(os.Subnet); err == nil && w.prefix.IsValid() && other.Spec.IPv4Namespace == vpc.Spec.IPv4Namespace && p.Masked().Overlaps(w.prefix) {
					b.Errorf(RecheckRule, at.Field("subnet"), "Subnet taken since the plan",
						"subnet %s of IPv4Namespace %s overlaps subnet %s (%s) of VPC %s, which %s holds now but did not when this run read the fabric: another workspace or person wrote it meanwhile%s. Nothing was written. Plan again: an address plan then picks a free value.",
						w.prefix, vpc.Spec.IPv4Namespace, on, os.Subnet, other.Metadata.Name, e.source.Name(), ownerNote(st))
				}
				if w.vlan != 0 && os.VLAN == w.vlan && other.Spec.VLANNamespace == vpc.Spec.VLANNamespace {
					b.Errorf(RecheckRule, at.Field("vlan"), "VLAN taken since the plan",
						"VLAN %d of VLANNamespace %s is used by subnet %s of VPC %s, which %s holds now but did not when this run read the fabric: another workspace or person wrote it meanwhile%s. Nothing was written. Plan again: an address plan then picks a free value.",
						w.vlan, vpc.Spec.VLANNamespace, on, other.Metadata.Name, e.source.Name(), ownerNote(st))
				}
			}
		}
	}
	return b.Out
}

// sameAddresses reports whether a and b put the same subnets and VLANs in the same namespaces.
func sameAddresses(a, b *fabric.VPC) bool {
	if a.Spec.IPv4Namespace != b.Spec.IPv4Namespace || a.Spec.VLANNamespace != b.Spec.VLANNamespace {
		return false
	}
	as, bs := sortedSubnets(a), sortedSubnets(b)
	if len(as) != len(bs) {
		return false
	}
	for i, n := range as {
		x, y := a.Spec.Subnets[n], b.Spec.Subnets[bs[i]]
		if n != bs[i] || x.Subnet != y.Subnet || x.VLAN != y.VLAN {
			return false
		}
	}
	return true
}

func ownerNote(st backend.State) string {
	if st.Owned && st.Owner != "" {
		return fmt.Sprintf(" (owner %q)", st.Owner)
	}
	return ""
}

func sortedSubnets(v *fabric.VPC) []string {
	out := make([]string, 0, len(v.Spec.Subnets))
	for k, s := range v.Spec.Subnets {
		if s != nil {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
