package provider

import (
	"math/big"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestValueJSON: the JSON a refresh returns decodes to the very value it encodes, numbers exactly.
func TestValueJSON(t *testing.T) {
	inner := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"from": tftypes.Number, "to": tftypes.Number}}
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"name":   tftypes.String,
		"ids":    tftypes.Map{ElementType: tftypes.Number},
		"ranges": tftypes.List{ElementType: inner},
		"tags":   tftypes.Set{ElementType: tftypes.String},
		"on":     tftypes.Bool,
		"none":   tftypes.String,
		"big":    tftypes.Number,
	}}
	huge, _, _ := big.ParseFloat("123456789012345678901234567890.5", 10, 512, big.ToNearestEven)
	v := tftypes.NewValue(typ, map[string]tftypes.Value{
		"name": tftypes.NewValue(tftypes.String, "a \"quoted\" ü"),
		"ids":  tfIntMap(map[string]int64{"vrf": 7, "prefix/default": 12}),
		"ranges": tftypes.NewValue(tftypes.List{ElementType: inner}, []tftypes.Value{
			tftypes.NewValue(inner, map[string]tftypes.Value{"from": tftypes.NewValue(tftypes.Number, 1000), "to": tftypes.NewValue(tftypes.Number, 1999)}),
		}),
		"tags": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{tfStr("x"), tfStr("y")}),
		"on":   tftypes.NewValue(tftypes.Bool, true),
		"none": tftypes.NewValue(tftypes.String, nil),
		"big":  tftypes.NewValue(tftypes.Number, huge),
	})
	b, err := valueJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"big":123456789012345678901234567890.5,"ids":{"prefix/default":12,"vrf":7},"name":"a \"quoted\" ü","none":null,"on":true,"ranges":[{"from":1000,"to":1999}],"tags":["x","y"]}`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
	back, err := tftypes.ValueFromJSONWithOpts(b, typ, tftypes.ValueFromJSONOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equal(v) {
		t.Errorf("round trip changed the value:\n%s\n%s", back, v)
	}
	if _, err := valueJSON(tftypes.NewValue(tftypes.String, tftypes.UnknownValue)); err == nil {
		t.Error("an unknown value was encoded")
	}
}
