package provider

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// sampleValue fills every attribute of typ (every element of a collection once, keyed "k" in maps), with
// strings, numbers and booleans that vary with seed; full=false leaves every attribute below the root null.
func sampleValue(typ tftypes.Type, seed int, full bool) tftypes.Value {
	switch tt := typ.(type) {
	case tftypes.Object:
		m := map[string]tftypes.Value{}
		for name, at := range tt.AttributeTypes {
			if full {
				m[name] = sampleValue(at, seed+len(name), true)
			} else {
				m[name] = tftypes.NewValue(at, nil)
			}
		}
		return tftypes.NewValue(tt, m)
	case tftypes.Map:
		return tftypes.NewValue(tt, map[string]tftypes.Value{fmt.Sprintf("k%d", seed): sampleValue(tt.ElementType, seed+1, true)})
	case tftypes.List:
		return tftypes.NewValue(tt, []tftypes.Value{sampleValue(tt.ElementType, seed+1, true)})
	case tftypes.Set:
		return tftypes.NewValue(tt, []tftypes.Value{sampleValue(tt.ElementType, seed+1, true)})
	}
	switch {
	case typ.Is(tftypes.String):
		return tftypes.NewValue(typ, fmt.Sprintf("s%d", seed))
	case typ.Is(tftypes.Number):
		return tftypes.NewValue(typ, big.NewFloat(float64(seed)+0.5))
	case typ.Is(tftypes.Bool):
		return tftypes.NewValue(typ, seed%2 == 0)
	}
	return tftypes.NewValue(typ, nil)
}

// The current-version passthrough answers exactly as the framework: the same bytes for full and sparse
// states of every resource type, also with an attribute the schema does not know (dropped by both); older
// versions and states that do not decode are left to the framework.
func TestUpgradeCurrentMatchesFramework(t *testing.T) {
	p := newProtoProvider(t)
	outer := p.srv.(*jsonStateServer)
	ctx := context.Background()
	var names []string
	for name := range p.schema.ResourceSchemas {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) < 12 {
		t.Fatalf("only %d resource types", len(names))
	}
	answered := 0
	for _, name := range names {
		sch := p.schema.ResourceSchemas[name]
		typ := sch.ValueType()
		for i, full := range []bool{true, false} {
			js, err := valueJSON(sampleValue(typ, i*7+len(name), full))
			if err != nil {
				t.Fatal(err)
			}
			for _, raw := range [][]byte{js, append([]byte(`{"no_such_attribute":1,`), js[1:]...)} {
				req := &tfprotov6.UpgradeResourceStateRequest{TypeName: name, Version: sch.Version, RawState: &tfprotov6.RawState{JSON: raw}}
				want, err := outer.ProviderServer.UpgradeResourceState(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				requireNoErrors(t, name+" framework upgrade", want.Diagnostics)
				got, ok := outer.upgradeCurrent(ctx, req)
				if !ok {
					t.Fatalf("%s: the passthrough declined a current-version state", name)
				}
				if want.UpgradedState == nil || got.UpgradedState == nil || !bytes.Equal(want.UpgradedState.MsgPack, got.UpgradedState.MsgPack) {
					t.Fatalf("%s (full=%v): passthrough and framework differ:\nframework %x\nours      %x", name, full, want.UpgradedState.MsgPack, got.UpgradedState.MsgPack)
				}
				answered++
			}
		}
		// Not ours to answer: an older version (the framework's upgraders run), a state that does not decode.
		js, _ := valueJSON(sampleValue(typ, 1, true))
		if _, ok := outer.upgradeCurrent(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: name, Version: sch.Version - 1, RawState: &tfprotov6.RawState{JSON: js}}); ok {
			t.Errorf("%s: the passthrough answered version %d", name, sch.Version-1)
		}
		if _, ok := outer.upgradeCurrent(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: name, Version: sch.Version, RawState: &tfprotov6.RawState{JSON: []byte(`{"name":[1]}`)}}); ok {
			t.Errorf("%s: the passthrough answered a state that does not decode", name)
		}
	}
	// Through the server: the framework's words for a state that does not decode.
	resp, err := outer.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: "hedgehog_vpc", Version: p.schema.ResourceSchemas["hedgehog_vpc"].Version, RawState: &tfprotov6.RawState{JSON: []byte(`{"name":[1]}`)}})
	if err != nil || len(resp.Diagnostics) == 0 || resp.Diagnostics[0].Summary != "Unable to Read Previously Saved State for UpgradeResourceState" {
		t.Errorf("bad state through the server: %v %+v", err, resp)
	}
	t.Logf("%d states of %d resource types answered as the framework does", answered, len(names))
}
