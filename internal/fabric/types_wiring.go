package fabric

// VLANNamespace is a pool of VLAN ranges (wiring.githedgehog.com/v1beta1).
type VLANNamespace struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   ObjectMeta        `json:"metadata"`
	Spec       VLANNamespaceSpec `json:"spec"`
	Status     map[string]any    `json:"status,omitempty"`
}

// VLANNamespaceSpec is the desired state of a VLANNamespace.
type VLANNamespaceSpec struct {
	Ranges []VLANRange `json:"ranges,omitempty"`
}

// VLANRange is an inclusive VLAN range.
type VLANRange struct {
	From uint16 `json:"from,omitempty"`
	To   uint16 `json:"to,omitempty"`
}

// Switch is a fabric switch.
type Switch struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   ObjectMeta     `json:"metadata"`
	Spec       SwitchSpec     `json:"spec"`
	Status     map[string]any `json:"status,omitempty"`
}

// SwitchSpec is the desired state of a Switch.
type SwitchSpec struct {
	ASN                uint32                    `json:"asn,omitempty"`
	Boot               *SwitchBoot               `json:"boot,omitempty"`
	Description        string                    `json:"description,omitempty"`
	ECMP               *SwitchECMP               `json:"ecmp,omitempty"`
	EnableAllPorts     bool                      `json:"enableAllPorts,omitempty"`
	Groups             []string                  `json:"groups,omitempty"`
	IP                 string                    `json:"ip,omitempty"`
	LinkFlapErrDisable *SwitchLinkFlapErrDisable `json:"linkFlapErrDisable,omitempty"`
	PortAutoNegs       map[string]bool           `json:"portAutoNegs,omitempty"`
	PortBreakouts      map[string]string         `json:"portBreakouts,omitempty"`
	PortFECs           map[string]string         `json:"portFECs,omitempty"`
	PortGroupSpeeds    map[string]string         `json:"portGroupSpeeds,omitempty"`
	PortSpeeds         map[string]string         `json:"portSpeeds,omitempty"`
	Profile            string                    `json:"profile,omitempty"`
	ProtocolIP         string                    `json:"protocolIP,omitempty"`
	Redundancy         *SwitchRedundancy         `json:"redundancy,omitempty"`
	RoCE               bool                      `json:"roce,omitempty"`
	Role               string                    `json:"role"`
	VLANNamespaces     []string                  `json:"vlanNamespaces,omitempty"`
	VTEPIP             string                    `json:"vtepIP,omitempty"`
}

// SwitchBoot identifies a switch for booting (MAC or serial).
type SwitchBoot struct {
	MAC    string `json:"mac,omitempty"`
	Serial string `json:"serial,omitempty"`
}

// SwitchECMP is the ECMP configuration of a switch.
type SwitchECMP struct {
	RoCEQPN bool `json:"roceQPN,omitempty"`
}

// SwitchLinkFlapErrDisable is link-flap errdisable protection. Fields are
// pointers because 0 is meaningful for recoveryInterval and unset fields get
// CRD defaults (3, 300, 30).
type SwitchLinkFlapErrDisable struct {
	FlapThreshold    *int32 `json:"flapThreshold,omitempty"`
	RecoveryInterval *int32 `json:"recoveryInterval,omitempty"`
	SamplingInterval *int32 `json:"samplingInterval,omitempty"`
}

// SwitchRedundancy is the redundancy group of a switch.
type SwitchRedundancy struct {
	Group string `json:"group,omitempty"`
	Type  string `json:"type,omitempty"`
}

// SwitchGroup groups switches (e.g. for redundancy). Its spec is empty.
type SwitchGroup struct {
	APIVersion string          `json:"apiVersion"`
	Kind       string          `json:"kind"`
	Metadata   ObjectMeta      `json:"metadata"`
	Spec       SwitchGroupSpec `json:"spec"`
	Status     map[string]any  `json:"status,omitempty"`
}

// SwitchGroupSpec is empty.
type SwitchGroupSpec struct{}

// SwitchProfile describes a switch model (ports, features).
type SwitchProfile struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   ObjectMeta        `json:"metadata"`
	Spec       SwitchProfileSpec `json:"spec"`
	Status     map[string]any    `json:"status,omitempty"`
}

// SwitchProfileSpec is the desired state of a SwitchProfile.
type SwitchProfileSpec struct {
	Config        *SwitchProfileConfig                `json:"config,omitempty"`
	DisplayName   string                              `json:"displayName,omitempty"`
	Features      *SwitchProfileFeatures              `json:"features,omitempty"`
	MaxPorts      int                                 `json:"maxPorts,omitempty"`
	NOSType       string                              `json:"nosType,omitempty"`
	Notes         string                              `json:"notes,omitempty"`
	OtherNames    []string                            `json:"otherNames,omitempty"`
	Pipelines     map[string]SwitchProfilePipeline    `json:"pipelines,omitempty"`
	Platform      string                              `json:"platform,omitempty"`
	PortGroups    map[string]SwitchProfilePortGroup   `json:"portGroups,omitempty"`
	PortProfiles  map[string]SwitchProfilePortProfile `json:"portProfiles,omitempty"`
	Ports         map[string]SwitchProfilePort        `json:"ports,omitempty"`
	SwitchSilicon string                              `json:"switchSilicon,omitempty"`
}

// SwitchProfileConfig is switch-model-specific configuration.
type SwitchProfileConfig struct {
	MaxPathsEBGP uint32 `json:"maxPathsEBGP,omitempty"`
}

// SwitchProfileFeatures lists features a switch model supports.
type SwitchProfileFeatures struct {
	ACLs          bool `json:"acls,omitempty"`
	ECMPRoCEQPN   bool `json:"ecmpRoCEQPN,omitempty"`
	ESLAG         bool `json:"eslag,omitempty"`
	L2VNI         bool `json:"l2vni,omitempty"`
	L3VNI         bool `json:"l3vni,omitempty"`
	MCLAG         bool `json:"mclag,omitempty"`
	RoCE          bool `json:"roce,omitempty"`
	Subinterfaces bool `json:"subinterfaces,omitempty"`
}

// SwitchProfilePipeline is a forwarding pipeline of a switch model.
type SwitchProfilePipeline struct {
	MaxPorts int `json:"maxPorts,omitempty"`
}

// SwitchProfilePortGroup is a port group of a switch model.
type SwitchProfilePortGroup struct {
	NOS     string `json:"nos,omitempty"`
	Profile string `json:"profile,omitempty"`
}

// SwitchProfilePortProfile describes speeds/breakouts a port supports.
type SwitchProfilePortProfile struct {
	AutoNegAllowed bool                       `json:"autoNegAllowed,omitempty"`
	AutoNegDefault bool                       `json:"autoNegDefault,omitempty"`
	Breakout       *SwitchProfilePortBreakout `json:"breakout,omitempty"`
	Speed          *SwitchProfilePortSpeed    `json:"speed,omitempty"`
}

// SwitchProfilePortBreakout lists breakout modes of a port profile.
type SwitchProfilePortBreakout struct {
	Default   string                                   `json:"default,omitempty"`
	Supported map[string]SwitchProfilePortBreakoutMode `json:"supported,omitempty"`
}

// SwitchProfilePortBreakoutMode is one breakout mode (lane offsets).
type SwitchProfilePortBreakoutMode struct {
	Offsets []string `json:"offsets,omitempty"`
}

// SwitchProfilePortSpeed lists speeds of a port profile.
type SwitchProfilePortSpeed struct {
	Default   string   `json:"default,omitempty"`
	Supported []string `json:"supported,omitempty"`
}

// SwitchProfilePort is one port of a switch model, keyed by name like "E1/1".
type SwitchProfilePort struct {
	BaseNOSName  string `json:"baseNOSName,omitempty"`
	Group        string `json:"group,omitempty"`
	Label        string `json:"label,omitempty"`
	Management   bool   `json:"management,omitempty"`
	NOS          string `json:"nos,omitempty"`
	ONIEPortName string `json:"oniePortName,omitempty"`
	Pipeline     string `json:"pipeline,omitempty"`
	Profile      string `json:"profile,omitempty"`
}

// Server is a server connected to the fabric.
type Server struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   ObjectMeta     `json:"metadata"`
	Spec       ServerSpec     `json:"spec"`
	Status     map[string]any `json:"status,omitempty"`
}

// ServerSpec is the desired state of a Server.
type ServerSpec struct {
	Description string `json:"description,omitempty"`
	Profile     string `json:"profile,omitempty"`
}

// ServerProfile describes a server model's NICs.
type ServerProfile struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   ObjectMeta        `json:"metadata"`
	Spec       ServerProfileSpec `json:"spec"`
	Status     map[string]any    `json:"status,omitempty"`
}

// ServerProfileSpec is the desired state of a ServerProfile.
type ServerProfileSpec struct {
	NICs []ServerProfileNIC `json:"nics,omitempty"`
}

// ServerProfileNIC is one NIC of a server model.
type ServerProfileNIC struct {
	Name  string                 `json:"name,omitempty"`
	Ports []ServerProfileNICPort `json:"ports,omitempty"`
}

// ServerProfileNICPort is one port of a NIC.
type ServerProfileNICPort struct {
	Name string `json:"name,omitempty"`
}

// Connection is a physical connection between devices; exactly one link type
// should be set.
type Connection struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   ObjectMeta     `json:"metadata"`
	Spec       ConnectionSpec `json:"spec"`
	Status     map[string]any `json:"status,omitempty"`
}

// ConnectionSpec holds the link types of a Connection as optional pointers.
type ConnectionSpec struct {
	Bundled        *ConnBundled        `json:"bundled,omitempty"`
	ESLAG          *ConnESLAG          `json:"eslag,omitempty"`
	External       *ConnExternal       `json:"external,omitempty"`
	Fabric         *ConnFabric         `json:"fabric,omitempty"`
	Gateway        *ConnGateway        `json:"gateway,omitempty"`
	MCLAG          *ConnMCLAG          `json:"mclag,omitempty"`
	MCLAGDomain    *ConnMCLAGDomain    `json:"mclagDomain,omitempty"`
	Mesh           *ConnMesh           `json:"mesh,omitempty"`
	StaticExternal *ConnStaticExternal `json:"staticExternal,omitempty"`
	Unbundled      *ConnUnbundled      `json:"unbundled,omitempty"`
	VPCLoopback    *ConnVPCLoopback    `json:"vpcLoopback,omitempty"`
}

// BasePortName is a "<device>/<port>" reference.
type BasePortName struct {
	Port string `json:"port,omitempty"`
}

// IPPortName is a "<device>/<port>" reference with an IP (CIDR).
type IPPortName struct {
	IP   string `json:"ip,omitempty"`
	Port string `json:"port,omitempty"`
}

// ServerToSwitchLink is a link between a server port and a switch port.
type ServerToSwitchLink struct {
	Server BasePortName `json:"server"`
	Switch BasePortName `json:"switch"`
}

// SwitchToSwitchLink is a link between two switch ports.
type SwitchToSwitchLink struct {
	Switch1 BasePortName `json:"switch1"`
	Switch2 BasePortName `json:"switch2"`
}

// ConnUnbundled is a single server-to-switch link.
type ConnUnbundled struct {
	Link ServerToSwitchLink `json:"link"`
	MTU  uint16             `json:"mtu,omitempty"`
}

// ConnBundled is a port channel from a server to one switch.
type ConnBundled struct {
	Fallback bool                 `json:"fallback,omitempty"`
	Links    []ServerToSwitchLink `json:"links,omitempty"`
	MTU      uint16               `json:"mtu,omitempty"`
}

// ConnESLAG is an ESLAG (EVPN multihoming) connection.
type ConnESLAG struct {
	Fallback bool                 `json:"fallback,omitempty"`
	Links    []ServerToSwitchLink `json:"links,omitempty"`
	MTU      uint16               `json:"mtu,omitempty"`
}

// ConnMCLAG is an MCLAG connection.
type ConnMCLAG struct {
	Fallback bool                 `json:"fallback,omitempty"`
	Links    []ServerToSwitchLink `json:"links,omitempty"`
	MTU      uint16               `json:"mtu,omitempty"`
}

// ConnMCLAGDomain is the MCLAG peer/session links between two switches.
type ConnMCLAGDomain struct {
	PeerLinks    []SwitchToSwitchLink `json:"peerLinks,omitempty"`
	SessionLinks []SwitchToSwitchLink `json:"sessionLinks,omitempty"`
}

// ConnFabric is a set of spine-to-leaf links.
type ConnFabric struct {
	Links []FabricLink `json:"links,omitempty"`
}

// FabricLink is a spine-to-leaf link.
type FabricLink struct {
	Leaf  IPPortName `json:"leaf"`
	Spine IPPortName `json:"spine"`
}

// ConnMesh is a set of leaf-to-leaf links.
type ConnMesh struct {
	Links []MeshLink `json:"links,omitempty"`
}

// MeshLink is a leaf-to-leaf link.
type MeshLink struct {
	Leaf1 IPPortName `json:"leaf1"`
	Leaf2 IPPortName `json:"leaf2"`
}

// ConnGateway is a set of switch-to-gateway links.
type ConnGateway struct {
	Links []GatewayLink `json:"links,omitempty"`
}

// GatewayLink is a switch-to-gateway link.
type GatewayLink struct {
	Gateway IPPortName `json:"gateway"`
	Switch  IPPortName `json:"switch"`
}

// ConnVPCLoopback is a set of loopback links on one switch.
type ConnVPCLoopback struct {
	Links []SwitchToSwitchLink `json:"links,omitempty"`
}

// ConnExternal is a BGP external link on a switch port.
type ConnExternal struct {
	Link ConnExternalLink `json:"link"`
}

// ConnExternalLink is the switch side of an external link.
type ConnExternalLink struct {
	Switch BasePortName `json:"switch"`
}

// ConnStaticExternal is a static external link.
type ConnStaticExternal struct {
	Link      ConnStaticExternalLink `json:"link"`
	WithinVPC string                 `json:"withinVPC,omitempty"`
}

// ConnStaticExternalLink is the link of a static external connection.
type ConnStaticExternalLink struct {
	Switch ConnStaticExternalLinkSwitch `json:"switch"`
}

// ConnStaticExternalLinkSwitch is the switch side of a static external link.
type ConnStaticExternalLinkSwitch struct {
	IP      string   `json:"ip,omitempty"`
	NextHop string   `json:"nextHop,omitempty"`
	Port    string   `json:"port,omitempty"`
	Subnets []string `json:"subnets,omitempty"`
	VLAN    uint16   `json:"vlan,omitempty"`
}
