package spec

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// portRef is one "<device>/<port>" of a connection with enough to rebuild its path on demand.
type portRef struct {
	port string
	typ  string // link type field, e.g. "bundled"
	list string // "links", "link", "peerLinks" or "sessionLinks"
	idx  int    // index in list, -1 for a single link
	side string // "server", "switch", "spine", ...
}

func (r portRef) path() diag.Path {
	p := diag.F("spec", r.typ, r.list)
	if r.idx >= 0 {
		p = p.Index(r.idx)
	}
	return p.Field(r.side).Field("port")
}

// connChecker gathers the ports and link IPs of one Connection.
type connChecker struct {
	b       *diag.Builder
	buf     [16]portRef
	ports   []portRef
	ipBuf   [16]linkIPRef
	linkIPs []linkIPRef
}

// linkIPRef is one parsed link IP of a fabric, mesh or gateway link.
type linkIPRef struct {
	addr netip.Addr
	typ  string
	idx  int
	side string
}

func (c *connChecker) add(port, typ, list string, idx int, side string) {
	c.ports = append(c.ports, portRef{port: port, typ: typ, list: list, idx: idx, side: side})
}

func device(port string) string {
	d, _, _ := strings.Cut(port, "/")
	return d
}

// distinct returns the number of distinct strings in s (s is sorted in place).
func distinct(s []string) int {
	sortStrings(s)
	n := 0
	for i := range s {
		if i == 0 || s[i] != s[i-1] {
			n++
		}
	}
	return n
}

// firstOther returns the index of the first element of s that differs from s[0] (0 when none does).
func firstOther(s []string) int {
	for i := range s {
		if s[i] != s[0] {
			return i
		}
	}
	return 0
}

// nthNew returns the index of the element of s that is the (n+1)-th distinct value, or -1 when s has at
// most n distinct values.
func nthNew(s []string, n int) int {
	seen := 0
	for i := range s {
		if slices.Index(s[:i], s[i]) < 0 {
			seen++
			if seen > n {
				return i
			}
		}
	}
	return -1
}

// pairPath checks the links of a connection between exactly two devices, one on side a (devices as) and
// one on side b (devices bs), listed per link. It returns the path of the first port at fault: the first
// link whose a-side or b-side device differs from link #0's, or link #0's b-side port when both sides
// are the same device.
func pairPath(typ string, as, bs []string, a, b string) (diag.Path, bool) {
	if len(as) == 0 {
		return nil, false
	}
	links := diag.F("spec", typ, "links")
	if i := firstOther(as); i > 0 {
		return links.Index(i).Field(a).Field("port"), true
	}
	if i := firstOther(bs); i > 0 {
		return links.Index(i).Field(b).Field("port"), true
	}
	if as[0] == bs[0] {
		return links.Index(0).Field(b).Field("port"), true
	}
	return nil, false
}

// sortStrings is an insertion sort: the lists here are short and this keeps them on the stack.
func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func validateConnection(b *diag.Builder, o *fabric.Connection) {
	s := &o.Spec
	c := &connChecker{b: b}
	c.ports = c.buf[:0]
	c.linkIPs = c.ipBuf[:0]

	types, first := 0, ""
	for _, lt := range [...]struct {
		field string
		set   bool
	}{{"unbundled", s.Unbundled != nil}, {"bundled", s.Bundled != nil}, {"eslag", s.ESLAG != nil}, {"mclag", s.MCLAG != nil},
		{"mclagDomain", s.MCLAGDomain != nil}, {"fabric", s.Fabric != nil}, {"mesh", s.Mesh != nil}, {"gateway", s.Gateway != nil},
		{"vpcLoopback", s.VPCLoopback != nil}, {"external", s.External != nil}, {"staticExternal", s.StaticExternal != nil}} {
		if !lt.set {
			continue
		}
		types++
		if types == 1 {
			first = lt.field
			continue
		}
		// The finding sits on every link type beyond the first (in the CRD's order).
		b.Errorf("connection.link-type", diag.F("spec", lt.field), "a Connection needs exactly one link type",
			"the Connection sets %s besides %s; set exactly one of unbundled, bundled, eslag, mclag, mclagDomain, fabric, mesh, gateway, vpcLoopback, external, staticExternal (a Connection with two link types is refused).", lt.field, first)
	}
	if types == 0 {
		b.Errorf("connection.link-type", diag.F("spec"), "a Connection needs exactly one link type",
			"the Connection sets 0 link types; set exactly one of unbundled, bundled, eslag, mclag, mclagDomain, fabric, mesh, gateway, vpcLoopback, external, staticExternal.")
	}

	if u := s.Unbundled; u != nil {
		c.add(u.Link.Server.Port, "unbundled", "link", -1, "server")
		c.add(u.Link.Switch.Port, "unbundled", "link", -1, "switch")
	}
	if l := s.Bundled; l != nil {
		c.serverLinks("bundled", l.Links, 1, 1, 1)
	}
	if l := s.ESLAG; l != nil {
		c.serverLinks("eslag", l.Links, 2, 1, 4)
	}
	if l := s.MCLAG; l != nil {
		b.Warnf("connection.mclag.deprecated", diag.F("spec", "mclag"), "MCLAG is deprecated",
			"the fabric no longer supports MCLAG connections; use an ESLAG connection instead.")
		c.serverLinks("mclag", l.Links, 2, 2, 2)
	}
	if l := s.MCLAGDomain; l != nil {
		b.Warnf("connection.mclag.deprecated", diag.F("spec", "mclagDomain"), "MCLAG is deprecated",
			"the fabric no longer supports MCLAG domains; use ESLAG redundancy instead.")
		c.switchLinks("mclagDomain", "peerLinks", l.PeerLinks, 2)
		c.switchLinks("mclagDomain", "sessionLinks", l.SessionLinks, 2)
	}
	if l := s.VPCLoopback; l != nil {
		c.switchLinks("vpcLoopback", "links", l.Links, 1)
	}
	if f := s.Fabric; f != nil {
		c.requireLinks("fabric", len(f.Links), 1)
		var a, z [8]string
		spines, leaves := a[:0], z[:0]
		for i, l := range f.Links {
			c.add(l.Spine.Port, "fabric", "links", i, "spine")
			c.add(l.Leaf.Port, "fabric", "links", i, "leaf")
			spines, leaves = append(spines, device(l.Spine.Port)), append(leaves, device(l.Leaf.Port))
			c.ipPair("fabric", i, "spine", l.Spine.IP, "leaf", l.Leaf.IP, false)
		}
		if p, bad := pairPath("fabric", spines, leaves, "spine", "leaf"); bad {
			b.Errorf("connection.fabric.switches", p, "a fabric connection joins one spine and one leaf",
				"all links of a fabric connection must run between the same spine and the same leaf; split links to other switches into their own Connection.")
		}
	}
	if m := s.Mesh; m != nil {
		c.requireLinks("mesh", len(m.Links), 1)
		var a, z [8]string
		l1s, l2s := a[:0], z[:0]
		for i, l := range m.Links {
			c.add(l.Leaf1.Port, "mesh", "links", i, "leaf1")
			c.add(l.Leaf2.Port, "mesh", "links", i, "leaf2")
			l1s, l2s = append(l1s, device(l.Leaf1.Port)), append(l2s, device(l.Leaf2.Port))
			c.ipPair("mesh", i, "leaf1", l.Leaf1.IP, "leaf2", l.Leaf2.IP, false)
		}
		if p, bad := pairPath("mesh", l1s, l2s, "leaf1", "leaf2"); bad {
			b.Errorf("connection.mesh.switches", p, "a mesh connection joins two leaves",
				"all links of a mesh connection must run between the same two leaves; split links to other switches into their own Connection.")
		}
	}
	if g := s.Gateway; g != nil {
		c.requireLinks("gateway", len(g.Links), 1)
		var a [8]string
		sws := a[:0]
		for i, l := range g.Links {
			c.add(l.Switch.Port, "gateway", "links", i, "switch")
			c.add(l.Gateway.Port, "gateway", "links", i, "gateway")
			sws = append(sws, device(l.Switch.Port))
			c.ipPair("gateway", i, "switch", l.Switch.IP, "gateway", l.Gateway.IP, true)
		}
		if i := firstOther(sws); i > 0 {
			b.Errorf("connection.gateway.switches", diag.F("spec", "gateway", "links").Index(i).Field("switch").Field("port"), "a gateway connection uses one switch",
				"all links of a gateway connection must start on the same switch.")
		}
	}
	if e := s.External; e != nil {
		c.add(e.Link.Switch.Port, "external", "link", -1, "switch")
	}
	if se := s.StaticExternal; se != nil {
		c.add(se.Link.Switch.Port, "staticExternal", "link", -1, "switch")
		validateStaticExternal(b, &se.Link.Switch)
	}
	c.checkPorts()
	c.checkLinkIPs()
}

// checkLinkIPs reports a link IP address used twice in the connection (on two links, or on both ends of
// one link, which ipPair already reports). The fabric keeps link IPs unique across the whole fabric; the
// cross stage checks the other connections.
func (c *connChecker) checkLinkIPs() {
	ips := c.linkIPs
	for i := 1; i < len(ips); i++ {
		for j := 0; j < i; j++ {
			if ips[i].addr != ips[j].addr || ips[i].idx == ips[j].idx {
				continue
			}
			c.b.Errorf("connection.link-ip.unique", diag.F("spec", ips[i].typ, "links").Index(ips[i].idx).Field(ips[i].side).Field("ip"), "link IP is used twice in the connection",
				"%s IP %s of link #%d is also the %s IP of link #%d; every link IP of the fabric must be unique.", ips[i].side, ips[i].addr, ips[i].idx, ips[j].side, ips[j].idx)
			break
		}
	}
}

func (c *connChecker) requireLinks(typ string, n, min int) {
	if n < min {
		c.b.Errorf("connection."+typ+".links", diag.F("spec", typ, "links"), "too few links",
			"a %s connection needs at least %d link(s) but has %d.", typ, min, n)
	}
}

// serverLinks checks server-to-switch links: at least minLinks links, one server, and between
// minSw and maxSw switches.
func (c *connChecker) serverLinks(typ string, links []fabric.ServerToSwitchLink, minLinks, minSw, maxSw int) {
	c.requireLinks(typ, len(links), minLinks)
	var a, z [8]string
	servers, switches := a[:0], z[:0]
	for i, l := range links {
		c.add(l.Server.Port, typ, "links", i, "server")
		c.add(l.Switch.Port, typ, "links", i, "switch")
		servers, switches = append(servers, device(l.Server.Port)), append(switches, device(l.Switch.Port))
	}
	if len(links) == 0 {
		return
	}
	if i := firstOther(servers); i > 0 {
		c.b.Errorf("connection."+typ+".server", diag.F("spec", typ, "links").Index(i).Field("server").Field("port"), "links must come from one server",
			"all links of a %s connection must come from the same server; use one Connection per server (link #%d comes from %s, link #0 from %s).", typ, i, servers[i], servers[0])
	}
	// Too many switches: the finding sits on the port of the link that reaches one switch too many;
	// too few: on the list of links.
	swPath := diag.F("spec", typ, "links")
	if i := nthNew(switches, maxSw); i >= 0 {
		swPath = swPath.Index(i).Field("switch").Field("port")
	}
	if n := distinct(switches); n < minSw || n > maxSw {
		want := "exactly one switch"
		switch {
		case minSw != maxSw:
			want = "1 to 4 switches"
		case minSw == 2:
			want = "exactly two switches"
		}
		c.b.Errorf("connection."+typ+".switches", swPath, "wrong number of switches",
			"the links of this %s connection reach %d switch(es); a %s connection uses %s.", typ, n, typ, want)
	}
}

// switchLinks checks switch-to-switch links spanning exactly wantSw switches.
func (c *connChecker) switchLinks(typ, list string, links []fabric.SwitchToSwitchLink, wantSw int) {
	if len(links) < 1 {
		c.b.Errorf("connection."+typ+".links", diag.F("spec", typ, list), "too few links",
			"a %s connection needs at least one entry in %s.", typ, list)
		return
	}
	var a [16]string
	sws := a[:0]
	for i, l := range links {
		c.add(l.Switch1.Port, typ, list, i, "switch1")
		c.add(l.Switch2.Port, typ, list, i, "switch2")
		sws = append(sws, device(l.Switch1.Port), device(l.Switch2.Port))
	}
	// Too many switches: the finding sits on the port that reaches one switch too many; too few: on the list.
	p := diag.F("spec", typ, list)
	if j := nthNew(sws, wantSw); j >= 0 {
		p = p.Index(j / 2).Field([...]string{"switch1", "switch2"}[j%2]).Field("port")
	}
	if n := distinct(sws); n != wantSw {
		c.b.Errorf("connection."+typ+".switches", p, "wrong number of switches",
			"the %s of this %s connection reach %d switch(es); it must use exactly %d.", list, typ, n, wantSw)
	}
}

// ipPair checks the IPs of both ends of a point-to-point link: each an IPv4 /31, both in the same /31
// and different. With required false, both may be empty (an unnumbered link).
func (c *connChecker) ipPair(typ string, i int, sideA, ipA, sideB, ipB string, required bool) {
	path := func(side string) diag.Path { return diag.F("spec", typ, "links").Index(i).Field(side).Field("ip") }
	if ipA == "" || ipB == "" {
		if ipA == "" && ipB == "" && !required {
			return
		}
		side := sideA
		if ipA != "" {
			side = sideB
		}
		hint := " (gateway links cannot be unnumbered)"
		if !required {
			hint = " or on neither for an unnumbered link"
		}
		c.b.Errorf("connection.link-ip.required", path(side), "link IP is missing",
			"link #%d of the %s connection has no %s IP; set a /31 on both ends of the link%s.", i, typ, side, hint)
		return
	}
	pa, okA := c.linkIP(typ, i, sideA, ipA)
	pb, okB := c.linkIP(typ, i, sideB, ipB)
	if okA && okB && (pa.Masked() != pb.Masked() || pa.Addr() == pb.Addr()) {
		c.b.Errorf("connection.link-ip.pair", path(sideB), "link IPs are not a /31 pair",
			"link #%d of the %s connection: %s IP %s and %s IP %s must be the two different addresses of one /31.", i, typ, sideA, ipA, sideB, ipB)
	}
}

func (c *connChecker) linkIP(typ string, i int, side, ip string) (netip.Prefix, bool) {
	pr, ok := parsePrefix4(ip)
	path := func() diag.Path { return diag.F("spec", typ, "links").Index(i).Field(side).Field("ip") }
	switch {
	case !ok:
		c.b.Errorf("connection.link-ip.cidr", path(), "link IP is not an IPv4 CIDR",
			"link #%d of the %s connection: %s IP %q must be an IPv4 address with prefix length, e.g. 172.30.128.0/31.", i, typ, side, ip)
		return pr, false
	case pr.Bits() != 31:
		c.b.Errorf("connection.link-ip.slash31", path(), "link IP is not a /31",
			"link #%d of the %s connection: %s IP %s has prefix length %d; point-to-point links use /31.", i, typ, side, ip, pr.Bits())
		return pr, false
	}
	c.linkIPs = append(c.linkIPs, linkIPRef{addr: pr.Addr(), typ: typ, idx: i, side: side})
	return pr, true
}

// checkPorts checks every port is "<device>/<port>" and used once in the connection.
func (c *connChecker) checkPorts() {
	for _, r := range c.ports {
		if !isPort(r.port) {
			c.b.Errorf("connection.port.format", r.path(), "port is not written <device>/<port>",
				"port %q must name the device and its port, e.g. \"leaf-01/E1/1\".", r.port)
		}
	}
	ps := c.ports
	for i := 1; i < len(ps); i++ { // insertion sort by port name, stable for equal names
		for j := i; j > 0 && ps[j].port < ps[j-1].port; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].port != "" && ps[i].port == ps[i-1].port {
			c.b.Errorf("connection.port.unique", ps[i].path(), "port is used twice in the connection",
				"port %q appears more than once in this Connection; each port can carry only one link.", ps[i].port)
		}
	}
	// A whole port and its first breakout lane are one port ("E1/4" aliases "E1/4/1"): the finding sits on
	// the lane.
	for i := range ps {
		for j := range ps {
			if isFirstLaneOf(ps[i].port, ps[j].port) {
				c.b.Errorf("connection.port.unique", ps[i].path(), "port is used twice in the connection",
					"port %q is the first breakout lane of %q, which this Connection also uses; the two names are one port, which can carry only one link.", ps[i].port, ps[j].port)
			}
		}
	}
}

// isFirstLaneOf reports whether lane ("leaf-1/E1/4/1") is the first breakout lane of whole ("leaf-1/E1/4").
func isFirstLaneOf(lane, whole string) bool {
	return strings.Count(whole, "/") == 2 && len(lane) == len(whole)+2 && strings.HasPrefix(lane, whole) && strings.HasSuffix(lane, "/1")
}

func validateStaticExternal(b *diag.Builder, sw *fabric.ConnStaticExternalLinkSwitch) {
	base := func() diag.Path { return diag.F("spec", "staticExternal", "link", "switch") }
	ipNet, ipOK := parsePrefix4(sw.IP)
	if !ipOK {
		b.Errorf("connection.static-external.ip", base().Field("ip"), "ip is not an IPv4 CIDR",
			"the static external switch ip %q must be an IPv4 address with prefix length, e.g. 172.31.0.1/24.", sw.IP)
	}
	nh, nhOK := parseAddr4(sw.NextHop)
	switch {
	case !nhOK:
		b.Errorf("connection.static-external.next-hop", base().Field("nextHop"), "nextHop is not an IPv4 address",
			"nextHop %q must be an IPv4 address inside the switch ip's subnet.", sw.NextHop)
	case ipOK && !ipNet.Masked().Contains(nh):
		b.Errorf("connection.static-external.next-hop-inside", base().Field("nextHop"), "nextHop is outside the switch ip's subnet",
			"nextHop %s is not inside %s, so the switch cannot reach it directly; pick a next hop on the link's subnet.", sw.NextHop, ipNet.Masked())
	}
	if sw.VLAN > maxVLAN {
		b.Errorf("connection.static-external.vlan", base().Field("vlan"), "VLAN is out of range",
			"vlan %d is not in 1-4094 (0 means untagged).", sw.VLAN)
	}
	var buf [16]span
	spans := buf[:0]
	for i, s := range sw.Subnets {
		path := func() diag.Path { return base().Field("subnets").Index(i) }
		p, ok := parsePrefix4(s)
		if !ok {
			b.Errorf("connection.static-external.subnet-cidr", path(), "subnet is not an IPv4 CIDR",
				"subnet #%d %q must be an IPv4 CIDR such as 10.99.0.0/16.", i, s)
			continue
		}
		if p.Bits() == 0 {
			if len(sw.Subnets) > 1 {
				b.Errorf("connection.static-external.default-alone", path(), "0.0.0.0/0 must be the only subnet",
					"the default route 0.0.0.0/0 already covers every subnet; list it alone or list specific subnets.")
			}
			if !isCanonical(p) {
				b.Errorf("connection.static-external.subnet-canonical", path(), "subnet is not canonical",
					"subnet #%d %s has host bits set; use 0.0.0.0/0.", i, s)
			}
			continue
		}
		if !isCanonical(p) {
			b.Errorf("connection.static-external.subnet-canonical", path(), "subnet is not canonical",
				"subnet #%d %s has host bits set (inconsistent IP address and mask); use %s.", i, s, p.Masked())
		}
		lo, hi := bounds(p)
		spans = append(spans, span{lo: lo, hi: hi, idx: i})
	}
	for _, pr := range overlapPairs(spans) {
		b.Errorf("connection.static-external.subnet-overlap", base().Field("subnets").Index(pr[1]), "subnet overlaps another subnet",
			"subnet %s overlaps %s; the static routes of one connection must not overlap.", sw.Subnets[pr[1]], sw.Subnets[pr[0]])
	}
}
