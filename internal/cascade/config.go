package cascade

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"sigs.k8s.io/yaml"
)

// Where the fabric configuration lives in the cluster.
const (
	FabricConfigMapName = "fabric-ctrl-config"
	FabricConfigMapKey  = "config.yaml"
)

// FabricModeSpineLeaf is the only fabric mode the pinned fabric version defines.
const FabricModeSpineLeaf = "spine-leaf"

// VLANRange is an inclusive range of VLAN IDs.
type VLANRange struct {
	From uint16 `json:"from"`
	To   uint16 `json:"to"`
}

// Contains reports whether vlan lies in the range.
func (r VLANRange) Contains(vlan uint16) bool { return vlan >= r.From && vlan <= r.To }

// Overlaps reports whether two ranges share a VLAN.
func (r VLANRange) Overlaps(o VLANRange) bool { return r.From <= o.To && o.From <= r.To }

func (r VLANRange) String() string { return fmt.Sprintf("%d-%d", r.From, r.To) }

// FabricConfig is the part of the fabric configuration (ConfigMap fabric-ctrl-config, key config.yaml)
// that the fabric stage reads. Field names are those of the config file.
type FabricConfig struct {
	ControlVIP             string      `json:"controlVIP,omitempty"`
	VPCIRBVLANRanges       []VLANRange `json:"vpcIRBVLANRange,omitempty"`
	TH5WorkaroundVLANRange []VLANRange `json:"th5WorkaroundVLANRange,omitempty"`
	VPCPeeringDisabled     bool        `json:"vpcPeeringDisabled,omitempty"`
	ReservedSubnets        []string    `json:"reservedSubnets,omitempty"`
	FabricMode             string      `json:"fabricMode,omitempty"`
	FabricMTU              uint16      `json:"fabricMTU,omitempty"`
	ServerFacingMTUOffset  uint16      `json:"serverFacingMTUOffset,omitempty"`
	SpineASN               uint32      `json:"spineASN,omitempty"`
	LeafASNStart           uint32      `json:"leafASNStart,omitempty"`
	LeafASNEnd             uint32      `json:"leafASNEnd,omitempty"`
	ManagementSubnet       string      `json:"managementSubnet,omitempty"`
	ManagementDHCPStart    string      `json:"managementDHCPStart,omitempty"`
	ProtocolSubnet         string      `json:"protocolSubnet,omitempty"`
	VTEPSubnet             string      `json:"vtepSubnet,omitempty"`
	FabricSubnet           string      `json:"fabricSubnet,omitempty"`
	VPCLoopbackSubnet      string      `json:"vpcLoopbackSubnet,omitempty"`
}

// parsedConfig holds the parsed addresses.
type parsedConfig struct {
	controlVIP   netip.Addr
	reserved     []netip.Prefix
	management   netip.Prefix
	mgmtDHCP     netip.Addr
	protocol     netip.Prefix
	vtep         netip.Prefix
	fabricSubnet netip.Prefix
	vpcLoopback  netip.Prefix
}

// DefaultFabricConfig returns hhfab's usual defaults (see RULES-NOTES). The leaf ASN range 65101–65535
// is an assumption: the notes give no default for it.
func DefaultFabricConfig() *FabricConfig {
	c := &FabricConfig{
		ControlVIP:             "172.30.0.1/32",
		VPCIRBVLANRanges:       []VLANRange{{From: 3000, To: 3899}},
		TH5WorkaroundVLANRange: []VLANRange{{From: 3900, To: 3999}},
		FabricMode:             FabricModeSpineLeaf,
		FabricMTU:              9100,
		ServerFacingMTUOffset:  64,
		SpineASN:               65100,
		LeafASNStart:           65101,
		LeafASNEnd:             65535,
		ManagementSubnet:       "172.30.0.0/21",
		ManagementDHCPStart:    "172.30.4.0",
		ProtocolSubnet:         "172.30.8.0/22",
		VTEPSubnet:             "172.30.12.0/22",
		FabricSubnet:           "172.30.128.0/17",
		VPCLoopbackSubnet:      "172.30.96.0/19",
	}
	c.ReservedSubnets = []string{
		"172.28.0.0/16", "172.29.0.0/16",
		c.ManagementSubnet, c.ProtocolSubnet, c.VTEPSubnet, c.VPCLoopbackSubnet, c.FabricSubnet,
	}
	if err := c.Validate(); err != nil {
		panic("cascade: default fabric config invalid: " + err.Error())
	}
	return c
}

// ParseFabricConfig decodes config.yaml of the fabric-ctrl-config ConfigMap (unknown fields are
// ignored) and validates it.
func ParseFabricConfig(data []byte) (*FabricConfig, error) {
	c := &FabricConfig{}
	if err := yaml.Unmarshal(data, c); err != nil {
		return nil, fmt.Errorf("fabric config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks the configuration for consistency.
func (c *FabricConfig) Validate() error {
	_, err := c.parse()
	return err
}

// parse validates the configuration and returns its parsed addresses.
func (c *FabricConfig) parse() (*parsedConfig, error) {
	var errs []error
	p := &parsedConfig{}
	pfx := func(field, s string, required bool) netip.Prefix {
		if s == "" {
			if required {
				errs = append(errs, fmt.Errorf("%s is required", field))
			}
			return netip.Prefix{}
		}
		v, err := netip.ParsePrefix(s)
		if err != nil || !v.Addr().Is4() {
			errs = append(errs, fmt.Errorf("%s: %q is not an IPv4 CIDR", field, s))
			return netip.Prefix{}
		}
		return v
	}
	if c.ControlVIP != "" {
		s := c.ControlVIP
		if !strings.Contains(s, "/") {
			s += "/32"
		}
		if v, err := netip.ParsePrefix(s); err != nil || !v.Addr().Is4() {
			errs = append(errs, fmt.Errorf("controlVIP: %q is not an IPv4 address", c.ControlVIP))
		} else {
			p.controlVIP = v.Addr()
		}
	}
	for i, s := range c.ReservedSubnets {
		if v := pfx(fmt.Sprintf("reservedSubnets[%d]", i), s, true); v.IsValid() {
			p.reserved = append(p.reserved, v.Masked())
		}
	}
	p.management = pfx("managementSubnet", c.ManagementSubnet, true)
	p.protocol = pfx("protocolSubnet", c.ProtocolSubnet, true)
	p.vtep = pfx("vtepSubnet", c.VTEPSubnet, true)
	p.fabricSubnet = pfx("fabricSubnet", c.FabricSubnet, true)
	p.vpcLoopback = pfx("vpcLoopbackSubnet", c.VPCLoopbackSubnet, false)
	if c.ManagementDHCPStart != "" {
		a, err := netip.ParseAddr(c.ManagementDHCPStart)
		switch {
		case err != nil || !a.Is4():
			errs = append(errs, fmt.Errorf("managementDHCPStart: %q is not an IPv4 address", c.ManagementDHCPStart))
		case p.management.IsValid() && !p.management.Contains(a):
			errs = append(errs, fmt.Errorf("managementDHCPStart %s is outside managementSubnet %s", a, p.management))
		default:
			p.mgmtDHCP = a
		}
	}
	if p.controlVIP.IsValid() && p.management.IsValid() && !p.management.Contains(p.controlVIP) {
		errs = append(errs, fmt.Errorf("controlVIP %s is outside managementSubnet %s", p.controlVIP, p.management))
	}
	checkRanges := func(field string, rs []VLANRange) {
		for i, r := range rs {
			if r.From < 1 || r.From > r.To || r.To > 4094 {
				errs = append(errs, fmt.Errorf("%s[%d]: invalid VLAN range %s", field, i, r))
			}
		}
	}
	checkRanges("vpcIRBVLANRange", c.VPCIRBVLANRanges)
	checkRanges("th5WorkaroundVLANRange", c.TH5WorkaroundVLANRange)
	if c.FabricMode != "" && c.FabricMode != FabricModeSpineLeaf {
		errs = append(errs, fmt.Errorf("fabricMode %q is not supported (only %q)", c.FabricMode, FabricModeSpineLeaf))
	}
	if c.FabricMTU == 0 {
		errs = append(errs, errors.New("fabricMTU is required"))
	} else if c.ServerFacingMTUOffset >= c.FabricMTU {
		errs = append(errs, fmt.Errorf("serverFacingMTUOffset %d must be below fabricMTU %d", c.ServerFacingMTUOffset, c.FabricMTU))
	}
	if c.LeafASNStart == 0 || c.LeafASNEnd == 0 || c.LeafASNStart > c.LeafASNEnd {
		errs = append(errs, fmt.Errorf("leaf ASN range %d-%d is invalid", c.LeafASNStart, c.LeafASNEnd))
	} else if c.SpineASN >= c.LeafASNStart && c.SpineASN <= c.LeafASNEnd {
		errs = append(errs, fmt.Errorf("spineASN %d must lie outside the leaf ASN range %d-%d", c.SpineASN, c.LeafASNStart, c.LeafASNEnd))
	}
	if c.SpineASN == 0 {
		errs = append(errs, errors.New("spineASN is required"))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("fabric config: %w", errors.Join(errs...))
	}
	return p, nil
}

// ServerFacingMTU is the highest MTU allowed on server-facing interfaces (DHCP interfaceMTU).
func (c *FabricConfig) ServerFacingMTU() uint16 { return c.FabricMTU - c.ServerFacingMTUOffset }

// Summary lists the values the rules read, as a reader would check them against the fabric's own
// configuration (e.g. when these are defaults standing in for a configuration that could not be read).
func (c *FabricConfig) Summary() string {
	ranges := func(rs []VLANRange) string {
		parts := make([]string, len(rs))
		for i, r := range rs {
			parts[i] = r.String()
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprintf("controlVIP %s, vpcIRBVLANRange %s, th5WorkaroundVLANRange %s, vpcPeeringDisabled %t, fabricMode %s, fabricMTU %d, serverFacingMTUOffset %d, spineASN %d, leaf ASNs %d-%d, managementSubnet %s, managementDHCPStart %s, protocolSubnet %s, vtepSubnet %s, fabricSubnet %s, vpcLoopbackSubnet %s, reservedSubnets %s",
		c.ControlVIP, ranges(c.VPCIRBVLANRanges), ranges(c.TH5WorkaroundVLANRange), c.VPCPeeringDisabled, c.FabricMode, c.FabricMTU, c.ServerFacingMTUOffset,
		c.SpineASN, c.LeafASNStart, c.LeafASNEnd, c.ManagementSubnet, c.ManagementDHCPStart, c.ProtocolSubnet, c.VTEPSubnet, c.FabricSubnet, c.VPCLoopbackSubnet,
		strings.Join(c.ReservedSubnets, ", "))
}
