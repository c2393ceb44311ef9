package fabric

import (
	"os"
	"reflect"
	"testing"
)

func TestConnectionLinkTypeAndPorts(t *testing.T) {
	c := mustDecodeOne(t, `apiVersion: wiring.githedgehog.com/v1beta1
kind: Connection
metadata: {name: c}
spec:
  mclag:
    links:
    - server: {port: srv-1/enp2s1}
      switch: {port: leaf-2/E1/4/1}
    - server: {port: srv-1/enp2s2}
      switch: {port: leaf-1/E1/5}
`).(*Connection)
	lt, n := c.LinkType()
	if lt != LinkMCLAG || n != 1 {
		t.Errorf("LinkType = %s, %d", lt, n)
	}
	ports := c.Ports()
	if len(ports) != 4 {
		t.Fatalf("ports %+v", ports)
	}
	want := PortRef{Path: "spec.mclag.links[0].switch.port", Port: "leaf-2/E1/4/1", Device: "leaf-2", Name: "E1/4/1", Role: RoleSwitch}
	if ports[1] != want {
		t.Errorf("got %+v want %+v", ports[1], want)
	}
	if !reflect.DeepEqual(c.Switches(), []string{"leaf-1", "leaf-2"}) || !reflect.DeepEqual(c.Servers(), []string{"srv-1"}) {
		t.Errorf("switches %v servers %v", c.Switches(), c.Servers())
	}
}

func TestConnectionMultipleAndNone(t *testing.T) {
	c := &Connection{}
	if lt, n := c.LinkType(); lt != "" || n != 0 {
		t.Errorf("empty: %s %d", lt, n)
	}
	c.Spec.Fabric = &ConnFabric{Links: []FabricLink{{Spine: IPPortName{IP: "172.30.128.0/31", Port: "spine-1/E1/1"}, Leaf: IPPortName{IP: "172.30.128.1/31", Port: "leaf-1/E1/9"}}}}
	c.Spec.Gateway = &ConnGateway{Links: []GatewayLink{{Switch: IPPortName{Port: "spine-1/E1/2"}, Gateway: IPPortName{IP: "10.0.0.1/31", Port: "gw-1/enp1"}}}}
	c.Spec.StaticExternal = &ConnStaticExternal{Link: ConnStaticExternalLink{Switch: ConnStaticExternalLinkSwitch{IP: "1.1.1.1/24", Port: "bad"}}}
	if lt, n := c.LinkType(); lt != LinkFabric || n != 3 {
		t.Errorf("got %s %d", lt, n)
	}
	ports := c.Ports()
	if len(ports) != 5 || ports[4].Path != "spec.staticExternal.link.switch.port" || ports[4].Device != "" {
		t.Errorf("ports %+v", ports)
	}
	if !reflect.DeepEqual(c.Switches(), []string{"leaf-1", "spine-1"}) || !reflect.DeepEqual(c.Gateways(), []string{"gw-1"}) || c.Servers() != nil {
		t.Errorf("switches %v gateways %v", c.Switches(), c.Gateways())
	}
	ips := c.IPs()
	if len(ips) != 4 || ips[0].Path != "spec.fabric.links[0].spine.ip" || ips[2].Role != RoleGateway || ips[2].Device != "gw-1" {
		t.Errorf("ips %+v", ips)
	}
}

func TestConnectionSamplesHaveOneLinkType(t *testing.T) {
	data, _ := os.ReadFile("testdata/samples/nvidia-air-demo--include.yaml")
	objs, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range objs {
		c, ok := o.(*Connection)
		if !ok {
			continue
		}
		n++
		if _, cnt := c.LinkType(); cnt != 1 {
			t.Errorf("%s: %d link types", Key(c), cnt)
		}
		for _, p := range c.Ports() {
			if p.Device == "" || p.Name == "" {
				t.Errorf("%s: unparsed port %+v", Key(c), p)
			}
		}
		if len(c.Switches()) == 0 {
			t.Errorf("%s: no switches", Key(c))
		}
	}
	if n != 80 {
		t.Errorf("want 80 connections, got %d", n)
	}
}
