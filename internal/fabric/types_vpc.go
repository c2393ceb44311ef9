package fabric

// VPC is a Virtual Private Cloud (vpc.githedgehog.com/v1beta1).
type VPC struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   ObjectMeta     `json:"metadata"`
	Spec       VPCSpec        `json:"spec"`
	Status     map[string]any `json:"status,omitempty"`
}

// VPCSpec is the desired state of a VPC.
type VPCSpec struct {
	DefaultIsolated   bool                  `json:"defaultIsolated,omitempty"`
	DefaultRestricted bool                  `json:"defaultRestricted,omitempty"`
	IPv4Namespace     string                `json:"ipv4Namespace,omitempty"`
	Mode              string                `json:"mode,omitempty"`
	Permit            [][]string            `json:"permit,omitempty"`
	StaticRoutes      []VPCStaticRoute      `json:"staticRoutes,omitempty"`
	Subnets           map[string]*VPCSubnet `json:"subnets,omitempty"`
	VLANNamespace     string                `json:"vlanNamespace,omitempty"`
}

// VPCStaticRoute is an additional static route of a VPC.
type VPCStaticRoute struct {
	NextHops []string `json:"nextHops,omitempty"`
	Prefix   string   `json:"prefix,omitempty"`
}

// VPCSubnet is one subnet of a VPC.
type VPCSubnet struct {
	DHCP       *VPCDHCP `json:"dhcp,omitempty"`
	Gateway    string   `json:"gateway,omitempty"`
	HostBGP    bool     `json:"hostBGP,omitempty"`
	Isolated   *bool    `json:"isolated,omitempty"`
	Restricted *bool    `json:"restricted,omitempty"`
	Subnet     string   `json:"subnet,omitempty"`
	VLAN       uint16   `json:"vlan,omitempty"`
}

// VPCDHCP is the on-demand DHCP configuration of a subnet.
type VPCDHCP struct {
	Enable   bool                     `json:"enable,omitempty"`
	Options  *VPCDHCPOptions          `json:"options,omitempty"`
	Range    *VPCDHCPRange            `json:"range,omitempty"`
	Relay    string                   `json:"relay,omitempty"`
	RelayVPC string                   `json:"relayVPC,omitempty"`
	Static   map[string]VPCDHCPStatic `json:"static,omitempty"`
}

// VPCDHCPOptions are the DHCP options of a subnet.
type VPCDHCPOptions struct {
	AdvertisedRoutes    []VPCDHCPRoute `json:"advertisedRoutes,omitempty"`
	DisableDefaultRoute bool           `json:"disableDefaultRoute,omitempty"`
	DNSServers          []string       `json:"dnsServers,omitempty"`
	InterfaceMTU        uint16         `json:"interfaceMTU"`
	LeaseTimeSeconds    uint32         `json:"leaseTimeSeconds"`
	PXEURL              string         `json:"pxeURL,omitempty"`
	TimeServers         []string       `json:"timeServers,omitempty"`
}

// VPCDHCPRoute is a classless static route advertised by DHCP.
type VPCDHCPRoute struct {
	Destination string `json:"destination,omitempty"`
	Gateway     string `json:"gateway,omitempty"`
}

// VPCDHCPRange is the DHCP address range of a subnet.
type VPCDHCPRange struct {
	End   string `json:"end,omitempty"`
	Start string `json:"start,omitempty"`
}

// VPCDHCPStatic is a static DHCP lease.
type VPCDHCPStatic struct {
	IP string `json:"ip"`
}

// VPCAttachment attaches a VPC subnet to a Connection.
type VPCAttachment struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   ObjectMeta        `json:"metadata"`
	Spec       VPCAttachmentSpec `json:"spec"`
	Status     map[string]any    `json:"status,omitempty"`
}

// VPCAttachmentSpec is the desired state of a VPCAttachment.
type VPCAttachmentSpec struct {
	Connection string `json:"connection,omitempty"`
	NativeVLAN bool   `json:"nativeVLAN,omitempty"`
	// Subnet is "vpc/subnet" (a bare "vpc" means "vpc/default").
	Subnet string `json:"subnet,omitempty"`
}

// VPCPeering permits traffic between two VPCs.
type VPCPeering struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   ObjectMeta     `json:"metadata"`
	Spec       VPCPeeringSpec `json:"spec"`
	Status     map[string]any `json:"status,omitempty"`
}

// VPCPeeringSpec is the desired state of a VPCPeering.
type VPCPeeringSpec struct {
	// Permit is a list of maps from VPC name to the peered subnets of that VPC.
	Permit []map[string]VPCPeer `json:"permit,omitempty"`
	// Remote is deprecated and must be empty.
	Remote string `json:"remote,omitempty"`
}

// VPCPeer lists the subnets of one VPC in a peering.
type VPCPeer struct {
	Subnets []string `json:"subnets,omitempty"`
}

// IPv4Namespace is a pool of IPv4 subnets for VPCs and Externals.
type IPv4Namespace struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   ObjectMeta        `json:"metadata"`
	Spec       IPv4NamespaceSpec `json:"spec"`
	Status     map[string]any    `json:"status,omitempty"`
}

// IPv4NamespaceSpec is the desired state of an IPv4Namespace.
type IPv4NamespaceSpec struct {
	Subnets []string `json:"subnets,omitempty"`
}

// External is an external system connected to the fabric.
type External struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   ObjectMeta     `json:"metadata"`
	Spec       ExternalSpec   `json:"spec"`
	Status     map[string]any `json:"status,omitempty"`
}

// ExternalSpec is the desired state of an External.
type ExternalSpec struct {
	InboundCommunity  string          `json:"inboundCommunity,omitempty"`
	IPv4Namespace     string          `json:"ipv4Namespace,omitempty"`
	OutboundCommunity string          `json:"outboundCommunity,omitempty"`
	Static            *ExternalStatic `json:"static,omitempty"`
}

// ExternalStatic is the static (non-BGP) configuration of an External.
type ExternalStatic struct {
	Prefixes []string `json:"prefixes,omitempty"`
}

// ExternalAttachment attaches an External to a Connection.
type ExternalAttachment struct {
	APIVersion string                 `json:"apiVersion"`
	Kind       string                 `json:"kind"`
	Metadata   ObjectMeta             `json:"metadata"`
	Spec       ExternalAttachmentSpec `json:"spec"`
	Status     map[string]any         `json:"status,omitempty"`
}

// ExternalAttachmentSpec is the desired state of an ExternalAttachment.
type ExternalAttachmentSpec struct {
	Connection string                     `json:"connection,omitempty"`
	External   string                     `json:"external,omitempty"`
	InboundACL *ExternalAttachmentACL     `json:"inboundACL,omitempty"`
	Neighbor   ExternalAttachmentNeighbor `json:"neighbor"`
	Static     *ExternalAttachmentStatic  `json:"static,omitempty"`
	Switch     ExternalAttachmentSwitch   `json:"switch"`
}

// ExternalAttachmentACL is the inbound ACL of an ExternalAttachment.
type ExternalAttachmentACL struct {
	Statements []ExternalAttachmentACLStatement `json:"statements,omitempty"`
}

// ExternalAttachmentACLStatement is one ACL rule.
type ExternalAttachmentACLStatement struct {
	Action         string         `json:"action"`
	DstPrefix      string         `json:"dstPrefix"`
	ICMPCode       *uint8         `json:"icmpCode,omitempty"`
	ICMPType       *uint8         `json:"icmpType,omitempty"`
	PortRangeBegin uint16         `json:"portRangeBegin,omitempty"`
	PortRangeEnd   uint16         `json:"portRangeEnd,omitempty"`
	Protocol       string         `json:"protocol"`
	Seq            uint32         `json:"seq"`
	SrcPrefix      string         `json:"srcPrefix"`
	TCPFilters     *ACLTCPFilters `json:"tcpFilters,omitempty"`
}

// ACLTCPFilters are TCP flag matches of an ACL statement.
type ACLTCPFilters struct {
	Ack         bool `json:"ack,omitempty"`
	Established bool `json:"established,omitempty"`
	Fin         bool `json:"fin,omitempty"`
	NotAck      bool `json:"notAck,omitempty"`
	NotFin      bool `json:"notFin,omitempty"`
	NotPsh      bool `json:"notPsh,omitempty"`
	NotRst      bool `json:"notRst,omitempty"`
	NotSyn      bool `json:"notSyn,omitempty"`
	NotUrg      bool `json:"notUrg,omitempty"`
	Psh         bool `json:"psh,omitempty"`
	Rst         bool `json:"rst,omitempty"`
	Syn         bool `json:"syn,omitempty"`
	Urg         bool `json:"urg,omitempty"`
}

// ExternalAttachmentNeighbor is the BGP neighbor of an ExternalAttachment.
type ExternalAttachmentNeighbor struct {
	ASN uint32 `json:"asn,omitempty"`
	IP  string `json:"ip,omitempty"`
}

// ExternalAttachmentStatic is the static configuration of an ExternalAttachment.
type ExternalAttachmentStatic struct {
	IP       string `json:"ip,omitempty"`
	Proxy    bool   `json:"proxy,omitempty"`
	RemoteIP string `json:"remoteIP"`
	VLAN     uint16 `json:"vlan,omitempty"`
}

// ExternalAttachmentSwitch is the switch side of an ExternalAttachment.
type ExternalAttachmentSwitch struct {
	IP   string `json:"ip,omitempty"`
	VLAN uint16 `json:"vlan,omitempty"`
}

// ExternalPeering permits traffic between a VPC and an External.
type ExternalPeering struct {
	APIVersion string              `json:"apiVersion"`
	Kind       string              `json:"kind"`
	Metadata   ObjectMeta          `json:"metadata"`
	Spec       ExternalPeeringSpec `json:"spec"`
	Status     map[string]any      `json:"status,omitempty"`
}

// ExternalPeeringSpec is the desired state of an ExternalPeering.
type ExternalPeeringSpec struct {
	Permit *ExternalPeeringPermit `json:"permit,omitempty"`
}

// ExternalPeeringPermit names the VPC subnets and External prefixes peered.
type ExternalPeeringPermit struct {
	External *ExternalPeeringExternal `json:"external,omitempty"`
	VPC      *ExternalPeeringVPC      `json:"vpc,omitempty"`
}

// ExternalPeeringExternal is the External side of an ExternalPeering.
type ExternalPeeringExternal struct {
	Name     string                  `json:"name,omitempty"`
	Prefixes []ExternalPeeringPrefix `json:"prefixes,omitempty"`
}

// ExternalPeeringPrefix is one permitted External prefix.
type ExternalPeeringPrefix struct {
	Prefix string `json:"prefix,omitempty"`
}

// ExternalPeeringVPC is the VPC side of an ExternalPeering.
type ExternalPeeringVPC struct {
	Name    string   `json:"name,omitempty"`
	Subnets []string `json:"subnets,omitempty"`
}
