package spec

import (
	"github.com/githedgehog/terraform-provider-hedgehog/internal/cascade/diag"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// Link-flap errdisable bounds from the Switch CRD.
const (
	minFlapThreshold = 1
	maxFlapThreshold = 50
	maxRecovery      = 65534
	minSampling      = 1
	maxSampling      = 65535
)

func isLeafRole(r string) bool { return r == "server-leaf" || r == "border-leaf" || r == "mixed-leaf" }

func validateSwitch(b *diag.Builder, o *fabric.Switch) {
	s := &o.Spec
	switch s.Role {
	case "spine", "server-leaf", "border-leaf", "mixed-leaf", "virtual-edge":
	default:
		b.Errorf("switch.role", diag.F("spec", "role"), "invalid switch role",
			"role %q must be one of spine, server-leaf, border-leaf, mixed-leaf, virtual-edge.", s.Role)
	}
	if s.Profile == "" {
		b.Errorf("switch.profile.required", diag.F("spec", "profile"), "profile is required",
			"a Switch names its SwitchProfile (the switch model, e.g. \"vs\" for virtual switches); set profile.")
	}
	if len(s.VLANNamespaces) == 0 {
		b.Errorf("switch.vlan-namespaces.required", diag.F("spec", "vlanNamespaces"), "at least one VLAN namespace is required",
			"a Switch takes VPC VLANs from its VLAN namespaces; list at least one (the fabric's default is \"default\").")
	}
	if s.ASN == 0 {
		b.Errorf("switch.asn.required", diag.F("spec", "asn"), "ASN is required",
			"the fabric runs BGP on every switch, so each Switch needs an ASN.")
	}
	checkSwitchCIDR(b, "ip", "switch.ip", s.IP, true, "the management IP")
	checkSwitchCIDR(b, "protocolIP", "switch.protocol-ip", s.ProtocolIP, true, "the protocol IP (BGP router ID)")
	checkSwitchCIDR(b, "vtepIP", "switch.vtep-ip", s.VTEPIP, false, "the VTEP IP")
	// The protocol IP is the switch's BGP router ID and the VTEP IP a loopback: both are single
	// addresses, so the fabric requires /32 (the VTEP IP on leaves, the only switches that use one).
	if p, ok := parsePrefix4(s.ProtocolIP); ok && p.Bits() != 32 {
		b.Errorf("switch.protocol-ip.slash32", diag.F("spec", "protocolIP"), "protocolIP is not a /32",
			"protocolIP %s has prefix length %d; the protocol IP is a loopback address and must be a /32, e.g. %s/32.", s.ProtocolIP, p.Bits(), p.Addr())
	}
	if p, ok := parsePrefix4(s.VTEPIP); ok && isLeafRole(s.Role) && p.Bits() != 32 {
		b.Errorf("switch.vtep-ip.slash32", diag.F("spec", "vtepIP"), "vtepIP is not a /32",
			"vtepIP %s has prefix length %d; the VTEP IP of a leaf is a loopback address and must be a /32, e.g. %s/32.", s.VTEPIP, p.Bits(), p.Addr())
	}
	switch {
	case isLeafRole(s.Role) && s.VTEPIP == "":
		b.Errorf("switch.vtep-ip.required", diag.F("spec", "vtepIP"), "leaf switches need a VTEP IP",
			"a %s in a spine-leaf fabric terminates VXLAN tunnels and needs vtepIP (e.g. 172.30.12.0/32).", s.Role)
	case s.Role == "spine" && s.VTEPIP != "":
		b.Errorf("switch.vtep-ip.spine", diag.F("spec", "vtepIP"), "spine switches have no VTEP IP",
			"spines do not terminate VXLAN tunnels; the fabric rejects vtepIP on a spine. Remove it.")
	}
	if r := s.Redundancy; r != nil {
		if (r.Group == "") != (r.Type == "") {
			missing := "group" // the finding sits on the field that is missing
			if r.Type == "" {
				missing = "type"
			}
			b.Errorf("switch.redundancy.pair", diag.F("spec", "redundancy", missing), "redundancy group and type go together",
				"redundancy group %q and type %q: set both (e.g. a group and type eslag) or neither.", r.Group, r.Type)
		}
		if r.Type != "" && r.Type != "eslag" && r.Type != "mclag" {
			b.Errorf("switch.redundancy.type", diag.F("spec", "redundancy", "type"), "invalid redundancy type",
				"redundancy type %q must be eslag or mclag.", r.Type)
		}
	}
	if lf := s.LinkFlapErrDisable; lf != nil {
		if v := lf.FlapThreshold; v != nil && (*v < minFlapThreshold || *v > maxFlapThreshold) {
			b.Errorf("switch.link-flap.threshold", diag.F("spec", "linkFlapErrDisable", "flapThreshold"), "flapThreshold is out of range",
				"flapThreshold %d must be 1-50 link-down events.", *v)
		}
		if v := lf.RecoveryInterval; v != nil && (*v < 0 || *v > maxRecovery) {
			b.Errorf("switch.link-flap.recovery", diag.F("spec", "linkFlapErrDisable", "recoveryInterval"), "recoveryInterval is out of range",
				"recoveryInterval %d must be 0-65534 seconds (0 means never re-enable automatically).", *v)
		}
		if v := lf.SamplingInterval; v != nil && (*v < minSampling || *v > maxSampling) {
			b.Errorf("switch.link-flap.sampling", diag.F("spec", "linkFlapErrDisable", "samplingInterval"), "samplingInterval is out of range",
				"samplingInterval %d must be 1-65535 seconds.", *v)
		}
	}
	if bt := s.Boot; bt != nil && bt.MAC != "" && !isMAC(bt.MAC) {
		b.Errorf("switch.boot.mac", diag.F("spec", "boot", "mac"), "boot.mac is not a MAC address",
			"boot.mac %q identifies the switch's management port and must be a MAC address such as 0c:20:12:ff:02:00.", bt.MAC)
	}
}

// checkSwitchCIDR checks an address-with-prefix field of a Switch.
func checkSwitchCIDR(b *diag.Builder, field, rule, v string, required bool, what string) {
	if v == "" {
		if required {
			b.Errorf(rule+".required", diag.F("spec", field), field+" is required",
				"%s of the switch is required; set %s as an IPv4 address with prefix length.", what, field)
		}
		return
	}
	if _, ok := parsePrefix4(v); !ok {
		b.Errorf(rule+".cidr", diag.F("spec", field), field+" is not an IPv4 CIDR",
			"%s %q must be an IPv4 address with prefix length, e.g. 172.30.8.2/32.", what, v)
	}
}
