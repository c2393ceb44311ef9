package fabric

import "fmt"

// KindInfo describes one fabric kind as registered by its CRD.
type KindInfo struct {
	Kind, Group, Version, Plural, Singular string
}

// APIVersion returns "group/version".
func (k KindInfo) APIVersion() string { return k.Group + "/" + k.Version }

// Group names of the fabric APIs.
const (
	GroupVPC    = "vpc.githedgehog.com"
	GroupWiring = "wiring.githedgehog.com"
	Version     = "v1beta1"
)

// Kind names.
const (
	KindVPC                = "VPC"
	KindVPCAttachment      = "VPCAttachment"
	KindVPCPeering         = "VPCPeering"
	KindIPv4Namespace      = "IPv4Namespace"
	KindExternal           = "External"
	KindExternalAttachment = "ExternalAttachment"
	KindExternalPeering    = "ExternalPeering"
	KindVLANNamespace      = "VLANNamespace"
	KindSwitch             = "Switch"
	KindSwitchGroup        = "SwitchGroup"
	KindSwitchProfile      = "SwitchProfile"
	KindServer             = "Server"
	KindServerProfile      = "ServerProfile"
	KindConnection         = "Connection"
)

var kinds = []KindInfo{
	{KindVPC, GroupVPC, Version, "vpcs", "vpc"},
	{KindVPCAttachment, GroupVPC, Version, "vpcattachments", "vpcattachment"},
	{KindVPCPeering, GroupVPC, Version, "vpcpeerings", "vpcpeering"},
	{KindIPv4Namespace, GroupVPC, Version, "ipv4namespaces", "ipv4namespace"},
	{KindExternal, GroupVPC, Version, "externals", "external"},
	{KindExternalAttachment, GroupVPC, Version, "externalattachments", "externalattachment"},
	{KindExternalPeering, GroupVPC, Version, "externalpeerings", "externalpeering"},
	{KindVLANNamespace, GroupWiring, Version, "vlannamespaces", "vlannamespace"},
	{KindSwitch, GroupWiring, Version, "switches", "switch"},
	{KindSwitchGroup, GroupWiring, Version, "switchgroups", "switchgroup"},
	{KindSwitchProfile, GroupWiring, Version, "switchprofiles", "switchprofile"},
	{KindServer, GroupWiring, Version, "servers", "server"},
	{KindServerProfile, GroupWiring, Version, "serverprofiles", "serverprofile"},
	{KindConnection, GroupWiring, Version, "connections", "connection"},
}

// Kinds returns all fabric kinds (a fresh copy).
func Kinds() []KindInfo { return append([]KindInfo(nil), kinds...) }

// LookupKind returns the KindInfo for kind (case-sensitive, e.g. "VPC").
func LookupKind(kind string) (KindInfo, bool) {
	for _, k := range kinds {
		if k.Kind == kind {
			return k, true
		}
	}
	return KindInfo{}, false
}

// New returns a new empty object of kind with apiVersion and kind set.
func New(kind string) (Object, error) {
	ki, ok := LookupKind(kind)
	if !ok {
		return nil, fmt.Errorf("unknown kind %q", kind)
	}
	var o Object
	switch kind {
	case KindVPC:
		o = &VPC{APIVersion: ki.APIVersion(), Kind: kind}
	case KindVPCAttachment:
		o = &VPCAttachment{APIVersion: ki.APIVersion(), Kind: kind}
	case KindVPCPeering:
		o = &VPCPeering{APIVersion: ki.APIVersion(), Kind: kind}
	case KindIPv4Namespace:
		o = &IPv4Namespace{APIVersion: ki.APIVersion(), Kind: kind}
	case KindExternal:
		o = &External{APIVersion: ki.APIVersion(), Kind: kind}
	case KindExternalAttachment:
		o = &ExternalAttachment{APIVersion: ki.APIVersion(), Kind: kind}
	case KindExternalPeering:
		o = &ExternalPeering{APIVersion: ki.APIVersion(), Kind: kind}
	case KindVLANNamespace:
		o = &VLANNamespace{APIVersion: ki.APIVersion(), Kind: kind}
	case KindSwitch:
		o = &Switch{APIVersion: ki.APIVersion(), Kind: kind}
	case KindSwitchGroup:
		o = &SwitchGroup{APIVersion: ki.APIVersion(), Kind: kind}
	case KindSwitchProfile:
		o = &SwitchProfile{APIVersion: ki.APIVersion(), Kind: kind}
	case KindServer:
		o = &Server{APIVersion: ki.APIVersion(), Kind: kind}
	case KindServerProfile:
		o = &ServerProfile{APIVersion: ki.APIVersion(), Kind: kind}
	case KindConnection:
		o = &Connection{APIVersion: ki.APIVersion(), Kind: kind}
	}
	return o, nil
}
