package provider

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// Provider-defined functions (Terraform ≥ 1.8, OpenTofu ≥ 1.7): the pure computations modules need, done
// the way the fabric does them (the subnet defaults come from fabric.Default itself).

var _ provider.ProviderWithFunctions = (*hedgehogProvider)(nil)

func (p *hedgehogProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{
		func() function.Function { return subnetGatewayFunc{} },
		func() function.Function { return subnetDHCPRangeFunc{} },
		func() function.Function { return connectionNameFunc{} },
		func() function.Function { return attachmentNameFunc{} },
		func() function.Function { return manifestFunc{} },
	}
}

// subnetDefaults returns the gateway and DHCP range the fabric gives a VPC subnet with DHCP on.
func subnetDefaults(subnet string) (gw, start, end string, err error) {
	p, perr := netip.ParsePrefix(subnet)
	if perr != nil || !p.Addr().Is4() || p.Masked() != p {
		return "", "", "", fmt.Errorf("%q is not an IPv4 subnet in canonical form (e.g. 10.0.1.0/24)", subnet)
	}
	v := &fabric.VPC{Spec: fabric.VPCSpec{Subnets: map[string]*fabric.VPCSubnet{"s": {Subnet: subnet, DHCP: &fabric.VPCDHCP{Enable: true}}}}}
	v.Kind = fabric.KindVPC
	fabric.Default(v)
	s := v.Spec.Subnets["s"]
	if s.DHCP != nil && s.DHCP.Range != nil {
		start, end = s.DHCP.Range.Start, s.DHCP.Range.End
	}
	return s.Gateway, start, end, nil
}

type subnetGatewayFunc struct{}

func (subnetGatewayFunc) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "subnet_gateway"
}

func (subnetGatewayFunc) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary:     "The default gateway the fabric gives a VPC subnet",
		Description: "Returns the gateway the fabric's defaulting sets for a VPC subnet that leaves `gateway` unset: the first host address.",
		Parameters:  []function.Parameter{function.StringParameter{Name: "subnet", Description: "The subnet, e.g. `10.0.1.0/24`."}},
		Return:      function.StringReturn{},
	}
}

func (subnetGatewayFunc) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var subnet string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &subnet))
	if resp.Error != nil {
		return
	}
	gw, _, _, err := subnetDefaults(subnet)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, gw))
}

type subnetDHCPRangeFunc struct{}

var rangeAttrTypes = map[string]attr.Type{"start": types.StringType, "end": types.StringType}

func (subnetDHCPRangeFunc) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "subnet_dhcp_range"
}

func (subnetDHCPRangeFunc) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The default DHCP range the fabric gives a VPC subnet",
		Description: "Returns `{ start, end }`, the DHCP range the fabric's defaulting sets for a VPC subnet with DHCP enabled and " +
			"no range: from the address after the gateway to the subnet's broadcast address.",
		Parameters: []function.Parameter{function.StringParameter{Name: "subnet", Description: "The subnet, e.g. `10.0.1.0/24`."}},
		Return:     function.ObjectReturn{AttributeTypes: rangeAttrTypes},
	}
}

func (subnetDHCPRangeFunc) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var subnet string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &subnet))
	if resp.Error != nil {
		return
	}
	_, start, end, err := subnetDefaults(subnet)
	if err == nil && start == "" {
		err = fmt.Errorf("the fabric gives subnet %s no default DHCP range (it is too small)", subnet)
	}
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	obj, diags := types.ObjectValue(rangeAttrTypes, map[string]attr.Value{"start": types.StringValue(start), "end": types.StringValue(end)})
	if diags.HasError() {
		resp.Error = function.FuncErrorFromDiags(ctx, diags)
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, obj))
}

type connectionNameFunc struct{}

func (connectionNameFunc) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "connection_name"
}

func (connectionNameFunc) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "A Connection's name by the fabric's convention",
		Description: "Returns `<from>--<link type>--<to>[--<to>…]`, the name the fabric's tools give a connection, e.g. " +
			"`server-1--mclag--leaf-01--leaf-02` or `server-4--unbundled--leaf-02`.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "from", Description: "The server (or spine) end."},
			function.StringParameter{Name: "link_type", Description: "unbundled, bundled, mclag, eslag, fabric, mesh, gateway, external, …"},
			function.ListParameter{Name: "to", ElementType: types.StringType, Description: "The switch end(s), or the redundancy group for eslag."},
		},
		Return: function.StringReturn{},
	}
}

func (connectionNameFunc) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var from, lt string
	var to []string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &from, &lt, &to))
	if resp.Error != nil {
		return
	}
	if from == "" || lt == "" || len(to) == 0 {
		resp.Error = function.NewFuncError("from, link_type and at least one element of to must be set")
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, strings.Join(append([]string{from, lt}, to...), "--")))
}

type attachmentNameFunc struct{}

func (attachmentNameFunc) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "attachment_name"
}

func (attachmentNameFunc) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary:     "A VPCAttachment's name by the fabric's convention",
		Description: "Returns `<vpc>--<subnet>--<connection>`, a unique name for the attachment of a VPC subnet to a connection.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "vpc"},
			function.StringParameter{Name: "subnet"},
			function.StringParameter{Name: "connection"},
		},
		Return: function.StringReturn{},
	}
}

func (attachmentNameFunc) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var vpc, subnet, conn string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &vpc, &subnet, &conn))
	if resp.Error != nil {
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, vpc+"--"+subnet+"--"+conn))
}
