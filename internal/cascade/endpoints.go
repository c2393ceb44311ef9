package cascade

import (
	"net/netip"
	"strings"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// endpoint is one "<device>/<port>" reference of a connection. Its path is built on demand.
type endpoint struct {
	field, list, side string // spec.<field>.<list>[idx].<side>.port
	idx               int    // -1 for a single link
	device            string
	port              string
	server            bool // the device is a Server (else a Switch, or a gateway for gateway links)
	other             bool // the device is neither a switch nor a server (gateway side)
}

// path returns the manifest path of the endpoint's port field.
func (e *endpoint) path() diag.Path {
	p := make(diag.Path, 0, 6)
	p = append(p, diag.Step{Field: "spec"}, diag.Step{Field: e.field}, diag.Step{Field: e.list})
	if e.idx >= 0 {
		p = append(p, diag.Step{Index: e.idx, IsIndex: true})
	}
	return append(p, diag.Step{Field: e.side}, diag.Step{Field: "port"})
}

// splitPort splits "device/E1/4" into "device" and "E1/4".
func splitPort(s string) (string, string) {
	i := strings.IndexByte(s, '/')
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i+1:]
}

// linkType returns the single link type of a connection ("" if none; the first if several).
func linkType(c *fabric.Connection) string {
	s := &c.Spec
	switch {
	case s.Unbundled != nil:
		return fabric.LinkUnbundled
	case s.Bundled != nil:
		return fabric.LinkBundled
	case s.MCLAG != nil:
		return fabric.LinkMCLAG
	case s.ESLAG != nil:
		return fabric.LinkESLAG
	case s.MCLAGDomain != nil:
		return fabric.LinkMCLAGDomain
	case s.Fabric != nil:
		return fabric.LinkFabric
	case s.Mesh != nil:
		return fabric.LinkMesh
	case s.Gateway != nil:
		return fabric.LinkGateway
	case s.VPCLoopback != nil:
		return fabric.LinkVPCLoopback
	case s.External != nil:
		return fabric.LinkExternal
	case s.StaticExternal != nil:
		return fabric.LinkStaticExternal
	}
	return ""
}

// connEndpoints lists every port a connection uses.
func connEndpoints(c *fabric.Connection) []endpoint {
	out := make([]endpoint, 0, 4)
	add := func(field, list string, idx int, side, ref string, server, other bool) {
		if ref == "" {
			return
		}
		d, port := splitPort(ref)
		out = append(out, endpoint{field: field, list: list, idx: idx, side: side, device: d, port: port, server: server, other: other})
	}
	s := &c.Spec
	srvLinks := func(field string, links []fabric.ServerToSwitchLink) {
		for i, l := range links {
			add(field, "links", i, "server", l.Server.Port, true, false)
			add(field, "links", i, "switch", l.Switch.Port, false, false)
		}
	}
	swLinks := func(field, list string, links []fabric.SwitchToSwitchLink) {
		for i, l := range links {
			add(field, list, i, "switch1", l.Switch1.Port, false, false)
			add(field, list, i, "switch2", l.Switch2.Port, false, false)
		}
	}
	if s.Unbundled != nil {
		add(fabric.LinkUnbundled, "link", -1, "server", s.Unbundled.Link.Server.Port, true, false)
		add(fabric.LinkUnbundled, "link", -1, "switch", s.Unbundled.Link.Switch.Port, false, false)
	}
	if s.Bundled != nil {
		srvLinks(fabric.LinkBundled, s.Bundled.Links)
	}
	if s.MCLAG != nil {
		srvLinks(fabric.LinkMCLAG, s.MCLAG.Links)
	}
	if s.ESLAG != nil {
		srvLinks(fabric.LinkESLAG, s.ESLAG.Links)
	}
	if s.MCLAGDomain != nil {
		swLinks(fabric.LinkMCLAGDomain, "peerLinks", s.MCLAGDomain.PeerLinks)
		swLinks(fabric.LinkMCLAGDomain, "sessionLinks", s.MCLAGDomain.SessionLinks)
	}
	if s.Fabric != nil {
		for i, l := range s.Fabric.Links {
			add(fabric.LinkFabric, "links", i, "spine", l.Spine.Port, false, false)
			add(fabric.LinkFabric, "links", i, "leaf", l.Leaf.Port, false, false)
		}
	}
	if s.Mesh != nil {
		for i, l := range s.Mesh.Links {
			add(fabric.LinkMesh, "links", i, "leaf1", l.Leaf1.Port, false, false)
			add(fabric.LinkMesh, "links", i, "leaf2", l.Leaf2.Port, false, false)
		}
	}
	if s.Gateway != nil {
		for i, l := range s.Gateway.Links {
			add(fabric.LinkGateway, "links", i, "switch", l.Switch.Port, false, false)
			add(fabric.LinkGateway, "links", i, "gateway", l.Gateway.Port, false, true)
		}
	}
	if s.VPCLoopback != nil {
		swLinks(fabric.LinkVPCLoopback, "links", s.VPCLoopback.Links)
	}
	if s.External != nil {
		add(fabric.LinkExternal, "link", -1, "switch", s.External.Link.Switch.Port, false, false)
	}
	if s.StaticExternal != nil {
		add(fabric.LinkStaticExternal, "link", -1, "switch", s.StaticExternal.Link.Switch.Port, false, false)
	}
	return out
}

// connSwitches returns the distinct switch names of a connection, in order of appearance.
func connSwitches(eps []endpoint) []string {
	var out []string
	for _, e := range eps {
		if e.server || e.other || e.device == "" {
			continue
		}
		dup := false
		for _, s := range out {
			if s == e.device {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, e.device)
		}
	}
	return out
}

// basePort returns the physical port of a breakout lane ("E1/4/1" → "E1/4", true) or the port itself.
func basePort(port string) (string, bool) {
	first := strings.IndexByte(port, '/')
	if first < 0 {
		return port, false
	}
	if second := strings.IndexByte(port[first+1:], '/'); second >= 0 {
		return port[:first+1+second], true
	}
	return port, false
}

// linkIP is the address on one end of a fabric, mesh or gateway link.
type linkIP struct {
	addr      netip.Addr
	typ, side string
	idx       int
}

// path returns the manifest path of the link IP's field.
func (l *linkIP) path() diag.Path {
	return diag.F("spec", l.typ, "links").Index(l.idx).Field(l.side).Field("ip")
}

// connLinkIPs lists the parsable link IPs of a connection (fabric, mesh and gateway links).
func connLinkIPs(c *fabric.Connection) []linkIP {
	var out []linkIP
	add := func(typ string, idx int, side, ip string) {
		if a, ok := parseIP(ip); ok {
			out = append(out, linkIP{addr: a, typ: typ, side: side, idx: idx})
		}
	}
	s := &c.Spec
	if s.Fabric != nil {
		for i, l := range s.Fabric.Links {
			add(fabric.LinkFabric, i, "spine", l.Spine.IP)
			add(fabric.LinkFabric, i, "leaf", l.Leaf.IP)
		}
	}
	if s.Mesh != nil {
		for i, l := range s.Mesh.Links {
			add(fabric.LinkMesh, i, "leaf1", l.Leaf1.IP)
			add(fabric.LinkMesh, i, "leaf2", l.Leaf2.IP)
		}
	}
	if s.Gateway != nil {
		for i, l := range s.Gateway.Links {
			add(fabric.LinkGateway, i, "switch", l.Switch.IP)
			add(fabric.LinkGateway, i, "gateway", l.Gateway.IP)
		}
	}
	return out
}

// portsClash reports whether two ports of one device are the same port: equal names, or a whole port
// and its first breakout lane ("E1/4" is an alias of "E1/4/1"; other lanes of E1/4 are distinct).
func portsClash(a, b string) bool {
	return a == b || isFirstLaneOf(a, b) || isFirstLaneOf(b, a)
}

func isFirstLaneOf(lane, whole string) bool {
	return strings.Count(whole, "/") == 1 && len(lane) == len(whole)+2 && strings.HasPrefix(lane, whole) && strings.HasSuffix(lane, "/1")
}
