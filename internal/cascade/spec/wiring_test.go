package spec

import (
	"testing"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

func conn(f func(s *fabric.ConnectionSpec)) func() fabric.Object {
	return func() fabric.Object {
		c := &fabric.Connection{Metadata: meta("server-1--conn")}
		f(&c.Spec)
		return c
	}
}

func sl(server, sw string) fabric.ServerToSwitchLink {
	return fabric.ServerToSwitchLink{Server: fabric.BasePortName{Port: server}, Switch: fabric.BasePortName{Port: sw}}
}

func ss(a, b string) fabric.SwitchToSwitchLink {
	return fabric.SwitchToSwitchLink{Switch1: fabric.BasePortName{Port: a}, Switch2: fabric.BasePortName{Port: b}}
}

func ipp(port, ip string) fabric.IPPortName { return fabric.IPPortName{Port: port, IP: ip} }

func unbundled(s *fabric.ConnectionSpec) {
	s.Unbundled = &fabric.ConnUnbundled{Link: sl("server-1/enp2s1", "leaf-1/E1/1")}
}

func eslag(links ...fabric.ServerToSwitchLink) func(s *fabric.ConnectionSpec) {
	return func(s *fabric.ConnectionSpec) { s.ESLAG = &fabric.ConnESLAG{Links: links} }
}

func fabricConn(links ...fabric.FabricLink) func(s *fabric.ConnectionSpec) {
	return func(s *fabric.ConnectionSpec) { s.Fabric = &fabric.ConnFabric{Links: links} }
}

func flink(spineIP, leafIP string) fabric.FabricLink {
	return fabric.FabricLink{Spine: ipp("spine-1/E1/1", spineIP), Leaf: ipp("leaf-1/E1/49", leafIP)}
}

// flinkOn is a spine-1 to leaf-1 link on port E1/<port> of both switches.
func flinkOn(port int, spineIP, leafIP string) fabric.FabricLink {
	return fabric.FabricLink{Spine: ipp("spine-1/E1/"+itoa(port), spineIP), Leaf: ipp("leaf-1/E1/"+itoa(port), leafIP)}
}

func staticExtConn(f func(sw *fabric.ConnStaticExternalLinkSwitch)) func() fabric.Object {
	return conn(func(s *fabric.ConnectionSpec) {
		s.StaticExternal = &fabric.ConnStaticExternal{Link: fabric.ConnStaticExternalLink{Switch: fabric.ConnStaticExternalLinkSwitch{
			Port: "leaf-1/E1/5", IP: "172.31.0.1/24", NextHop: "172.31.0.254", Subnets: []string{"10.99.0.0/16", "10.98.0.0/16"}, VLAN: 100}}}
		f(&s.StaticExternal.Link.Switch)
	})
}

const sePath = "spec.staticExternal.link.switch"

func TestConnectionRules(t *testing.T) {
	runCases(t, []tcase{
		{name: "connection.link-type rejects none", rule: "connection.link-type", obj: conn(func(s *fabric.ConnectionSpec) {}), path: "spec", msg: "sets 0 link types"},
		{name: "connection.link-type rejects two", rule: "connection.link-type", obj: conn(func(s *fabric.ConnectionSpec) {
			unbundled(s)
			s.External = &fabric.ConnExternal{Link: fabric.ConnExternalLink{Switch: fabric.BasePortName{Port: "leaf-1/E1/9"}}}
		}), path: "spec.external", msg: "sets external besides unbundled"},
		{name: "connection.link-type rejects three on the second and third", rule: "connection.link-type", obj: conn(func(s *fabric.ConnectionSpec) {
			unbundled(s)
			s.External = &fabric.ConnExternal{Link: fabric.ConnExternalLink{Switch: fabric.BasePortName{Port: "leaf-1/E1/9"}}}
			s.Bundled = &fabric.ConnBundled{Links: []fabric.ServerToSwitchLink{sl("server-1/enp2s3", "leaf-1/E1/3")}}
		}), path: "spec.bundled", msg: "sets bundled besides unbundled"},
		{name: "connection.link-type accepts unbundled", rule: "connection.link-type", obj: conn(unbundled), ok: true},
		{name: "connection.port.format rejects missing port", rule: "connection.port.format", obj: conn(func(s *fabric.ConnectionSpec) {
			s.Unbundled = &fabric.ConnUnbundled{Link: sl("server-1/enp2s1", "leaf-1/")}
		}), path: "spec.unbundled.link.switch.port", msg: "<device>/<port>"},
		{name: "connection.port.format rejects no slash", rule: "connection.port.format", obj: conn(func(s *fabric.ConnectionSpec) {
			s.External = &fabric.ConnExternal{Link: fabric.ConnExternalLink{Switch: fabric.BasePortName{Port: "leaf-1"}}}
		}), path: "spec.external.link.switch.port", msg: "leaf-1"},
		{name: "connection.port.format accepts breakout lane", rule: "connection.port.format", obj: conn(func(s *fabric.ConnectionSpec) {
			s.External = &fabric.ConnExternal{Link: fabric.ConnExternalLink{Switch: fabric.BasePortName{Port: "leaf-1/E1/4/1"}}}
		}), ok: true},
		{name: "connection.port.unique rejects", rule: "connection.port.unique", obj: conn(eslag(sl("server-1/enp2s1", "leaf-1/E1/1"), sl("server-1/enp2s2", "leaf-1/E1/1"))),
			path: "spec.eslag.links[1].switch.port", msg: "more than once"},
		{name: "connection.port.unique rejects a port and its first lane", rule: "connection.port.unique", obj: conn(eslag(sl("server-1/enp2s1", "leaf-1/E1/4"), sl("server-1/enp2s2", "leaf-1/E1/4/1"))),
			path: "spec.eslag.links[1].switch.port", msg: "first breakout lane"},
		{name: "connection.port.unique accepts a port and another lane", rule: "connection.port.unique", obj: conn(eslag(sl("server-1/enp2s1", "leaf-1/E1/4"), sl("server-1/enp2s2", "leaf-1/E1/4/2"))), ok: true},
		{name: "connection.port.unique accepts", rule: "connection.port.unique", obj: conn(eslag(sl("server-1/enp2s1", "leaf-1/E1/1"), sl("server-1/enp2s2", "leaf-2/E1/1"))), ok: true},
		{name: "connection.bundled.links rejects none", rule: "connection.bundled.links", obj: conn(func(s *fabric.ConnectionSpec) { s.Bundled = &fabric.ConnBundled{} }), path: "spec.bundled.links", msg: "at least 1"},
		{name: "connection.bundled.links accepts", rule: "connection.bundled.links", obj: conn(func(s *fabric.ConnectionSpec) {
			s.Bundled = &fabric.ConnBundled{Links: []fabric.ServerToSwitchLink{sl("server-1/enp2s1", "leaf-1/E1/1"), sl("server-1/enp2s2", "leaf-1/E1/2")}}
		}), ok: true},
		{name: "connection.bundled.server rejects two servers", rule: "connection.bundled.server", obj: conn(func(s *fabric.ConnectionSpec) {
			s.Bundled = &fabric.ConnBundled{Links: []fabric.ServerToSwitchLink{sl("server-1/enp2s1", "leaf-1/E1/1"), sl("server-2/enp2s2", "leaf-1/E1/2")}}
		}), path: "spec.bundled.links[1].server.port", msg: "same server"},
		{name: "connection.bundled.server accepts", rule: "connection.bundled.server", obj: conn(func(s *fabric.ConnectionSpec) {
			s.Bundled = &fabric.ConnBundled{Links: []fabric.ServerToSwitchLink{sl("server-1/enp2s1", "leaf-1/E1/1")}}
		}), ok: true},
		{name: "connection.bundled.switches rejects two switches", rule: "connection.bundled.switches", obj: conn(func(s *fabric.ConnectionSpec) {
			s.Bundled = &fabric.ConnBundled{Links: []fabric.ServerToSwitchLink{sl("server-1/enp2s1", "leaf-1/E1/1"), sl("server-1/enp2s2", "leaf-2/E1/2")}}
		}), path: "spec.bundled.links[1].switch.port", msg: "exactly one switch"},
		{name: "connection.bundled.switches accepts", rule: "connection.bundled.switches", obj: conn(func(s *fabric.ConnectionSpec) {
			s.Bundled = &fabric.ConnBundled{Links: []fabric.ServerToSwitchLink{sl("server-1/enp2s1", "leaf-1/E1/1"), sl("server-1/enp2s2", "leaf-1/E1/2")}}
		}), ok: true},
		{name: "connection.eslag.links rejects one", rule: "connection.eslag.links", obj: conn(eslag(sl("server-1/enp2s1", "leaf-1/E1/1"))), path: "spec.eslag.links", msg: "at least 2"},
		{name: "connection.eslag.links accepts two on one switch", rule: "connection.eslag.links", obj: conn(eslag(sl("server-1/enp2s1", "leaf-1/E1/1"), sl("server-1/enp2s2", "leaf-1/E1/2"))), ok: true},
		{name: "connection.eslag.server rejects", rule: "connection.eslag.server", obj: conn(eslag(sl("server-1/enp2s1", "leaf-1/E1/1"), sl("server-2/enp2s2", "leaf-2/E1/1"))), path: "spec.eslag.links[1].server.port", msg: "same server"},
		{name: "connection.eslag.server accepts", rule: "connection.eslag.server", obj: conn(eslag(sl("server-1/enp2s1", "leaf-1/E1/1"), sl("server-1/enp2s2", "leaf-2/E1/1"))), ok: true},
		{name: "connection.eslag.switches rejects five", rule: "connection.eslag.switches", obj: conn(eslag(
			sl("server-1/p1", "leaf-1/E1/1"), sl("server-1/p2", "leaf-2/E1/1"), sl("server-1/p3", "leaf-3/E1/1"), sl("server-1/p4", "leaf-4/E1/1"), sl("server-1/p5", "leaf-5/E1/1"))),
			path: "spec.eslag.links[4].switch.port", msg: "1 to 4 switches"},
		{name: "connection.eslag.switches accepts four", rule: "connection.eslag.switches", obj: conn(eslag(
			sl("server-1/p1", "leaf-1/E1/1"), sl("server-1/p2", "leaf-2/E1/1"), sl("server-1/p3", "leaf-3/E1/1"), sl("server-1/p4", "leaf-4/E1/1"))), ok: true},
		{name: "connection.mclag.links rejects one", rule: "connection.mclag.links", obj: conn(func(s *fabric.ConnectionSpec) {
			s.MCLAG = &fabric.ConnMCLAG{Links: []fabric.ServerToSwitchLink{sl("server-1/p1", "leaf-1/E1/1")}}
		}), path: "spec.mclag.links", msg: "at least 2"},
		{name: "connection.mclag.links accepts two (deprecated warning only)", rule: "connection.mclag.links", obj: conn(func(s *fabric.ConnectionSpec) {
			s.MCLAG = &fabric.ConnMCLAG{Links: []fabric.ServerToSwitchLink{sl("server-1/p1", "leaf-1/E1/1"), sl("server-1/p2", "leaf-2/E1/1")}}
		}), ok: true},
		{name: "connection.mclag.switches rejects one switch", rule: "connection.mclag.switches", obj: conn(func(s *fabric.ConnectionSpec) {
			s.MCLAG = &fabric.ConnMCLAG{Links: []fabric.ServerToSwitchLink{sl("server-1/p1", "leaf-1/E1/1"), sl("server-1/p2", "leaf-1/E1/2")}}
		}), path: "spec.mclag.links", msg: "exactly two switches"},
		{name: "connection.mclag.switches accepts", rule: "connection.mclag.switches", obj: conn(func(s *fabric.ConnectionSpec) {
			s.MCLAG = &fabric.ConnMCLAG{Links: []fabric.ServerToSwitchLink{sl("server-1/p1", "leaf-1/E1/1"), sl("server-1/p2", "leaf-2/E1/1")}}
		}), ok: true},
		{name: "connection.mclagDomain.links rejects no session links", rule: "connection.mclagDomain.links", obj: conn(func(s *fabric.ConnectionSpec) {
			s.MCLAGDomain = &fabric.ConnMCLAGDomain{PeerLinks: []fabric.SwitchToSwitchLink{ss("leaf-1/E1/50", "leaf-2/E1/50")}}
		}), path: "spec.mclagDomain.sessionLinks", msg: "sessionLinks"},
		{name: "connection.mclagDomain.links accepts", rule: "connection.mclagDomain.links", obj: conn(func(s *fabric.ConnectionSpec) {
			s.MCLAGDomain = &fabric.ConnMCLAGDomain{PeerLinks: []fabric.SwitchToSwitchLink{ss("leaf-1/E1/50", "leaf-2/E1/50")}, SessionLinks: []fabric.SwitchToSwitchLink{ss("leaf-1/E1/51", "leaf-2/E1/51")}}
		}), ok: true},
		{name: "connection.mclagDomain.switches rejects three", rule: "connection.mclagDomain.switches", obj: conn(func(s *fabric.ConnectionSpec) {
			s.MCLAGDomain = &fabric.ConnMCLAGDomain{PeerLinks: []fabric.SwitchToSwitchLink{ss("leaf-1/E1/50", "leaf-2/E1/50"), ss("leaf-1/E1/52", "leaf-3/E1/50")}, SessionLinks: []fabric.SwitchToSwitchLink{ss("leaf-1/E1/51", "leaf-2/E1/51")}}
		}), path: "spec.mclagDomain.peerLinks[1].switch2.port", msg: "reach 3 switch"},
		{name: "connection.mclagDomain.switches accepts", rule: "connection.mclagDomain.switches", obj: conn(func(s *fabric.ConnectionSpec) {
			s.MCLAGDomain = &fabric.ConnMCLAGDomain{PeerLinks: []fabric.SwitchToSwitchLink{ss("leaf-1/E1/50", "leaf-2/E1/50")}, SessionLinks: []fabric.SwitchToSwitchLink{ss("leaf-1/E1/51", "leaf-2/E1/51")}}
		}), ok: true},
		{name: "connection.vpcLoopback.links rejects none", rule: "connection.vpcLoopback.links", obj: conn(func(s *fabric.ConnectionSpec) { s.VPCLoopback = &fabric.ConnVPCLoopback{} }), path: "spec.vpcLoopback.links", msg: "at least one"},
		{name: "connection.vpcLoopback.links accepts", rule: "connection.vpcLoopback.links", obj: conn(func(s *fabric.ConnectionSpec) {
			s.VPCLoopback = &fabric.ConnVPCLoopback{Links: []fabric.SwitchToSwitchLink{ss("leaf-1/E1/30", "leaf-1/E1/31")}}
		}), ok: true},
		{name: "connection.vpcLoopback.switches rejects two switches", rule: "connection.vpcLoopback.switches", obj: conn(func(s *fabric.ConnectionSpec) {
			s.VPCLoopback = &fabric.ConnVPCLoopback{Links: []fabric.SwitchToSwitchLink{ss("leaf-1/E1/30", "leaf-2/E1/31")}}
		}), path: "spec.vpcLoopback.links[0].switch2.port", msg: "exactly 1"},
		{name: "connection.vpcLoopback.switches accepts", rule: "connection.vpcLoopback.switches", obj: conn(func(s *fabric.ConnectionSpec) {
			s.VPCLoopback = &fabric.ConnVPCLoopback{Links: []fabric.SwitchToSwitchLink{ss("leaf-1/E1/30", "leaf-1/E1/31"), ss("leaf-1/E1/32", "leaf-1/E1/33")}}
		}), ok: true},
		{name: "connection.fabric.links rejects none", rule: "connection.fabric.links", obj: conn(fabricConn()), path: "spec.fabric.links", msg: "at least 1"},
		{name: "connection.fabric.links accepts unnumbered", rule: "connection.fabric.links", obj: conn(fabricConn(flink("", ""))), ok: true},
		{name: "connection.fabric.switches rejects second leaf", rule: "connection.fabric.switches", obj: conn(fabricConn(flink("172.30.128.0/31", "172.30.128.1/31"),
			fabric.FabricLink{Spine: ipp("spine-1/E1/2", "172.30.128.2/31"), Leaf: ipp("leaf-2/E1/49", "172.30.128.3/31")})), path: "spec.fabric.links[1].leaf.port", msg: "same spine and the same leaf"},
		{name: "connection.fabric.switches rejects second spine on its spine port", rule: "connection.fabric.switches", obj: conn(func(s *fabric.ConnectionSpec) {
			s.Fabric = &fabric.ConnFabric{Links: []fabric.FabricLink{
				{Spine: ipp("spine-1/E1/1", "172.30.128.0/31"), Leaf: ipp("leaf-1/E1/1", "172.30.128.1/31")},
				{Spine: ipp("spine-2/E1/2", "172.30.128.2/31"), Leaf: ipp("leaf-1/E1/2", "172.30.128.3/31")},
			}}
		}), path: "spec.fabric.links[1].spine.port", msg: "same spine"},
		{name: "connection.fabric.switches accepts two links", rule: "connection.fabric.switches", obj: conn(fabricConn(flink("172.30.128.0/31", "172.30.128.1/31"),
			fabric.FabricLink{Spine: ipp("spine-1/E1/2", "172.30.128.2/31"), Leaf: ipp("leaf-1/E1/50", "172.30.128.3/31")})), ok: true},
		{name: "connection.mesh.links rejects none", rule: "connection.mesh.links", obj: conn(func(s *fabric.ConnectionSpec) { s.Mesh = &fabric.ConnMesh{} }), path: "spec.mesh.links", msg: "at least 1"},
		{name: "connection.mesh.links accepts", rule: "connection.mesh.links", obj: conn(func(s *fabric.ConnectionSpec) {
			s.Mesh = &fabric.ConnMesh{Links: []fabric.MeshLink{{Leaf1: ipp("leaf-1/E1/50", "172.30.128.0/31"), Leaf2: ipp("leaf-2/E1/50", "172.30.128.1/31")}}}
		}), ok: true},
		{name: "connection.mesh.switches rejects same leaf", rule: "connection.mesh.switches", obj: conn(func(s *fabric.ConnectionSpec) {
			s.Mesh = &fabric.ConnMesh{Links: []fabric.MeshLink{{Leaf1: ipp("leaf-1/E1/50", ""), Leaf2: ipp("leaf-1/E1/51", "")}}}
		}), path: "spec.mesh.links[0].leaf2.port", msg: "two leaves"},
		{name: "connection.mesh.switches accepts", rule: "connection.mesh.switches", obj: conn(func(s *fabric.ConnectionSpec) {
			s.Mesh = &fabric.ConnMesh{Links: []fabric.MeshLink{{Leaf1: ipp("leaf-1/E1/50", ""), Leaf2: ipp("leaf-2/E1/51", "")}}}
		}), ok: true},
		{name: "connection.gateway.links rejects none", rule: "connection.gateway.links", obj: conn(func(s *fabric.ConnectionSpec) { s.Gateway = &fabric.ConnGateway{} }), path: "spec.gateway.links", msg: "at least 1"},
		{name: "connection.gateway.links accepts", rule: "connection.gateway.links", obj: conn(func(s *fabric.ConnectionSpec) {
			s.Gateway = &fabric.ConnGateway{Links: []fabric.GatewayLink{{Switch: ipp("spine-1/E1/10", "172.30.128.10/31"), Gateway: ipp("gw-1/enp2s1", "172.30.128.11/31")}}}
		}), ok: true},
		{name: "connection.gateway.switches rejects", rule: "connection.gateway.switches", obj: conn(func(s *fabric.ConnectionSpec) {
			s.Gateway = &fabric.ConnGateway{Links: []fabric.GatewayLink{
				{Switch: ipp("spine-1/E1/10", "172.30.128.10/31"), Gateway: ipp("gw-1/enp2s1", "172.30.128.11/31")},
				{Switch: ipp("spine-2/E1/10", "172.30.128.12/31"), Gateway: ipp("gw-1/enp2s2", "172.30.128.13/31")}}}
		}), path: "spec.gateway.links[1].switch.port", msg: "same switch"},
		{name: "connection.gateway.switches accepts", rule: "connection.gateway.switches", obj: conn(func(s *fabric.ConnectionSpec) {
			s.Gateway = &fabric.ConnGateway{Links: []fabric.GatewayLink{
				{Switch: ipp("spine-1/E1/10", "172.30.128.10/31"), Gateway: ipp("gw-1/enp2s1", "172.30.128.11/31")},
				{Switch: ipp("spine-1/E1/11", "172.30.128.12/31"), Gateway: ipp("gw-1/enp2s2", "172.30.128.13/31")}}}
		}), ok: true},
		{name: "connection.link-ip.required rejects one side", rule: "connection.link-ip.required", obj: conn(fabricConn(flink("172.30.128.0/31", ""))), path: "spec.fabric.links[0].leaf.ip", msg: "on neither"},
		{name: "connection.link-ip.required rejects unnumbered gateway", rule: "connection.link-ip.required", obj: conn(func(s *fabric.ConnectionSpec) {
			s.Gateway = &fabric.ConnGateway{Links: []fabric.GatewayLink{{Switch: ipp("spine-1/E1/10", ""), Gateway: ipp("gw-1/enp2s1", "")}}}
		}), path: "spec.gateway.links[0].switch.ip", msg: "cannot be unnumbered"},
		{name: "connection.link-ip.required accepts unnumbered fabric", rule: "connection.link-ip.required", obj: conn(fabricConn(flink("", ""))), ok: true},
		{name: "connection.link-ip.cidr rejects", rule: "connection.link-ip.cidr", obj: conn(fabricConn(flink("172.30.128.0", "172.30.128.1/31"))), path: "spec.fabric.links[0].spine.ip", msg: "prefix length"},
		{name: "connection.link-ip.cidr accepts", rule: "connection.link-ip.cidr", obj: conn(fabricConn(flink("172.30.128.0/31", "172.30.128.1/31"))), ok: true},
		{name: "connection.link-ip.slash31 rejects /30", rule: "connection.link-ip.slash31", obj: conn(fabricConn(flink("172.30.128.1/30", "172.30.128.2/30"))), path: "spec.fabric.links[0].spine.ip", msg: "/31"},
		{name: "connection.link-ip.slash31 accepts", rule: "connection.link-ip.slash31", obj: conn(fabricConn(flink("172.30.128.5/31", "172.30.128.4/31"))), ok: true},
		{name: "connection.link-ip.pair rejects different /31", rule: "connection.link-ip.pair", obj: conn(fabricConn(flink("172.30.128.0/31", "172.30.128.3/31"))), path: "spec.fabric.links[0].leaf.ip", msg: "one /31"},
		{name: "connection.link-ip.pair rejects same address", rule: "connection.link-ip.pair", obj: conn(fabricConn(flink("172.30.128.0/31", "172.30.128.0/31"))), path: "spec.fabric.links[0].leaf.ip", msg: "two different"},
		{name: "connection.link-ip.pair accepts", rule: "connection.link-ip.pair", obj: conn(fabricConn(flink("172.30.128.0/31", "172.30.128.1/31"))), ok: true},
		{name: "connection.link-ip.unique rejects a /31 reused on the second link", rule: "connection.link-ip.unique",
			obj:  conn(fabricConn(flink("172.30.128.0/31", "172.30.128.1/31"), flinkOn(2, "172.30.128.1/31", "172.30.128.0/31"))),
			path: "spec.fabric.links[1].spine.ip", msg: "leaf IP of link #0"},
		{name: "connection.link-ip.unique accepts the next /31 on the second link", rule: "connection.link-ip.unique",
			obj: conn(fabricConn(flink("172.30.128.0/31", "172.30.128.1/31"), flinkOn(2, "172.30.128.2/31", "172.30.128.3/31"))), ok: true},

		{name: "connection.static-external.ip rejects", rule: "connection.static-external.ip", obj: staticExtConn(func(sw *fabric.ConnStaticExternalLinkSwitch) { sw.IP = "172.31.0.1" }), path: sePath + ".ip", msg: "prefix length"},
		{name: "connection.static-external.ip accepts", rule: "connection.static-external.ip", obj: staticExtConn(func(sw *fabric.ConnStaticExternalLinkSwitch) {}), ok: true},
		{name: "connection.static-external.next-hop rejects", rule: "connection.static-external.next-hop", obj: staticExtConn(func(sw *fabric.ConnStaticExternalLinkSwitch) { sw.NextHop = "" }), path: sePath + ".nextHop", msg: "IPv4 address"},
		{name: "connection.static-external.next-hop accepts", rule: "connection.static-external.next-hop", obj: staticExtConn(func(sw *fabric.ConnStaticExternalLinkSwitch) { sw.NextHop = "172.31.0.2" }), ok: true},
		{name: "connection.static-external.next-hop-inside rejects", rule: "connection.static-external.next-hop-inside", obj: staticExtConn(func(sw *fabric.ConnStaticExternalLinkSwitch) { sw.NextHop = "172.31.1.1" }), path: sePath + ".nextHop", msg: "not inside 172.31.0.0/24"},
		{name: "connection.static-external.next-hop-inside accepts", rule: "connection.static-external.next-hop-inside", obj: staticExtConn(func(sw *fabric.ConnStaticExternalLinkSwitch) {}), ok: true},
		{name: "connection.static-external.vlan rejects", rule: "connection.static-external.vlan", obj: staticExtConn(func(sw *fabric.ConnStaticExternalLinkSwitch) { sw.VLAN = 4095 }), path: sePath + ".vlan", msg: "4095"},
		{name: "connection.static-external.vlan accepts untagged", rule: "connection.static-external.vlan", obj: staticExtConn(func(sw *fabric.ConnStaticExternalLinkSwitch) { sw.VLAN = 0 }), ok: true},
		{name: "connection.static-external.subnet-cidr rejects", rule: "connection.static-external.subnet-cidr", obj: staticExtConn(func(sw *fabric.ConnStaticExternalLinkSwitch) { sw.Subnets[1] = "10.98.0.0" }), path: sePath + ".subnets[1]", msg: "10.98.0.0"},
		{name: "connection.static-external.subnet-cidr accepts none", rule: "connection.static-external.subnet-cidr", obj: staticExtConn(func(sw *fabric.ConnStaticExternalLinkSwitch) { sw.Subnets = nil }), ok: true},
		{name: "connection.static-external.default-alone rejects", rule: "connection.static-external.default-alone", obj: staticExtConn(func(sw *fabric.ConnStaticExternalLinkSwitch) { sw.Subnets[1] = "0.0.0.0/0" }), path: sePath + ".subnets[1]", msg: "alone"},
		{name: "connection.static-external.default-alone accepts alone", rule: "connection.static-external.default-alone", obj: staticExtConn(func(sw *fabric.ConnStaticExternalLinkSwitch) { sw.Subnets = []string{"0.0.0.0/0"} }), ok: true},
		{name: "connection.static-external.subnet-canonical rejects", rule: "connection.static-external.subnet-canonical", obj: staticExtConn(func(sw *fabric.ConnStaticExternalLinkSwitch) { sw.Subnets[0] = "10.99.1.0/16" }), path: sePath + ".subnets[0]", msg: "10.99.0.0/16"},
		{name: "connection.static-external.subnet-canonical accepts", rule: "connection.static-external.subnet-canonical", obj: staticExtConn(func(sw *fabric.ConnStaticExternalLinkSwitch) { sw.Subnets[0] = "10.99.1.0/24" }), ok: true},
		{name: "connection.static-external.subnet-overlap rejects", rule: "connection.static-external.subnet-overlap", obj: staticExtConn(func(sw *fabric.ConnStaticExternalLinkSwitch) { sw.Subnets[1] = "10.99.5.0/24" }), path: sePath + ".subnets[1]", msg: "overlaps 10.99.0.0/16"},
		{name: "connection.static-external.subnet-overlap accepts", rule: "connection.static-external.subnet-overlap", obj: staticExtConn(func(sw *fabric.ConnStaticExternalLinkSwitch) { sw.Subnets[1] = "10.100.0.0/16" }), ok: true},
	})
}

func switchWith(f func(s *fabric.SwitchSpec)) func() fabric.Object {
	return func() fabric.Object {
		sw := &fabric.Switch{Metadata: meta("leaf-1"), Spec: fabric.SwitchSpec{
			Role: "server-leaf", ASN: 65101, IP: "172.30.0.8/21", ProtocolIP: "172.30.8.2/32", VTEPIP: "172.30.12.0/32",
			Profile: "vs", Boot: &fabric.SwitchBoot{MAC: "0c:20:12:ff:02:00"},
			Redundancy:         &fabric.SwitchRedundancy{Group: "eslag-1", Type: "eslag"},
			LinkFlapErrDisable: &fabric.SwitchLinkFlapErrDisable{FlapThreshold: new(int32(5))},
		}}
		f(&sw.Spec)
		return sw
	}
}

func spine(s *fabric.SwitchSpec) {
	s.Role, s.VTEPIP, s.Redundancy = "spine", "", nil
}

func TestSwitchRules(t *testing.T) {
	runCases(t, []tcase{
		{name: "switch.role rejects", rule: "switch.role", obj: switchWith(func(s *fabric.SwitchSpec) { s.Role = "leaf" }), path: "spec.role", msg: "server-leaf"},
		{name: "switch.role accepts virtual-edge", rule: "switch.role", obj: switchWith(func(s *fabric.SwitchSpec) { s.Role = "virtual-edge" }), ok: true},
		{name: "switch.profile.required rejects", rule: "switch.profile.required", obj: switchWith(func(s *fabric.SwitchSpec) { s.Profile = "" }), path: "spec.profile", msg: "SwitchProfile"},
		{name: "switch.profile.required accepts", rule: "switch.profile.required", obj: switchWith(func(s *fabric.SwitchSpec) {}), ok: true},
		{name: "switch.vlan-namespaces.required rejects raw", rule: "switch.vlan-namespaces.required", raw: true, obj: switchWith(func(s *fabric.SwitchSpec) {}), path: "spec.vlanNamespaces", msg: "at least one"},
		{name: "switch.vlan-namespaces.required accepts defaulted", rule: "switch.vlan-namespaces.required", obj: switchWith(func(s *fabric.SwitchSpec) {}), ok: true},
		{name: "switch.asn.required rejects", rule: "switch.asn.required", obj: switchWith(func(s *fabric.SwitchSpec) { s.ASN = 0 }), path: "spec.asn", msg: "ASN"},
		{name: "switch.asn.required accepts spine", rule: "switch.asn.required", obj: switchWith(spine), ok: true},
		{name: "switch.ip.required rejects", rule: "switch.ip.required", obj: switchWith(func(s *fabric.SwitchSpec) { s.IP = "" }), path: "spec.ip", msg: "management IP"},
		{name: "switch.ip.required accepts", rule: "switch.ip.required", obj: switchWith(func(s *fabric.SwitchSpec) {}), ok: true},
		{name: "switch.ip.cidr rejects", rule: "switch.ip.cidr", obj: switchWith(func(s *fabric.SwitchSpec) { s.IP = "172.30.0.8" }), path: "spec.ip", msg: "prefix length"},
		{name: "switch.ip.cidr accepts", rule: "switch.ip.cidr", obj: switchWith(func(s *fabric.SwitchSpec) { s.IP = "192.168.200.8/24" }), ok: true},
		{name: "switch.protocol-ip.required rejects", rule: "switch.protocol-ip.required", obj: switchWith(func(s *fabric.SwitchSpec) { s.ProtocolIP = "" }), path: "spec.protocolIP", msg: "router ID"},
		{name: "switch.protocol-ip.required accepts", rule: "switch.protocol-ip.required", obj: switchWith(func(s *fabric.SwitchSpec) {}), ok: true},
		{name: "switch.protocol-ip.cidr rejects", rule: "switch.protocol-ip.cidr", obj: switchWith(func(s *fabric.SwitchSpec) { s.ProtocolIP = "172.30.8.2/33" }), path: "spec.protocolIP", msg: "172.30.8.2/33"},
		{name: "switch.protocol-ip.cidr accepts", rule: "switch.protocol-ip.cidr", obj: switchWith(func(s *fabric.SwitchSpec) {}), ok: true},
		{name: "switch.vtep-ip.cidr rejects", rule: "switch.vtep-ip.cidr", obj: switchWith(func(s *fabric.SwitchSpec) { s.VTEPIP = "vtep" }), path: "spec.vtepIP", msg: "VTEP IP"},
		{name: "switch.vtep-ip.cidr accepts", rule: "switch.vtep-ip.cidr", obj: switchWith(func(s *fabric.SwitchSpec) {}), ok: true},
		{name: "switch.protocol-ip.slash32 rejects /24", rule: "switch.protocol-ip.slash32", obj: switchWith(func(s *fabric.SwitchSpec) { s.ProtocolIP = "172.30.8.2/24" }), path: "spec.protocolIP", msg: "172.30.8.2/32"},
		{name: "switch.protocol-ip.slash32 rejects /31 on a spine", rule: "switch.protocol-ip.slash32", obj: switchWith(func(s *fabric.SwitchSpec) { spine(s); s.ProtocolIP = "172.30.8.2/31" }), path: "spec.protocolIP", msg: "/32"},
		{name: "switch.protocol-ip.slash32 accepts /32", rule: "switch.protocol-ip.slash32", obj: switchWith(func(s *fabric.SwitchSpec) { s.ProtocolIP = "172.30.11.255/32" }), ok: true},
		{name: "switch.vtep-ip.slash32 rejects /31 on a leaf", rule: "switch.vtep-ip.slash32", obj: switchWith(func(s *fabric.SwitchSpec) { s.VTEPIP = "172.30.12.0/31" }), path: "spec.vtepIP", msg: "172.30.12.0/32"},
		{name: "switch.vtep-ip.slash32 accepts /32 on a border-leaf", rule: "switch.vtep-ip.slash32", obj: switchWith(func(s *fabric.SwitchSpec) { s.Role = "border-leaf"; s.VTEPIP = "172.30.12.1/32" }), ok: true},
		{name: "switch.vtep-ip.required rejects border-leaf", rule: "switch.vtep-ip.required", obj: switchWith(func(s *fabric.SwitchSpec) { s.Role, s.VTEPIP = "border-leaf", "" }), path: "spec.vtepIP", msg: "border-leaf"},
		{name: "switch.vtep-ip.required accepts mixed-leaf with vtep", rule: "switch.vtep-ip.required", obj: switchWith(func(s *fabric.SwitchSpec) { s.Role = "mixed-leaf" }), ok: true},
		{name: "switch.vtep-ip.spine rejects", rule: "switch.vtep-ip.spine", obj: switchWith(func(s *fabric.SwitchSpec) { spine(s); s.VTEPIP = "172.30.12.9/32" }), path: "spec.vtepIP", msg: "spine"},
		{name: "switch.vtep-ip.spine accepts spine without vtep", rule: "switch.vtep-ip.spine", obj: switchWith(spine), ok: true},
		{name: "switch.redundancy.pair rejects group only", rule: "switch.redundancy.pair", obj: switchWith(func(s *fabric.SwitchSpec) { s.Redundancy.Type = "" }), path: "spec.redundancy.type", msg: "both"},
		{name: "switch.redundancy.pair rejects type only", rule: "switch.redundancy.pair", obj: switchWith(func(s *fabric.SwitchSpec) { s.Redundancy.Group = "" }), path: "spec.redundancy.group", msg: `type "eslag"`},
		{name: "switch.redundancy.pair accepts neither", rule: "switch.redundancy.pair", obj: switchWith(func(s *fabric.SwitchSpec) { s.Redundancy = &fabric.SwitchRedundancy{} }), ok: true},
		{name: "switch.redundancy.type rejects", rule: "switch.redundancy.type", obj: switchWith(func(s *fabric.SwitchSpec) { s.Redundancy.Type = "vpc" }), path: "spec.redundancy.type", msg: "eslag or mclag"},
		{name: "switch.redundancy.type accepts mclag", rule: "switch.redundancy.type", obj: switchWith(func(s *fabric.SwitchSpec) { s.Redundancy.Type = "mclag" }), ok: true},
		{name: "switch.link-flap.threshold rejects 51", rule: "switch.link-flap.threshold", obj: switchWith(func(s *fabric.SwitchSpec) { s.LinkFlapErrDisable.FlapThreshold = new(int32(51)) }), path: "spec.linkFlapErrDisable.flapThreshold", msg: "1-50"},
		{name: "switch.link-flap.threshold rejects 0", rule: "switch.link-flap.threshold", obj: switchWith(func(s *fabric.SwitchSpec) { s.LinkFlapErrDisable.FlapThreshold = new(int32(0)) }), path: "spec.linkFlapErrDisable.flapThreshold", msg: "0"},
		{name: "switch.link-flap.threshold accepts 50", rule: "switch.link-flap.threshold", obj: switchWith(func(s *fabric.SwitchSpec) { s.LinkFlapErrDisable.FlapThreshold = new(int32(50)) }), ok: true},
		{name: "switch.link-flap.recovery rejects", rule: "switch.link-flap.recovery", obj: switchWith(func(s *fabric.SwitchSpec) { s.LinkFlapErrDisable.RecoveryInterval = new(int32(-1)) }), path: "spec.linkFlapErrDisable.recoveryInterval", msg: "0-65534"},
		{name: "switch.link-flap.recovery accepts 0", rule: "switch.link-flap.recovery", obj: switchWith(func(s *fabric.SwitchSpec) { s.LinkFlapErrDisable.RecoveryInterval = new(int32(0)) }), ok: true},
		{name: "switch.link-flap.sampling rejects", rule: "switch.link-flap.sampling", obj: switchWith(func(s *fabric.SwitchSpec) { s.LinkFlapErrDisable.SamplingInterval = new(int32(0)) }), path: "spec.linkFlapErrDisable.samplingInterval", msg: "1-65535"},
		{name: "switch.link-flap.sampling accepts", rule: "switch.link-flap.sampling", obj: switchWith(func(s *fabric.SwitchSpec) { s.LinkFlapErrDisable.SamplingInterval = new(int32(60)) }), ok: true},
		{name: "switch.boot.mac rejects", rule: "switch.boot.mac", obj: switchWith(func(s *fabric.SwitchSpec) { s.Boot.MAC = "0c:20:12:ff:02" }), path: "spec.boot.mac", msg: "MAC address"},
		{name: "switch.boot.mac accepts serial only", rule: "switch.boot.mac", obj: switchWith(func(s *fabric.SwitchSpec) { s.Boot = &fabric.SwitchBoot{Serial: "ABC123"} }), ok: true},
	})
}
