package provider

import (
	"fmt"
	"sort"
	"sync"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric/crds"
	"github.com/githedgehog/terraform-provider-hedgehog/internal/tfschema"
)

// kindSpec is everything the generic resource and data source need to serve one fabric kind.
type kindSpec struct {
	Kind     string        // fabric kind, e.g. "VPC"
	TypeName string        // suffix after the provider name, e.g. "vpc" -> hedgehog_vpc
	CRD      *tfschema.CRD // derived schema (CRD.Spec nil for kinds without spec fields)
	// Immutable lists the spec fields the fabric refuses to change on update: a change replaces the
	// resource (replace.go). The resource docs list them per kind (templates/resources.md.tmpl).
	Immutable []immutableField
}

// immutableField is one spec field the fabric refuses to change on update.
type immutableField struct {
	// Path is the field's JSON names from the spec root, e.g. {"staticExternal", "withinVPC"}.
	Path []string
	// Value: any change of the value replaces the resource. Without it only a change between set and
	// unset does (a link type: the type may not change, its links may).
	Value bool
}

// connectionImmutable: the fabric refuses to change a Connection's link type on update (each link type
// is a field of its own, so setting one and unsetting another is the change) and its staticExternal
// withinVPC (RULES-NOTES: "the link type is immutable on update (so is withinVPC)"). No other kind has
// fields the fabric refuses to change (its webhooks and the CRDs, which carry no immutability markers).
var connectionImmutable = []immutableField{
	{Path: []string{"unbundled"}}, {Path: []string{"bundled"}}, {Path: []string{"eslag"}}, {Path: []string{"mclag"}},
	{Path: []string{"mclagDomain"}}, {Path: []string{"fabric"}}, {Path: []string{"mesh"}}, {Path: []string{"gateway"}},
	{Path: []string{"vpcLoopback"}}, {Path: []string{"external"}}, {Path: []string{"staticExternal"}},
	{Path: []string{"staticExternal", "withinVPC"}, Value: true},
}

// managedKinds are the kinds the provider manages as resources (SwitchProfile and ServerProfile are a
// read-only catalog the fabric ships, so they are data sources only).
var managedKinds = []struct {
	kind, typeName string
	immutable      []immutableField
}{
	{fabric.KindVPC, "vpc", nil},
	{fabric.KindVPCAttachment, "vpc_attachment", nil},
	{fabric.KindVPCPeering, "vpc_peering", nil},
	{fabric.KindIPv4Namespace, "ipv4_namespace", nil},
	{fabric.KindVLANNamespace, "vlan_namespace", nil},
	{fabric.KindExternal, "external", nil},
	{fabric.KindExternalAttachment, "external_attachment", nil},
	{fabric.KindExternalPeering, "external_peering", nil},
	{fabric.KindSwitch, "switch", nil},
	{fabric.KindSwitchGroup, "switch_group", nil},
	{fabric.KindServer, "server", nil},
	// The link type of a connection cannot change on update (nor can withinVPC): the fabric rejects it.
	{fabric.KindConnection, "connection", connectionImmutable},
}

var catalogKinds = []struct{ kind, typeName string }{
	{fabric.KindSwitchProfile, "switch_profile"},
	{fabric.KindServerProfile, "server_profile"},
}

var (
	kindsOnce sync.Once
	kindsByK  map[string]*kindSpec
	kindsErr  error
)

func loadKinds() (map[string]*kindSpec, error) {
	kindsOnce.Do(func() {
		kindsByK = map[string]*kindSpec{}
		byKind := map[string]*tfschema.CRD{}
		for _, f := range crds.Files() {
			data, _ := crds.Read(f)
			c, err := tfschema.ParseCRD(data)
			if err != nil {
				kindsErr = err
				return
			}
			byKind[c.Kind] = c
		}
		add := func(kind, typeName string, imm []immutableField) {
			c := byKind[kind]
			if c == nil {
				kindsErr = fmt.Errorf("no CRD for kind %s", kind)
				return
			}
			kindsByK[kind] = &kindSpec{Kind: kind, TypeName: typeName, CRD: c, Immutable: imm}
		}
		for _, k := range managedKinds {
			add(k.kind, k.typeName, k.immutable)
		}
		for _, k := range catalogKinds {
			add(k.kind, k.typeName, nil)
		}
	})
	return kindsByK, kindsErr
}

func mustKinds() map[string]*kindSpec {
	ks, err := loadKinds()
	if err != nil {
		panic(err) // the CRDs are embedded; a failure here is a build defect caught by the unit tests
	}
	return ks
}

func sortedKindSpecs(filter func(kind string) bool) []*kindSpec {
	var out []*kindSpec
	for k, s := range mustKinds() {
		if filter(k) {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].TypeName < out[j].TypeName })
	return out
}

func isManaged(kind string) bool {
	for _, k := range managedKinds {
		if k.kind == kind {
			return true
		}
	}
	return false
}
