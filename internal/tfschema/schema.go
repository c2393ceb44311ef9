package tfschema

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// AttrType is the Terraform type of the node.
func (n *Node) AttrType() attr.Type {
	switch n.Type {
	case Object:
		m := make(map[string]attr.Type, len(n.Fields))
		for _, f := range n.Fields {
			m[f.TF] = f.AttrType()
		}
		return types.ObjectType{AttrTypes: m}
	case Map:
		return types.MapType{ElemType: n.Elem.AttrType()}
	case List:
		return types.ListType{ElemType: n.Elem.AttrType()}
	case Int:
		return types.Int64Type
	case Bool:
		return types.BoolType
	case Number:
		return types.Float64Type
	default:
		return types.StringType
	}
}

func (n *Node) describe() string {
	d := n.Description
	if len(n.Enum) > 0 {
		d += " One of: `" + joinEnum(n.Enum) + "`."
	}
	return d
}

func joinEnum(e []string) string {
	out := ""
	for i, s := range e {
		if i > 0 {
			out += "`, `"
		}
		out += s
	}
	return out
}

// ResourceAttributes returns the resource attributes of an object node's fields. Attributes the CRD
// requires are Required; every other attribute is Optional and Computed, because the fabric may default
// it and the provider predicts that default at plan time (the planned value equals the configuration
// wherever the configuration sets one).
func (n *Node) ResourceAttributes() map[string]rschema.Attribute {
	out := make(map[string]rschema.Attribute, len(n.Fields))
	for _, f := range n.Fields {
		out[f.TF] = f.resourceAttribute()
	}
	return out
}

func (n *Node) resourceAttribute() rschema.Attribute {
	req, opt, comp := n.Required, !n.Required, !n.Required
	d := n.describe()
	switch {
	case n.Type == Object:
		return rschema.SingleNestedAttribute{Attributes: n.ResourceAttributes(), Required: req, Optional: opt, Computed: comp, MarkdownDescription: d}
	case n.Type == List && n.Elem.Type == Object:
		return rschema.ListNestedAttribute{NestedObject: rschema.NestedAttributeObject{Attributes: n.Elem.ResourceAttributes()}, Required: req, Optional: opt, Computed: comp, MarkdownDescription: d}
	case n.Type == Map && n.Elem.Type == Object:
		return rschema.MapNestedAttribute{NestedObject: rschema.NestedAttributeObject{Attributes: n.Elem.ResourceAttributes()}, Required: req, Optional: opt, Computed: comp, MarkdownDescription: d}
	case n.Type == List:
		return rschema.ListAttribute{ElementType: n.Elem.AttrType(), Required: req, Optional: opt, Computed: comp, MarkdownDescription: d}
	case n.Type == Map:
		return rschema.MapAttribute{ElementType: n.Elem.AttrType(), Required: req, Optional: opt, Computed: comp, MarkdownDescription: d}
	case n.Type == Int:
		return rschema.Int64Attribute{Required: req, Optional: opt, Computed: comp, MarkdownDescription: d}
	case n.Type == Bool:
		return rschema.BoolAttribute{Required: req, Optional: opt, Computed: comp, MarkdownDescription: d}
	case n.Type == Number:
		return rschema.Float64Attribute{Required: req, Optional: opt, Computed: comp, MarkdownDescription: d}
	default:
		return rschema.StringAttribute{Required: req, Optional: opt, Computed: comp, MarkdownDescription: d}
	}
}

// DataSourceAttributes returns the node's fields as computed data source attributes.
func (n *Node) DataSourceAttributes() map[string]dschema.Attribute {
	out := make(map[string]dschema.Attribute, len(n.Fields))
	for _, f := range n.Fields {
		out[f.TF] = f.dataSourceAttribute()
	}
	return out
}

func (n *Node) dataSourceAttribute() dschema.Attribute {
	d := n.describe()
	switch {
	case n.Type == Object:
		return dschema.SingleNestedAttribute{Attributes: n.DataSourceAttributes(), Computed: true, MarkdownDescription: d}
	case n.Type == List && n.Elem.Type == Object:
		return dschema.ListNestedAttribute{NestedObject: dschema.NestedAttributeObject{Attributes: n.Elem.DataSourceAttributes()}, Computed: true, MarkdownDescription: d}
	case n.Type == Map && n.Elem.Type == Object:
		return dschema.MapNestedAttribute{NestedObject: dschema.NestedAttributeObject{Attributes: n.Elem.DataSourceAttributes()}, Computed: true, MarkdownDescription: d}
	case n.Type == List:
		return dschema.ListAttribute{ElementType: n.Elem.AttrType(), Computed: true, MarkdownDescription: d}
	case n.Type == Map:
		return dschema.MapAttribute{ElementType: n.Elem.AttrType(), Computed: true, MarkdownDescription: d}
	case n.Type == Int:
		return dschema.Int64Attribute{Computed: true, MarkdownDescription: d}
	case n.Type == Bool:
		return dschema.BoolAttribute{Computed: true, MarkdownDescription: d}
	case n.Type == Number:
		return dschema.Float64Attribute{Computed: true, MarkdownDescription: d}
	default:
		return dschema.StringAttribute{Computed: true, MarkdownDescription: d}
	}
}

// ProviderAttributes returns the node's fields as optional provider configuration attributes.
// ProviderAttribute returns the node as an optional provider configuration attribute.
func (n *Node) ProviderAttributes() map[string]pschema.Attribute {
	out := make(map[string]pschema.Attribute, len(n.Fields))
	for _, f := range n.Fields {
		out[f.TF] = f.ProviderAttribute()
	}
	return out
}

// ProviderAttribute returns the node as an optional provider configuration attribute.
func (n *Node) ProviderAttribute() pschema.Attribute {
	req, opt := n.Required, !n.Required
	d := n.describe()
	switch {
	case n.Type == Object:
		return pschema.SingleNestedAttribute{Attributes: n.ProviderAttributes(), Required: req, Optional: opt, MarkdownDescription: d}
	case n.Type == List && n.Elem.Type == Object:
		return pschema.ListNestedAttribute{NestedObject: pschema.NestedAttributeObject{Attributes: n.Elem.ProviderAttributes()}, Required: req, Optional: opt, MarkdownDescription: d}
	case n.Type == List:
		return pschema.ListAttribute{ElementType: n.Elem.AttrType(), Required: req, Optional: opt, MarkdownDescription: d}
	case n.Type == Map:
		return pschema.MapAttribute{ElementType: n.Elem.AttrType(), Required: req, Optional: opt, MarkdownDescription: d}
	case n.Type == Int:
		return pschema.Int64Attribute{Required: req, Optional: opt, MarkdownDescription: d}
	case n.Type == Bool:
		return pschema.BoolAttribute{Required: req, Optional: opt, MarkdownDescription: d}
	default:
		return pschema.StringAttribute{Required: req, Optional: opt, MarkdownDescription: d}
	}
}
