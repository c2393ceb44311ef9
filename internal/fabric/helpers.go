package fabric

// IsSubnetIsolated reports whether the named subnet is isolated (its own flag,
// else the VPC's defaultIsolated), as the fabric computes it.
func (s *VPCSpec) IsSubnetIsolated(name string) bool {
	if sub, ok := s.Subnets[name]; ok && sub != nil && sub.Isolated != nil {
		return *sub.Isolated
	}
	return s.DefaultIsolated
}

// IsSubnetRestricted reports whether the named subnet is restricted (its own
// flag, else the VPC's defaultRestricted).
func (s *VPCSpec) IsSubnetRestricted(name string) bool {
	if sub, ok := s.Subnets[name]; ok && sub != nil && sub.Restricted != nil {
		return *sub.Restricted
	}
	return s.DefaultRestricted
}

// VPCName returns the VPC part of the attachment's subnet reference.
func (s *VPCAttachmentSpec) VPCName() string { v, _ := VPCSubnetName(s.Subnet); return v }

// SubnetName returns the subnet part of the attachment's subnet reference
// ("default" when absent).
func (s *VPCAttachmentSpec) SubnetName() string { _, n := VPCSubnetName(s.Subnet); return n }
