package fabric

// GetKind returns "VPC".
func (*VPC) GetKind() string { return KindVPC }

// Meta returns the object's metadata.
func (o *VPC) Meta() *ObjectMeta { return &o.Metadata }

// SpecAny returns a pointer to the spec.
func (o *VPC) SpecAny() any { return &o.Spec }

// GetKind returns "VPCAttachment".
func (*VPCAttachment) GetKind() string { return KindVPCAttachment }

// Meta returns the object's metadata.
func (o *VPCAttachment) Meta() *ObjectMeta { return &o.Metadata }

// SpecAny returns a pointer to the spec.
func (o *VPCAttachment) SpecAny() any { return &o.Spec }

// GetKind returns "VPCPeering".
func (*VPCPeering) GetKind() string { return KindVPCPeering }

// Meta returns the object's metadata.
func (o *VPCPeering) Meta() *ObjectMeta { return &o.Metadata }

// SpecAny returns a pointer to the spec.
func (o *VPCPeering) SpecAny() any { return &o.Spec }

// GetKind returns "IPv4Namespace".
func (*IPv4Namespace) GetKind() string { return KindIPv4Namespace }

// Meta returns the object's metadata.
func (o *IPv4Namespace) Meta() *ObjectMeta { return &o.Metadata }

// SpecAny returns a pointer to the spec.
func (o *IPv4Namespace) SpecAny() any { return &o.Spec }

// GetKind returns "External".
func (*External) GetKind() string { return KindExternal }

// Meta returns the object's metadata.
func (o *External) Meta() *ObjectMeta { return &o.Metadata }

// SpecAny returns a pointer to the spec.
func (o *External) SpecAny() any { return &o.Spec }

// GetKind returns "ExternalAttachment".
func (*ExternalAttachment) GetKind() string { return KindExternalAttachment }

// Meta returns the object's metadata.
func (o *ExternalAttachment) Meta() *ObjectMeta { return &o.Metadata }

// SpecAny returns a pointer to the spec.
func (o *ExternalAttachment) SpecAny() any { return &o.Spec }

// GetKind returns "ExternalPeering".
func (*ExternalPeering) GetKind() string { return KindExternalPeering }

// Meta returns the object's metadata.
func (o *ExternalPeering) Meta() *ObjectMeta { return &o.Metadata }

// SpecAny returns a pointer to the spec.
func (o *ExternalPeering) SpecAny() any { return &o.Spec }

// GetKind returns "VLANNamespace".
func (*VLANNamespace) GetKind() string { return KindVLANNamespace }

// Meta returns the object's metadata.
func (o *VLANNamespace) Meta() *ObjectMeta { return &o.Metadata }

// SpecAny returns a pointer to the spec.
func (o *VLANNamespace) SpecAny() any { return &o.Spec }

// GetKind returns "Switch".
func (*Switch) GetKind() string { return KindSwitch }

// Meta returns the object's metadata.
func (o *Switch) Meta() *ObjectMeta { return &o.Metadata }

// SpecAny returns a pointer to the spec.
func (o *Switch) SpecAny() any { return &o.Spec }

// GetKind returns "SwitchGroup".
func (*SwitchGroup) GetKind() string { return KindSwitchGroup }

// Meta returns the object's metadata.
func (o *SwitchGroup) Meta() *ObjectMeta { return &o.Metadata }

// SpecAny returns a pointer to the spec.
func (o *SwitchGroup) SpecAny() any { return &o.Spec }

// GetKind returns "SwitchProfile".
func (*SwitchProfile) GetKind() string { return KindSwitchProfile }

// Meta returns the object's metadata.
func (o *SwitchProfile) Meta() *ObjectMeta { return &o.Metadata }

// SpecAny returns a pointer to the spec.
func (o *SwitchProfile) SpecAny() any { return &o.Spec }

// GetKind returns "Server".
func (*Server) GetKind() string { return KindServer }

// Meta returns the object's metadata.
func (o *Server) Meta() *ObjectMeta { return &o.Metadata }

// SpecAny returns a pointer to the spec.
func (o *Server) SpecAny() any { return &o.Spec }

// GetKind returns "ServerProfile".
func (*ServerProfile) GetKind() string { return KindServerProfile }

// Meta returns the object's metadata.
func (o *ServerProfile) Meta() *ObjectMeta { return &o.Metadata }

// SpecAny returns a pointer to the spec.
func (o *ServerProfile) SpecAny() any { return &o.Spec }

// GetKind returns "Connection".
func (*Connection) GetKind() string { return KindConnection }

// Meta returns the object's metadata.
func (o *Connection) Meta() *ObjectMeta { return &o.Metadata }

// SpecAny returns a pointer to the spec.
func (o *Connection) SpecAny() any { return &o.Spec }
