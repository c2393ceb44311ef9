package fabric

import (
	"fmt"
	"sort"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric/netx"
)

// Connection link type names, as the ConnectionSpec JSON field names.
const (
	LinkUnbundled      = "unbundled"
	LinkBundled        = "bundled"
	LinkMCLAG          = "mclag"
	LinkESLAG          = "eslag"
	LinkMCLAGDomain    = "mclagDomain"
	LinkFabric         = "fabric"
	LinkMesh           = "mesh"
	LinkGateway        = "gateway"
	LinkVPCLoopback    = "vpcLoopback"
	LinkExternal       = "external"
	LinkStaticExternal = "staticExternal"
)

// Port roles reported in PortRef.Role.
const (
	RoleSwitch  = "switch"
	RoleServer  = "server"
	RoleGateway = "gateway"
)

// LinkTypes returns the names of all link types set, in a fixed order.
func (s *ConnectionSpec) LinkTypes() []string {
	var out []string
	add := func(set bool, name string) {
		if set {
			out = append(out, name)
		}
	}
	add(s.Unbundled != nil, LinkUnbundled)
	add(s.Bundled != nil, LinkBundled)
	add(s.MCLAG != nil, LinkMCLAG)
	add(s.ESLAG != nil, LinkESLAG)
	add(s.MCLAGDomain != nil, LinkMCLAGDomain)
	add(s.Fabric != nil, LinkFabric)
	add(s.Mesh != nil, LinkMesh)
	add(s.Gateway != nil, LinkGateway)
	add(s.VPCLoopback != nil, LinkVPCLoopback)
	add(s.External != nil, LinkExternal)
	add(s.StaticExternal != nil, LinkStaticExternal)
	return out
}

// LinkType returns the first link type set (see LinkTypes for the order; ""
// when none) and how many link types are set (valid connections have 1).
func (c *Connection) LinkType() (string, int) {
	lt := c.Spec.LinkTypes()
	if len(lt) == 0 {
		return "", 0
	}
	return lt[0], len(lt)
}

// PortRef is one "<device>/<port>" a connection uses.
type PortRef struct {
	Path   string // attribute path, e.g. "spec.bundled.links[0].switch.port"
	Port   string // the raw "<device>/<port>" value
	Device string // device part ("" if Port does not parse)
	Name   string // port part, e.g. "E1/4" or "eth1" ("" if Port does not parse)
	Role   string // RoleSwitch, RoleServer or RoleGateway
}

// IPRef is one IP (CIDR or address) a connection assigns to a device port.
type IPRef struct {
	Path   string // attribute path, e.g. "spec.fabric.links[0].leaf.ip"
	IP     string
	Device string
	Role   string
}

func portRef(path, port, role string) PortRef {
	dev, name, err := netx.ParsePort(port)
	if err != nil {
		dev, name = "", ""
	}
	return PortRef{Path: path, Port: port, Device: dev, Name: name, Role: role}
}

// Ports lists every port of every link type set, in spec order.
func (c *Connection) Ports() []PortRef {
	var out []PortRef
	s := &c.Spec
	s2s := func(base string, links []ServerToSwitchLink) {
		for i, l := range links {
			p := fmt.Sprintf("%s.links[%d]", base, i)
			out = append(out, portRef(p+".server.port", l.Server.Port, RoleServer),
				portRef(p+".switch.port", l.Switch.Port, RoleSwitch))
		}
	}
	sw2sw := func(base string, links []SwitchToSwitchLink) {
		for i, l := range links {
			p := fmt.Sprintf("%s[%d]", base, i)
			out = append(out, portRef(p+".switch1.port", l.Switch1.Port, RoleSwitch),
				portRef(p+".switch2.port", l.Switch2.Port, RoleSwitch))
		}
	}
	if s.Unbundled != nil {
		l := s.Unbundled.Link
		out = append(out, portRef("spec.unbundled.link.server.port", l.Server.Port, RoleServer),
			portRef("spec.unbundled.link.switch.port", l.Switch.Port, RoleSwitch))
	}
	if s.Bundled != nil {
		s2s("spec.bundled", s.Bundled.Links)
	}
	if s.MCLAG != nil {
		s2s("spec.mclag", s.MCLAG.Links)
	}
	if s.ESLAG != nil {
		s2s("spec.eslag", s.ESLAG.Links)
	}
	if s.MCLAGDomain != nil {
		sw2sw("spec.mclagDomain.peerLinks", s.MCLAGDomain.PeerLinks)
		sw2sw("spec.mclagDomain.sessionLinks", s.MCLAGDomain.SessionLinks)
	}
	if s.Fabric != nil {
		for i, l := range s.Fabric.Links {
			p := fmt.Sprintf("spec.fabric.links[%d]", i)
			out = append(out, portRef(p+".spine.port", l.Spine.Port, RoleSwitch),
				portRef(p+".leaf.port", l.Leaf.Port, RoleSwitch))
		}
	}
	if s.Mesh != nil {
		for i, l := range s.Mesh.Links {
			p := fmt.Sprintf("spec.mesh.links[%d]", i)
			out = append(out, portRef(p+".leaf1.port", l.Leaf1.Port, RoleSwitch),
				portRef(p+".leaf2.port", l.Leaf2.Port, RoleSwitch))
		}
	}
	if s.Gateway != nil {
		for i, l := range s.Gateway.Links {
			p := fmt.Sprintf("spec.gateway.links[%d]", i)
			out = append(out, portRef(p+".switch.port", l.Switch.Port, RoleSwitch),
				portRef(p+".gateway.port", l.Gateway.Port, RoleGateway))
		}
	}
	if s.VPCLoopback != nil {
		sw2sw("spec.vpcLoopback.links", s.VPCLoopback.Links)
	}
	if s.External != nil {
		out = append(out, portRef("spec.external.link.switch.port", s.External.Link.Switch.Port, RoleSwitch))
	}
	if s.StaticExternal != nil {
		out = append(out, portRef("spec.staticExternal.link.switch.port", s.StaticExternal.Link.Switch.Port, RoleSwitch))
	}
	return out
}

// IPs lists the IPs assigned on fabric, mesh, gateway and staticExternal links.
func (c *Connection) IPs() []IPRef {
	var out []IPRef
	add := func(path string, p IPPortName, role string) {
		if p.IP == "" {
			return
		}
		dev, _, _ := netx.ParsePort(p.Port)
		out = append(out, IPRef{Path: path, IP: p.IP, Device: dev, Role: role})
	}
	s := &c.Spec
	if s.Fabric != nil {
		for i, l := range s.Fabric.Links {
			p := fmt.Sprintf("spec.fabric.links[%d]", i)
			add(p+".spine.ip", l.Spine, RoleSwitch)
			add(p+".leaf.ip", l.Leaf, RoleSwitch)
		}
	}
	if s.Mesh != nil {
		for i, l := range s.Mesh.Links {
			p := fmt.Sprintf("spec.mesh.links[%d]", i)
			add(p+".leaf1.ip", l.Leaf1, RoleSwitch)
			add(p+".leaf2.ip", l.Leaf2, RoleSwitch)
		}
	}
	if s.Gateway != nil {
		for i, l := range s.Gateway.Links {
			p := fmt.Sprintf("spec.gateway.links[%d]", i)
			add(p+".switch.ip", l.Switch, RoleSwitch)
			add(p+".gateway.ip", l.Gateway, RoleGateway)
		}
	}
	if s.StaticExternal != nil {
		sw := s.StaticExternal.Link.Switch
		add("spec.staticExternal.link.switch.ip", IPPortName{IP: sw.IP, Port: sw.Port}, RoleSwitch)
	}
	return out
}

func devicesWithRole(ports []PortRef, role string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range ports {
		if p.Role == role && p.Device != "" && !seen[p.Device] {
			seen[p.Device] = true
			out = append(out, p.Device)
		}
	}
	sort.Strings(out)
	return out
}

// Switches returns the sorted unique switch names the connection references.
func (c *Connection) Switches() []string { return devicesWithRole(c.Ports(), RoleSwitch) }

// Servers returns the sorted unique server names the connection references.
func (c *Connection) Servers() []string { return devicesWithRole(c.Ports(), RoleServer) }

// Gateways returns the sorted unique gateway names the connection references.
func (c *Connection) Gateways() []string { return devicesWithRole(c.Ports(), RoleGateway) }
