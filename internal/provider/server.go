package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// NewServer returns the provider's protocol-6 server: the framework's, except that the state a refresh
// returns travels as JSON rather than MessagePack.
//
// Why: `terraform plan -refresh-only -detailed-exitcode` (Terraform ≤ 1.11 at least) decides whether the
// refresh changed anything with reflect.DeepEqual over the in-memory states, including each object's
// cached decoded value. The state before the refresh is decoded from the state file's JSON, where a number
// becomes a big.Float of precision 512; a MessagePack integer decodes to one of precision 64. Equal numbers
// thus compare different, and any resource with a number attribute (a VLAN, a range, a NetBox id) made the
// plan exit 2 while printing "No changes". Terraform decodes a JSON DynamicValue exactly as it decodes the
// state file, so the same object compares equal. DECISIONS.md, entry 26.
func NewServer(version string) func() (tfprotov6.ProviderServer, error) {
	p := newProvider(version)
	inner := providerserver.NewProtocol6WithError(p)
	return func() (tfprotov6.ProviderServer, error) {
		s, err := inner()
		if err != nil {
			return nil, err
		}
		return &jsonStateServer{ProviderServer: s, prov: p}, nil
	}
}

// jsonStateServer re-encodes ReadResource's new state as JSON (see NewServer). It passes the list resources'
// RPCs on: terraform-plugin-go serves them only from a server that implements them (the temporary interface
// tfprotov6.ProviderServerWithListResource), which embedding ProviderServer alone would hide.
type jsonStateServer struct {
	tfprotov6.ProviderServer

	once  sync.Once
	types map[string]tftypes.Type // resource type name -> state type
	// plain holds the schema version of each resource type whose schema has no nested blocks: for those
	// the framework's encoding of a state adds nothing to tftypes' own (upgrade.go).
	plain map[string]int64
	// prov is the provider the framework serves; ids the identity type and kinds the kind of every
	// resource type (direct.go).
	prov  *hedgehogProvider
	ids   map[string]tftypes.Type
	kinds map[string]*kindSpec
	// noDirect sends every plan, apply and read through the framework (the reference in the differential
	// tests).
	noDirect bool
}

func (s *jsonStateServer) stateType(ctx context.Context, typeName string) (tftypes.Type, bool) {
	s.once.Do(func() {
		s.types, s.plain, s.ids, s.kinds = map[string]tftypes.Type{}, map[string]int64{}, map[string]tftypes.Type{}, map[string]*kindSpec{}
		for _, k := range sortedKindSpecs(isManaged) {
			s.kinds["hedgehog_"+k.TypeName] = k
		}
		if ids, err := s.ProviderServer.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{}); err == nil && ids != nil {
			for name, sch := range ids.IdentitySchemas {
				if sch != nil {
					s.ids[name] = sch.ValueType()
				}
			}
		}
		resp, err := s.ProviderServer.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
		if err != nil || resp == nil {
			return
		}
		for name, sch := range resp.ResourceSchemas {
			if sch != nil && sch.Block != nil {
				s.types[name] = sch.ValueType()
				if len(sch.Block.BlockTypes) == 0 {
					s.plain[name] = sch.Version
				}
			}
		}
	})
	t, ok := s.types[typeName]
	return t, ok
}

func (s *jsonStateServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	if resp, ok := s.readDirect(ctx, req); ok {
		return resp, nil // its state is JSON already
	}
	resp, err := released(ctx, req, s.ProviderServer.ReadResource)
	if err != nil || resp == nil || resp.NewState == nil || len(resp.NewState.MsgPack) == 0 {
		return resp, err
	}
	typ, ok := s.stateType(ctx, req.TypeName)
	if !ok {
		return resp, nil
	}
	v, uerr := resp.NewState.Unmarshal(typ)
	if uerr != nil {
		return resp, nil // leave the framework's encoding alone
	}
	b, jerr := valueJSON(v)
	if jerr != nil {
		return resp, nil
	}
	resp.NewState = &tfprotov6.DynamicValue{JSON: b}
	return resp, nil
}

//nolint:staticcheck // the interface is deprecated only in favour of ProviderServer, which lacks the methods yet
var _ tfprotov6.ProviderServerWithListResource = (*jsonStateServer)(nil)

// listServer is the framework's server as a server of the list RPCs.
func (s *jsonStateServer) listServer() (tfprotov6.ListResourceServer, error) {
	ls, ok := s.ProviderServer.(tfprotov6.ListResourceServer)
	if !ok {
		return nil, fmt.Errorf("the provider server %T does not serve list resources", s.ProviderServer)
	}
	return ls, nil
}

func (s *jsonStateServer) ValidateListResourceConfig(ctx context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	ls, err := s.listServer()
	if err != nil {
		return nil, err
	}
	return ls.ValidateListResourceConfig(ctx, req)
}

func (s *jsonStateServer) ListResource(ctx context.Context, req *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	ls, err := s.listServer()
	if err != nil {
		return nil, err
	}
	return ls.ListResource(ctx, req)
}

// valueJSON encodes a wholly known value the way Terraform's state file does (cty's JSON form): objects and
// maps as objects, lists, sets and tuples as arrays, numbers in their exact decimal form, null as null.
func valueJSON(v tftypes.Value) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeValueJSON(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeValueJSON(buf *bytes.Buffer, v tftypes.Value) error {
	if !v.IsKnown() {
		return fmt.Errorf("unknown value in a state")
	}
	if v.IsNull() {
		buf.WriteString("null")
		return nil
	}
	typ := v.Type()
	switch {
	case typ.Is(tftypes.String):
		var s string
		if err := v.As(&s); err != nil {
			return err
		}
		b, err := json.Marshal(s)
		if err != nil {
			return err
		}
		buf.Write(b)
	case typ.Is(tftypes.Number):
		var f big.Float
		if err := v.As(&f); err != nil {
			return err
		}
		if f.IsInf() {
			return fmt.Errorf("infinite number in a state")
		}
		buf.WriteString(f.Text('f', -1))
	case typ.Is(tftypes.Bool):
		var b bool
		if err := v.As(&b); err != nil {
			return err
		}
		if b {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	case typ.Is(tftypes.Object{}), typ.Is(tftypes.Map{}):
		var m map[string]tftypes.Value
		if err := v.As(&m); err != nil {
			return err
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			kb, err := json.Marshal(k)
			if err != nil {
				return err
			}
			buf.Write(kb)
			buf.WriteByte(':')
			if err := writeValueJSON(buf, m[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case typ.Is(tftypes.List{}), typ.Is(tftypes.Set{}), typ.Is(tftypes.Tuple{}):
		var l []tftypes.Value
		if err := v.As(&l); err != nil {
			return err
		}
		buf.WriteByte('[')
		for i, e := range l {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeValueJSON(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	default:
		return fmt.Errorf("cannot encode a %s as JSON", typ)
	}
	return nil
}
