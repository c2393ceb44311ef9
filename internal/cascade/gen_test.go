package cascade

import (
	"fmt"
	"net/netip"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// genPortsPerLeaf is the number of server ports per generated leaf (E1/9–E1/48 of profile vs).
const genPortsPerLeaf = 40

// genFabric scales the shape of the nvidia-air-demo sample to about n objects: 2 spines, leaves with 40
// unbundled servers each, one VPC attachment per server connection, VPCs with one subnet each and a
// few peerings. Names, IPs, ASNs, VLANs and ports are unique so that the fabric is valid under
// DefaultFabricConfig. Objects are defaulted.
func genFabric(n int) []fabric.Object {
	vpcs := max(2, n/13)
	leaves := max(1, (n-vpcs-8)/(3*genPortsPerLeaf+3))
	meta := func(name string) fabric.ObjectMeta { return fabric.ObjectMeta{Name: name, Namespace: "default"} }
	objs := BuiltinSwitchProfiles()
	spineProfile := virtualProfile("gen-spine", "generated spine", 512)
	objs = append(objs, spineProfile,
		&fabric.VLANNamespace{Kind: fabric.KindVLANNamespace, Metadata: meta("default"),
			Spec: fabric.VLANNamespaceSpec{Ranges: []fabric.VLANRange{{From: 1000, To: 2999}}}},
		&fabric.IPv4Namespace{Kind: fabric.KindIPv4Namespace, Metadata: meta("default"),
			Spec: fabric.IPv4NamespaceSpec{Subnets: []string{"10.0.0.0/8"}}},
	)
	addr := func(base string, off int) netip.Addr {
		a := netip.MustParseAddr(base).As4()
		v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
		v += uint32(off)
		return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	sw := 0
	newSwitch := func(name, role, profile string, asn uint32, vtep bool) *fabric.Switch {
		s := &fabric.Switch{Kind: fabric.KindSwitch, Metadata: meta(name), Spec: fabric.SwitchSpec{
			Role: role, Profile: profile, ASN: asn,
			IP:             addr("172.30.0.10", sw).String() + "/21",
			ProtocolIP:     addr("172.30.8.0", sw).String() + "/32",
			VLANNamespaces: []string{"default"},
			Boot:           &fabric.SwitchBoot{MAC: fmt.Sprintf("0c:20:12:ff:%02x:%02x", sw/256, sw%256)},
		}}
		if vtep {
			s.Spec.VTEPIP = addr("172.30.12.0", sw).String() + "/32"
		}
		sw++
		return s
	}
	const spines = 2
	for s := 0; s < spines; s++ {
		objs = append(objs, newSwitch(fmt.Sprintf("spine-%02d", s), RoleSpine, "gen-spine", 65100, false))
	}
	for v := 0; v < vpcs; v++ {
		objs = append(objs, &fabric.VPC{Kind: fabric.KindVPC, Metadata: meta(fmt.Sprintf("vpc-%05d", v)), Spec: fabric.VPCSpec{
			Subnets: map[string]*fabric.VPCSubnet{"default": {
				Subnet: fmt.Sprintf("10.%d.%d.0/24", v/256, v%256),
				VLAN:   uint16(1000 + v%2000),
				DHCP:   &fabric.VPCDHCP{Enable: true},
			}},
		}})
	}
	for v := 0; v+1 < vpcs && v < vpcs/5; v += 2 {
		a, b := fmt.Sprintf("vpc-%05d", v), fmt.Sprintf("vpc-%05d", v+1)
		objs = append(objs, &fabric.VPCPeering{Kind: fabric.KindVPCPeering, Metadata: meta(a + "--" + b), Spec: fabric.VPCPeeringSpec{
			Permit: []map[string]fabric.VPCPeer{{a: {Subnets: []string{"default"}}, b: {Subnets: []string{"default"}}}},
		}})
	}
	link := 0
	att := 0
	for l := 0; l < leaves; l++ {
		leaf := fmt.Sprintf("leaf-%04d", l)
		objs = append(objs, newSwitch(leaf, RoleServerLeaf, "vs", uint32(65101+l), true))
		for s := 0; s < spines; s++ {
			spine := fmt.Sprintf("spine-%02d", s)
			spineIP, leafIP := addr("172.30.128.0", 2*link), addr("172.30.128.1", 2*link)
			link++
			objs = append(objs, &fabric.Connection{Kind: fabric.KindConnection, Metadata: meta(spine + "--fabric--" + leaf),
				Spec: fabric.ConnectionSpec{Fabric: &fabric.ConnFabric{Links: []fabric.FabricLink{{
					Spine: fabric.IPPortName{IP: spineIP.String() + "/31", Port: fmt.Sprintf("%s/E1/%d", spine, l+1)},
					Leaf:  fabric.IPPortName{IP: leafIP.String() + "/31", Port: fmt.Sprintf("%s/E1/%d", leaf, s+1)},
				}}}}})
		}
		for p := 0; p < genPortsPerLeaf; p++ {
			server := fmt.Sprintf("server-%04d-%02d", l, p)
			conn := server + "--unbundled--" + leaf
			objs = append(objs,
				&fabric.Server{Kind: fabric.KindServer, Metadata: meta(server)},
				&fabric.Connection{Kind: fabric.KindConnection, Metadata: meta(conn), Spec: fabric.ConnectionSpec{
					Unbundled: &fabric.ConnUnbundled{Link: fabric.ServerToSwitchLink{
						Server: fabric.BasePortName{Port: server + "/enp2s1"},
						Switch: fabric.BasePortName{Port: fmt.Sprintf("%s/E1/%d", leaf, 9+p)},
					}}}},
				&fabric.VPCAttachment{Kind: fabric.KindVPCAttachment, Metadata: meta(fmt.Sprintf("att-%06d", att)), Spec: fabric.VPCAttachmentSpec{
					Connection: conn, Subnet: fmt.Sprintf("vpc-%05d/default", att%vpcs),
				}},
			)
			att++
		}
	}
	for _, o := range objs {
		if ki, ok := fabric.LookupKind(o.GetKind()); ok {
			setAPIVersion(o, ki.APIVersion())
		}
		fabric.Default(o)
	}
	return objs
}

func setAPIVersion(o fabric.Object, av string) {
	switch t := o.(type) {
	case *fabric.VPC:
		t.APIVersion = av
	case *fabric.VPCAttachment:
		t.APIVersion = av
	case *fabric.VPCPeering:
		t.APIVersion = av
	case *fabric.VLANNamespace:
		t.APIVersion = av
	case *fabric.IPv4Namespace:
		t.APIVersion = av
	case *fabric.Switch:
		t.APIVersion = av
	case *fabric.SwitchProfile:
		t.APIVersion = av
	case *fabric.Server:
		t.APIVersion = av
	case *fabric.Connection:
		t.APIVersion = av
	}
}
