package cascade

import (
	"sort"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric"
)

// Reference names one object another object refers to.
type Reference struct{ Kind, Name string }

// refKinds maps a reference index of the View to the kind of the object it names. Composite indexes
// (a connection and a subnet, a native VLAN) name no object of their own and are left out.
var refKinds = map[string]string{
	idxAttByVPC:        fabric.KindVPC,
	idxAttByConn:       fabric.KindConnection,
	idxPeerByVPC:       fabric.KindVPC,
	idxExtPeerByVPC:    fabric.KindVPC,
	idxExtPeerByExt:    fabric.KindExternal,
	idxExtAttByExt:     fabric.KindExternal,
	idxExtAttByConn:    fabric.KindConnection,
	idxConnBySwitch:    fabric.KindSwitch,
	idxConnByServer:    fabric.KindServer,
	idxConnByWithinVPC: fabric.KindVPC,
	idxVPCByIPv4NS:     fabric.KindIPv4Namespace,
	idxVPCByVLANNS:     fabric.KindVLANNamespace,
	idxVPCByRelay:      fabric.KindVPC,
	idxExtByIPv4NS:     fabric.KindIPv4Namespace,
	idxSwitchByVLANNS:  fabric.KindVLANNamespace,
	idxSwitchByGroup:   fabric.KindSwitchGroup,
	idxSwitchByProfile: fabric.KindSwitchProfile,
	idxSwitchByRedGrp:  fabric.KindSwitchGroup,
}

// References returns the objects obj refers to (the same references the cross-resource checks resolve),
// sorted by kind and name, without duplicates and without obj itself.
func References(obj fabric.Object) []Reference {
	if obj == nil {
		return nil
	}
	seen := map[Reference]bool{}
	var out []Reference
	self := Reference{obj.GetKind(), obj.Meta().Name}
	for _, r := range derive(obj).refs {
		kind, ok := refKinds[r.idx]
		if !ok || r.target == "" {
			continue
		}
		ref := Reference{kind, r.target}
		if ref == self || seen[ref] {
			continue
		}
		seen[ref] = true
		out = append(out, ref)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Planned reports whether the view holds the object of kind and name as planned in this run (Upsert) or
// declared by this configuration (UpsertDeclared), rather than only as read from the fabric. (An object of
// this owner read from the fabric counts too: the caller asks about objects the cluster does not hold.)
func (v *View) Planned(kind, name string) bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	e := v.objs[kind][name]
	return e != nil && (e.planned || e.own)
}
