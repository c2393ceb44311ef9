package cascade

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// Reference index names of the View (referrer kind by referenced object).
const (
	idxAttByVPC        = "VPCAttachment.vpc"
	idxAttByConn       = "VPCAttachment.connection"
	idxAttByConnSubnet = "VPCAttachment.connection+subnet"
	idxAttNative       = "VPCAttachment.nativeVLAN"
	idxPeerByVPC       = "VPCPeering.vpc"
	idxExtPeerByVPC    = "ExternalPeering.vpc"
	idxExtPeerByExt    = "ExternalPeering.external"
	idxExtAttByExt     = "ExternalAttachment.external"
	idxExtAttByConn    = "ExternalAttachment.connection"
	idxConnBySwitch    = "Connection.switch"
	idxConnByServer    = "Connection.server"
	idxConnByWithinVPC = "Connection.withinVPC"
	idxVPCByIPv4NS     = "VPC.ipv4Namespace"
	idxVPCByVLANNS     = "VPC.vlanNamespace"
	idxVPCByRelay      = "VPC.relayVPC"
	idxExtByIPv4NS     = "External.ipv4Namespace"
	idxSwitchByVLANNS  = "Switch.vlanNamespace"
	idxSwitchByGroup   = "Switch.group"
	idxSwitchByProfile = "Switch.profile"
	idxSwitchByRedGrp  = "Switch.redundancyGroup"
)

type refKey struct{ idx, target string }

type subnetOwner struct {
	vpc, subnet string
	prefix      netip.Prefix
}

type vlanOwner struct{ vpc, subnet string }

type portUse struct{ port, conn string }

// portKey is a physical port: a device (switch, server or gateway) and a base port (a breakout lane's
// port, e.g. "E1/4" for "E1/4/2").
type portKey struct{ device, base string }

type ipOwner struct{ sw, field string }

// linkIPOwner is a connection using an address on one end of a fabric, mesh or gateway link.
type linkIPOwner struct {
	conn, typ, side string
	idx             int
}

// derived is what one object contributes to the indexes; kept so Remove can undo it exactly.
type derived struct {
	refs    []refKey
	subnets []struct {
		ns string
		o  subnetOwner
	}
	vlans []struct {
		ns   string
		vlan uint16
		o    vlanOwner
	}
	ports []struct{ sw, base, port string }
	ips   []struct {
		addr  netip.Addr
		field string
	}
	linkIPs []struct {
		addr netip.Addr
		o    linkIPOwner
	}
	asn    uint32
	hasASN bool
}

type entry struct {
	obj fabric.Object
	d   derived
	// planned is set for objects planned in this run (Upsert, Run) and clear for objects as read from
	// the fabric (NewView): an object read from the fabric may still be replaced by a later plan.
	planned bool
	// own is set for objects read from the fabric that carry this owner's mark (MarkOwn): this run may
	// still change or destroy them.
	own bool
}

// View is the fabric as the cascade sees it: objects already in the fabric plus objects planned in the
// same run. It keeps indexes that are updated incrementally on Upsert and Remove. All methods are safe
// for concurrent use. Objects are keyed by kind and name (only the Kubernetes namespace "default" is
// supported); objects stored in the view must not be modified afterwards (Upsert a new value instead).
type View struct {
	mu      *sync.RWMutex
	objs    map[string]map[string]*entry
	refs    map[refKey]map[string]struct{}
	subnets map[string]*prefixTrie            // IPv4Namespace → VPC subnets
	vlans   map[string]map[uint16][]vlanOwner // VLANNamespace → VLAN → VPC subnets
	ports   map[portKey][]portUse             // device (switch, server, gateway) and base port → uses
	ips     map[netip.Addr][]ipOwner          // switch management/protocol/VTEP IPs
	linkIPs map[netip.Addr][]linkIPOwner      // fabric, mesh and gateway link IPs
	asns    map[uint32][]string               // leaf ASN → switches
	// reserved holds, per VPC name, the subnets and VLANs an address plan reserved for it in this run
	// (PlanAddresses); they leave when the VPC is planned.
	reserved map[string]*derived
	// claimedSubnets and claimedVLANs are literal values of VPCs not fully known at validate (Claim).
	claimedSubnets []netip.Prefix
	claimedVLANs   map[uint16]bool
	// partial, when set, says why the view may lack objects that exist (set before first use).
	partial string
	// deferOwn is set on the handle Deferring returns: conflicts with an object of this owner that
	// this run has not planned yet are left to that object's own plan (see Deferring).
	deferOwn bool
}

// Deferring returns a handle on the same view for plan-time checks of "the fabric after this plan".
// Through it, a conflict (an overlapping subnet, a reused VLAN, a port, a link IP, an address, an ASN, a
// duplicate attachment) with an object that was read from the fabric, carries this owner's mark and has
// not been planned in this run yet is not reported: Terraform plans every resource of the state, so that
// object is either destroyed by this plan (and leaves the view) or planned later, when it is checked
// against this one and reports the conflict itself. Existence checks and delete protections of planned
// objects are unaffected.
func (v *View) Deferring() *View {
	c := *v
	c.deferOwn = true
	return &c
}

// MarkOwn marks the objects read from the fabric that carry this owner's mark (before the view is
// shared). See Deferring.
func (v *View) MarkOwn(kind, name string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if e := v.objs[kind][name]; e != nil && !e.planned {
		e.own = true
	}
}

// IsOwn reports whether the object was read from the fabric with this owner's mark (MarkOwn) or was
// planned or written in this run.
func (v *View) IsOwn(kind, name string) bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	e := v.objs[kind][name]
	return e != nil && (e.own || e.planned)
}

// deferred reports whether a conflict with the object is left to its own plan (see Deferring). The
// caller holds the lock.
func (v *View) deferred(kind, name string) bool {
	if !v.deferOwn {
		return false
	}
	e := v.objs[kind][name]
	return e != nil && e.own && !e.planned
}

// SetPartial marks the view as possibly incomplete (why says why): existence checks then warn instead of
// failing. Call it before the view is shared.
func (v *View) SetPartial(why string) { v.partial = why }

// NewView returns a view holding objs.
func NewView(objs ...fabric.Object) *View {
	v := &View{
		mu:      &sync.RWMutex{},
		objs:    map[string]map[string]*entry{},
		refs:    map[refKey]map[string]struct{}{},
		subnets: map[string]*prefixTrie{},
		vlans:   map[string]map[uint16][]vlanOwner{},
		ports:   map[portKey][]portUse{},
		ips:     map[netip.Addr][]ipOwner{},
		linkIPs: map[netip.Addr][]linkIPOwner{},
		asns:    map[uint32][]string{},
		// (made here, not on first use: Deferring copies the struct, and the copy must share it)
		reserved:     map[string]*derived{},
		claimedVLANs: map[uint16]bool{},
	}
	for _, o := range objs {
		v.upsert(o, false)
	}
	return v
}

// Upsert adds obj or replaces the object of the same kind and name. The object counts as planned in
// this run (NewView holds the objects as read from the fabric).
func (v *View) Upsert(obj fabric.Object) {
	if obj == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.upsert(obj, true)
}

// UpsertDeclared adds an object the configuration declares but the run has not planned yet: references to
// it resolve, and conflicts with it are left to its own plan, like those with this owner's objects read
// from the fabric (see Deferring). A plan that destroys it instead (terraform plan -destroy) is not blocked
// by it either.
func (v *View) UpsertDeclared(obj fabric.Object) {
	if obj == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.upsert(obj, false)
	v.objs[obj.GetKind()][obj.Meta().Name].own = true
}

// Has reports whether the view holds an object of kind and name.
func (v *View) Has(kind, name string) bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.objs[kind][name] != nil
}

// Remove deletes the object of kind and name, if present.
func (v *View) Remove(kind, name string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if e := v.objs[kind][name]; e != nil {
		v.unindex(name, &e.d)
		delete(v.objs[kind], name)
	}
}

// Get returns the object of kind and name, or nil.
func (v *View) Get(kind, name string) fabric.Object {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.get(kind, name)
}

// List returns the objects of kind, sorted by name.
func (v *View) List(kind string) []fabric.Object {
	v.mu.RLock()
	defer v.mu.RUnlock()
	m := v.objs[kind]
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]fabric.Object, len(names))
	for i, n := range names {
		out[i] = m[n].obj
	}
	return out
}

// Len returns the number of objects in the view.
func (v *View) Len() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	n := 0
	for _, m := range v.objs {
		n += len(m)
	}
	return n
}

func (v *View) get(kind, name string) fabric.Object {
	if e := v.objs[kind][name]; e != nil {
		return e.obj
	}
	return nil
}

// getPlanned returns the object of kind and name if it was planned in this run, else nil.
func (v *View) getPlanned(kind, name string) fabric.Object {
	if e := v.objs[kind][name]; e != nil && e.planned {
		return e.obj
	}
	return nil
}

// referrers returns the sorted names of objects indexed under idx for target.
func (v *View) referrers(idx, target string) []string {
	m := v.refs[refKey{idx, target}]
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (v *View) upsert(obj fabric.Object, planned bool) {
	kind, name := obj.GetKind(), obj.Meta().Name
	m := v.objs[kind]
	if m == nil {
		m = map[string]*entry{}
		v.objs[kind] = m
	}
	if old := m[name]; old != nil {
		v.unindex(name, &old.d)
	}
	if kind == fabric.KindVPC {
		v.dropReservations(name)
	}
	e := &entry{obj: obj, d: derive(obj), planned: planned}
	m[name] = e
	v.index(name, &e.d)
}

func (v *View) index(name string, d *derived) {
	for _, r := range d.refs {
		s := v.refs[r]
		if s == nil {
			s = map[string]struct{}{}
			v.refs[r] = s
		}
		s[name] = struct{}{}
	}
	for _, s := range d.subnets {
		t := v.subnets[s.ns]
		if t == nil {
			t = &prefixTrie{}
			v.subnets[s.ns] = t
		}
		t.insert(s.o)
	}
	for _, s := range d.vlans {
		m := v.vlans[s.ns]
		if m == nil {
			m = map[uint16][]vlanOwner{}
			v.vlans[s.ns] = m
		}
		m[s.vlan] = append(m[s.vlan], s.o)
	}
	for _, p := range d.ports {
		k := portKey{p.sw, p.base}
		v.ports[k] = append(v.ports[k], portUse{port: p.port, conn: name})
	}
	for _, ip := range d.ips {
		v.ips[ip.addr] = append(v.ips[ip.addr], ipOwner{sw: name, field: ip.field})
	}
	for _, l := range d.linkIPs {
		v.linkIPs[l.addr] = append(v.linkIPs[l.addr], l.o)
	}
	if d.hasASN {
		v.asns[d.asn] = append(v.asns[d.asn], name)
	}
}

func (v *View) unindex(name string, d *derived) {
	for _, r := range d.refs {
		if s := v.refs[r]; s != nil {
			delete(s, name)
			if len(s) == 0 {
				delete(v.refs, r)
			}
		}
	}
	for _, s := range d.subnets {
		if t := v.subnets[s.ns]; t != nil {
			t.remove(s.o)
		}
	}
	for _, s := range d.vlans {
		if m := v.vlans[s.ns]; m != nil {
			m[s.vlan] = removeFirst(m[s.vlan], func(o vlanOwner) bool { return o == s.o })
			if len(m[s.vlan]) == 0 {
				delete(m, s.vlan)
			}
		}
	}
	for _, p := range d.ports {
		k := portKey{p.sw, p.base}
		v.ports[k] = removeFirst(v.ports[k], func(u portUse) bool { return u.port == p.port && u.conn == name })
		if len(v.ports[k]) == 0 {
			delete(v.ports, k)
		}
	}
	for _, ip := range d.ips {
		v.ips[ip.addr] = removeFirst(v.ips[ip.addr], func(o ipOwner) bool { return o.sw == name && o.field == ip.field })
		if len(v.ips[ip.addr]) == 0 {
			delete(v.ips, ip.addr)
		}
	}
	for _, l := range d.linkIPs {
		v.linkIPs[l.addr] = removeFirst(v.linkIPs[l.addr], func(o linkIPOwner) bool { return o == l.o })
		if len(v.linkIPs[l.addr]) == 0 {
			delete(v.linkIPs, l.addr)
		}
	}
	if d.hasASN {
		v.asns[d.asn] = removeFirst(v.asns[d.asn], func(s string) bool { return s == name })
		if len(v.asns[d.asn]) == 0 {
			delete(v.asns, d.asn)
		}
	}
}

func removeFirst[T any](s []T, match func(T) bool) []T {
	for i := range s {
		if match(s[i]) {
			return append(s[:i:i], s[i+1:]...)
		}
	}
	return s
}

// derive computes the index contributions of one object.
func derive(obj fabric.Object) derived {
	var d derived
	ref := func(idx, target string) {
		if target != "" {
			d.refs = append(d.refs, refKey{idx, target})
		}
	}
	switch o := obj.(type) {
	case *fabric.VPC:
		name := o.Metadata.Name
		ref(idxVPCByIPv4NS, o.Spec.IPv4Namespace)
		ref(idxVPCByVLANNS, o.Spec.VLANNamespace)
		for sn, s := range o.Spec.Subnets {
			if s == nil {
				continue
			}
			if s.DHCP != nil && s.DHCP.RelayVPC != "" {
				ref(idxVPCByRelay, s.DHCP.RelayVPC)
			}
			if p, err := netip.ParsePrefix(s.Subnet); err == nil && p.Addr().Is4() {
				d.subnets = append(d.subnets, struct {
					ns string
					o  subnetOwner
				}{o.Spec.IPv4Namespace, subnetOwner{vpc: name, subnet: sn, prefix: p.Masked()}})
			}
			if s.VLAN != 0 {
				d.vlans = append(d.vlans, struct {
					ns   string
					vlan uint16
					o    vlanOwner
				}{o.Spec.VLANNamespace, s.VLAN, vlanOwner{vpc: name, subnet: sn}})
			}
		}
	case *fabric.VPCAttachment:
		vpc, sub := fabric.VPCSubnetName(o.Spec.Subnet)
		ref(idxAttByVPC, vpc)
		ref(idxAttByConn, o.Spec.Connection)
		ref(idxAttByConnSubnet, o.Spec.Connection+"|"+vpc+"/"+sub)
		if o.Spec.NativeVLAN {
			ref(idxAttNative, o.Spec.Connection)
		}
	case *fabric.VPCPeering:
		for _, p := range o.Spec.Permit {
			for vpc := range p {
				ref(idxPeerByVPC, vpc)
			}
		}
	case *fabric.ExternalPeering:
		if p := o.Spec.Permit; p != nil {
			if p.VPC != nil {
				ref(idxExtPeerByVPC, p.VPC.Name)
			}
			if p.External != nil {
				ref(idxExtPeerByExt, p.External.Name)
			}
		}
	case *fabric.ExternalAttachment:
		ref(idxExtAttByExt, o.Spec.External)
		ref(idxExtAttByConn, o.Spec.Connection)
	case *fabric.External:
		ref(idxExtByIPv4NS, o.Spec.IPv4Namespace)
	case *fabric.Connection:
		eps := connEndpoints(o)
		d.ports = make([]struct{ sw, base, port string }, 0, len(eps))
		seenSrv := map[string]bool{}
		for _, e := range eps {
			if e.server && !seenSrv[e.device] {
				seenSrv[e.device] = true
				ref(idxConnByServer, e.device)
			}
			// Every port, on switches, servers and gateways alike, belongs to one connection only.
			base, _ := basePort(e.port)
			d.ports = append(d.ports, struct{ sw, base, port string }{e.device, base, e.port})
		}
		for _, l := range connLinkIPs(o) {
			d.linkIPs = append(d.linkIPs, struct {
				addr netip.Addr
				o    linkIPOwner
			}{l.addr, linkIPOwner{conn: o.Metadata.Name, typ: l.typ, side: l.side, idx: l.idx}})
		}
		for _, sw := range connSwitches(eps) {
			ref(idxConnBySwitch, sw)
		}
		if se := o.Spec.StaticExternal; se != nil {
			ref(idxConnByWithinVPC, se.WithinVPC)
		}
	case *fabric.Switch:
		s := &o.Spec
		for _, ns := range s.VLANNamespaces {
			ref(idxSwitchByVLANNS, ns)
		}
		for _, g := range s.Groups {
			ref(idxSwitchByGroup, g)
		}
		ref(idxSwitchByProfile, s.Profile)
		if s.Redundancy != nil {
			ref(idxSwitchByRedGrp, s.Redundancy.Group)
		}
		for _, f := range [...]struct{ field, val string }{{"ip", s.IP}, {"protocolIP", s.ProtocolIP}, {"vtepIP", s.VTEPIP}} {
			if a, ok := parseIP(f.val); ok {
				d.ips = append(d.ips, struct {
					addr  netip.Addr
					field string
				}{a, f.field})
			}
		}
		if isLeaf(s.Role) && s.ASN != 0 {
			d.asn, d.hasASN = s.ASN, true
		}
	}
	return d
}

// prefixTrie is a binary trie of IPv4 prefixes: insert/remove in O(32), overlap queries visit only the
// prefixes that contain or are contained in the query.
type prefixTrie struct{ root trieNode }

type trieNode struct {
	child  [2]*trieNode
	owners []subnetOwner
}

func bitAt(a [4]byte, i int) int { return int(a[i/8]>>(7-uint(i%8))) & 1 }

func (t *prefixTrie) insert(o subnetOwner) {
	a := o.prefix.Addr().As4()
	n := &t.root
	for i := 0; i < o.prefix.Bits(); i++ {
		b := bitAt(a, i)
		if n.child[b] == nil {
			n.child[b] = &trieNode{}
		}
		n = n.child[b]
	}
	n.owners = append(n.owners, o)
}

func (t *prefixTrie) remove(o subnetOwner) {
	a := o.prefix.Addr().As4()
	n := &t.root
	for i := 0; i < o.prefix.Bits() && n != nil; i++ {
		n = n.child[bitAt(a, i)]
	}
	if n != nil {
		n.owners = removeFirst(n.owners, func(x subnetOwner) bool { return x == o })
	}
}

// overlaps calls fn for every stored prefix overlapping p, until fn returns false.
func (t *prefixTrie) overlaps(p netip.Prefix, fn func(subnetOwner) bool) {
	if !p.Addr().Is4() {
		return
	}
	a := p.Masked().Addr().As4()
	n := &t.root
	for i := 0; ; i++ {
		for _, o := range n.owners {
			if !fn(o) {
				return
			}
		}
		if i == p.Bits() {
			break
		}
		n = n.child[bitAt(a, i)]
		if n == nil {
			return
		}
	}
	// n is the node of p itself (its owners were visited): visit the subtree below it.
	var walk func(*trieNode) bool
	walk = func(x *trieNode) bool {
		for _, c := range x.child {
			if c == nil {
				continue
			}
			for _, o := range c.owners {
				if !fn(o) {
					return false
				}
			}
			if !walk(c) {
				return false
			}
		}
		return true
	}
	walk(n)
}

// maxSkippedListed caps the undecodable objects a Collector's note names one by one.
const maxSkippedListed = 10

// Collector decodes and defaults fabric objects as a backend lists them, for NewView. An object that does
// not decode is not dropped silently: Skipped names it (kind, name and the error) and Note says so.
type Collector struct {
	Objects []fabric.Object
	Skipped []string
}

// Add decodes one listed manifest of kind (name is the name the backend listed it under).
func (c *Collector) Add(kind, name string, manifest map[string]any) {
	o, err := fabric.FromUnstructured(manifest)
	if err != nil {
		if md, ok := manifest["metadata"].(map[string]any); ok {
			if n, ok := md["name"].(string); ok && n != "" {
				name = n
			}
		}
		c.Skipped = append(c.Skipped, fmt.Sprintf("%s %q (%v)", kind, name, err))
		return
	}
	fabric.Default(o)
	c.Objects = append(c.Objects, o)
}

// Note returns a warning naming the objects read from source that did not decode ("" when all did).
func (c *Collector) Note(source string) string {
	if len(c.Skipped) == 0 {
		return ""
	}
	list := slices.Clone(c.Skipped)
	slices.Sort(list)
	more := ""
	if len(list) > maxSkippedListed {
		list, more = list[:maxSkippedListed], fmt.Sprintf("; and %d more", len(list)-maxSkippedListed)
	}
	return fmt.Sprintf("%d object(s) in %s do not decode as fabric objects and are left out of the fabric view, so cross-resource checks and delete protections do not see them: %s%s. Fix or remove them in %s.",
		len(c.Skipped), source, strings.Join(list, "; "), more, source)
}
