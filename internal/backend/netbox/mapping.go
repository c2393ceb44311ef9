package netbox

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

// NetBox models this backend writes.
const (
	modelVLANGroup = "vlangroup"
	modelVRF       = "vrf"
	modelVLAN      = "vlan"
	modelPrefix    = "prefix"
)

// writeOrder is the order records are created and patched in (references point backwards); deletes run
// in reverse.
// VLANs go before VRFs: NetBox refuses a VLAN whose vid its group already holds, so a VLAN made by
// someone else after the run's cache was read fails the first write of a new VPC, before anything exists.
var writeOrder = []string{modelVLANGroup, modelVLAN, modelVRF, modelPrefix}

// Kinds this backend maps.
const (
	kindVPC           = "VPC"
	kindIPv4Namespace = "IPv4Namespace"
	kindVLANNamespace = "VLANNamespace"
)

// modelsOf lists the NetBox models that hold a kind's records.
func modelsOf(kind string) []string {
	switch kind {
	case kindVPC:
		return []string{modelVRF, modelVLAN, modelPrefix}
	case kindIPv4Namespace:
		return []string{modelPrefix}
	case kindVLANNamespace:
		return []string{modelVLANGroup}
	}
	return nil
}

// tagRef is a tag on a NetBox record.
type tagRef struct {
	Name string `json:"name"`
	Slug string `json:"slug"`
}

// record is one NetBox record in the fields this backend manages, plus its id, tags and ownership mark.
type record struct {
	Model string `json:"model"`
	ID    int32  `json:"id,omitempty"`
	// Part identifies the record within its Hedgehog object ("vrf", "subnet:default", ...).
	Part string `json:"part"`
	// Mark is the custom field value; empty when the record is not owned.
	Mark string   `json:"mark,omitempty"`
	Tags []tagRef `json:"tags,omitempty"`

	Name          string     `json:"name,omitempty"`
	Slug          string     `json:"slug,omitempty"`
	Description   string     `json:"description,omitempty"`
	EnforceUnique bool       `json:"enforce_unique,omitempty"`
	Prefix        string     `json:"prefix,omitempty"`
	Status        string     `json:"status,omitempty"`
	VRF           int32      `json:"vrf,omitempty"`
	VLAN          int32      `json:"vlan,omitempty"`
	VID           int32      `json:"vid,omitempty"`
	Group         int32      `json:"group,omitempty"`
	GroupName     string     `json:"group_name,omitempty"`
	VIDRanges     [][2]int32 `json:"vid_ranges,omitempty"`
	Site          int32      `json:"site,omitempty"`

	// GroupAvailable marks an ungrouped VLAN whose namespace's VLAN group exists by now (read only).
	GroupAvailable bool `json:"-"`
	// Updated is NetBox's last_updated of the record as read (read only): the run cache reads only what
	// changed since the newest it holds (index.go).
	Updated time.Time `json:"-"`

	// Desired-only references to other parts of the same object, resolved to ids at write time.
	VRFPart  string `json:"-"`
	VLANPart string `json:"-"`
}

// key names a record within one object.
func (r record) key() string { return r.Model + "/" + r.Part }

// idKey names a record in NetBox (ids are per model).
func (r record) idKey() string { return fmt.Sprintf("%s#%d", r.Model, r.ID) }

// markPrefix is the custom field value prefix shared by all records of one object.
func markPrefix(ref backend.Ref) string {
	return ref.Kind + "/" + namespaceOf(ref) + "/" + ref.Name + "#"
}

func namespaceOf(ref backend.Ref) string {
	if ref.Namespace == "" {
		return "default"
	}
	return ref.Namespace
}

// ownerSep separates the owner from the rest of a mark: "VPC/default/web#vrf|owner=platform/prod". Marks of
// backend.DefaultOwner carry no owner (as they did before owners existed).
const ownerSep = "|owner="

// markSuffix is what a mark of owner ends with.
func markSuffix(owner string) string {
	if owner == "" || owner == backend.DefaultOwner {
		return ""
	}
	return ownerSep + owner
}

// ownerOfMark returns the owner a mark names ("" for an empty mark).
func ownerOfMark(mark string) string {
	if mark == "" {
		return ""
	}
	if _, owner, ok := strings.Cut(mark, ownerSep); ok {
		return owner
	}
	return backend.DefaultOwner
}

// ownerOfObject is the owner named by the object's annotations (the engine puts it there).
func ownerOfObject(obj backend.Object) string {
	md, _ := obj.Manifest["metadata"].(map[string]any)
	ann, _ := md["annotations"].(map[string]any)
	if o, ok := ann[backend.OwnerIDAnnotation].(string); ok && o != "" {
		return o
	}
	return backend.DefaultOwner
}

// refOfMark parses a mark back into the object reference and part.
func refOfMark(mark string) (backend.Ref, string, bool) {
	mark, _, _ = strings.Cut(mark, ownerSep)
	obj, part, ok := strings.Cut(mark, "#")
	if !ok {
		return backend.Ref{}, "", false
	}
	f := strings.SplitN(obj, "/", 3)
	if len(f) != 3 || f[0] == "" || f[2] == "" {
		return backend.Ref{}, "", false
	}
	return backend.Ref{Kind: f[0], Namespace: f[1], Name: f[2]}, part, true
}

// vpcSubnet is one subnet of a VPC spec as this backend projects it.
type vpcSubnet struct {
	Name string
	CIDR string
	VID  int32
}

// desired is the set of records an object maps to. VLANNamespace is the VPC's vlanNamespace (VPC only).
type desired struct {
	Records       []record
	VLANNamespace string
}

func specOf(obj backend.Object) map[string]any {
	s, _ := obj.Manifest["spec"].(map[string]any)
	return s
}

// canonicalCIDR returns the masked canonical form of a CIDR, or s unchanged if it does not parse.
func canonicalCIDR(s string) string {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil {
		return s
	}
	return p.Masked().String()
}

// toInt reads a JSON-ish number (float64, int, int64, json.Number, numeric string).
func toInt(v any) int64 {
	switch n := v.(type) {
	case float64:
		return int64(n)
	case float32:
		return int64(n)
	case int:
		return int64(n)
	case int32:
		return int64(n)
	case int64:
		return n
	case uint16:
		return int64(n)
	case uint32:
		return int64(n)
	case json.Number:
		i, _ := n.Int64()
		return i
	case string:
		i, _ := strconv.ParseInt(n, 10, 64)
		return i
	}
	return 0
}

func vpcSubnets(obj backend.Object) []vpcSubnet {
	subs, _ := specOf(obj)["subnets"].(map[string]any)
	out := make([]vpcSubnet, 0, len(subs))
	for name, v := range subs {
		m, _ := v.(map[string]any)
		cidr, _ := m["subnet"].(string)
		out = append(out, vpcSubnet{Name: name, CIDR: canonicalCIDR(cidr), VID: int32(toInt(m["vlan"]))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func vlanNamespaceOf(obj backend.Object) string {
	ns, _ := specOf(obj)["vlanNamespace"].(string)
	if ns == "" {
		ns = "default"
	}
	return ns
}

func ipv4Subnets(obj backend.Object) []string {
	list, _ := specOf(obj)["subnets"].([]any)
	var out []string
	seen := map[string]bool{}
	for _, v := range list {
		if s, ok := v.(string); ok && !seen[canonicalCIDR(s)] {
			seen[canonicalCIDR(s)] = true
			out = append(out, canonicalCIDR(s))
		}
	}
	if ss, ok := specOf(obj)["subnets"].([]string); ok {
		for _, s := range ss {
			if !seen[canonicalCIDR(s)] {
				seen[canonicalCIDR(s)] = true
				out = append(out, canonicalCIDR(s))
			}
		}
	}
	sort.Strings(out)
	return out
}

func vlanRanges(obj backend.Object) [][2]int32 {
	var out [][2]int32
	switch list := specOf(obj)["ranges"].(type) {
	case []any:
		for _, v := range list {
			m, _ := v.(map[string]any)
			out = append(out, [2]int32{int32(toInt(m["from"])), int32(toInt(m["to"]))})
		}
	case []map[string]any:
		for _, m := range list {
			out = append(out, [2]int32{int32(toInt(m["from"])), int32(toInt(m["to"]))})
		}
	}
	sortRanges(out)
	return out
}

func sortRanges(r [][2]int32) {
	sort.Slice(r, func(i, j int) bool {
		if r[i][0] != r[j][0] {
			return r[i][0] < r[j][0]
		}
		return r[i][1] < r[j][1]
	})
}

// vlanDescription records the VLAN namespace of a VPC VLAN, so that an ungrouped VLAN still projects it.
func vlanDescription(vpc, subnet, ns string) string {
	return fmt.Sprintf("hedgehog VPC %s subnet %s, vlanNamespace %s", vpc, subnet, ns)
}

func namespaceFromVLANDescription(d string) string {
	const sep = ", vlanNamespace "
	if i := strings.LastIndex(d, sep); i >= 0 {
		return d[i+len(sep):]
	}
	return ""
}

// desiredRecords maps obj to the NetBox records it should have. Group and site ids are resolved later.
func desiredRecords(obj backend.Object) desired {
	mp := markPrefix(obj.Ref)
	suffix := markSuffix(ownerOfObject(obj))
	var d desired
	add := func(r record) {
		r.Mark = mp + r.Part + suffix
		d.Records = append(d.Records, r)
	}
	switch obj.Kind {
	case kindVPC:
		ns := vlanNamespaceOf(obj)
		d.VLANNamespace = ns
		add(record{Model: modelVRF, Part: "vrf", Name: obj.Name, EnforceUnique: true,
			Description: "hedgehog VPC " + obj.Name})
		for _, s := range vpcSubnets(obj) {
			part := "subnet:" + s.Name
			p := record{Model: modelPrefix, Part: part, Prefix: s.CIDR, Status: "active",
				Description: obj.Name + "/" + s.Name, VRFPart: "vrf"}
			if s.VID > 0 {
				add(record{Model: modelVLAN, Part: part, VID: s.VID, Name: obj.Name + "-" + s.Name,
					GroupName: ns, Description: vlanDescription(obj.Name, s.Name, ns)})
				p.VLANPart = part
			}
			add(p)
		}
	case kindIPv4Namespace:
		for _, c := range ipv4Subnets(obj) {
			add(record{Model: modelPrefix, Part: "prefix:" + c, Prefix: c, Status: "container",
				Description: "hedgehog IPv4Namespace " + obj.Name})
		}
	case kindVLANNamespace:
		add(record{Model: modelVLANGroup, Part: "vlan_group", Name: obj.Name, Slug: "hh-" + obj.Name,
			VIDRanges: vlanRanges(obj), Description: "hedgehog VLANNamespace " + obj.Name})
	}
	return d
}

// projection is the NetBox view of an object that Digest hashes.
type projection struct {
	VRF      string     `json:"vrf,omitempty"`
	Subnets  [][]any    `json:"subnets,omitempty"`
	Prefixes []string   `json:"prefixes,omitempty"`
	Group    string     `json:"group,omitempty"`
	Ranges   [][2]int32 `json:"ranges,omitempty"`
}

// projectDesired computes the projection of a desired object.
func projectDesired(obj backend.Object) projection {
	var p projection
	switch obj.Kind {
	case kindVPC:
		p.VRF = obj.Name
		ns := vlanNamespaceOf(obj)
		for _, s := range vpcSubnets(obj) {
			g := ""
			if s.VID > 0 {
				g = ns
			}
			p.Subnets = append(p.Subnets, []any{s.Name, s.CIDR, s.VID, g})
		}
	case kindIPv4Namespace:
		p.Prefixes = ipv4Subnets(obj)
	case kindVLANNamespace:
		p.Group = obj.Name
		p.Ranges = vlanRanges(obj)
	}
	return p
}

// projectRecords computes the projection of the records read back for one object.
func projectRecords(kind string, recs []record) projection {
	var p projection
	byKey := map[string]record{}
	for _, r := range recs {
		byKey[r.key()] = r
	}
	switch kind {
	case kindVPC:
		if v, ok := byKey[modelVRF+"/vrf"]; ok {
			p.VRF = v.Name
		}
		var names []string
		for _, r := range recs {
			if r.Model == modelPrefix && strings.HasPrefix(r.Part, "subnet:") {
				names = append(names, r.Part)
			}
		}
		sort.Strings(names)
		for _, part := range names {
			pr := byKey[modelPrefix+"/"+part]
			var vid int32
			g := ""
			if vl, ok := byKey[modelVLAN+"/"+part]; ok {
				vid = vl.VID
				g = vl.GroupName
				if vl.Group == 0 {
					// Ungrouped is in sync only while the namespace has no VLAN group in NetBox.
					g = namespaceFromVLANDescription(vl.Description)
					if vl.GroupAvailable {
						g = ""
					}
				}
			}
			p.Subnets = append(p.Subnets, []any{strings.TrimPrefix(part, "subnet:"), canonicalCIDR(pr.Prefix), vid, g})
		}
	case kindIPv4Namespace:
		for _, r := range recs {
			if r.Model == modelPrefix {
				p.Prefixes = append(p.Prefixes, canonicalCIDR(r.Prefix))
			}
		}
		sort.Strings(p.Prefixes)
	case kindVLANNamespace:
		if g, ok := byKey[modelVLANGroup+"/vlan_group"]; ok {
			p.Group = g.Name
			p.Ranges = append([][2]int32(nil), g.VIDRanges...)
			sortRanges(p.Ranges)
		}
	}
	return p
}

// checkpointOf maps records to the checkpoint fields ("vrf", "prefix/<subnet>", "vlan/<subnet>", ...).
func checkpointOf(recs []record) map[string]string {
	cp := map[string]string{}
	for _, r := range recs {
		if r.ID == 0 {
			continue
		}
		id := strconv.Itoa(int(r.ID))
		switch {
		case r.Model == modelVRF:
			cp["vrf"] = id
		case r.Model == modelVLANGroup:
			cp["vlan_group"] = id
		case strings.HasPrefix(r.Part, "subnet:"):
			cp[r.Model+"/"+strings.TrimPrefix(r.Part, "subnet:")] = id
		case strings.HasPrefix(r.Part, "prefix:"):
			cp["prefix/"+strings.TrimPrefix(r.Part, "prefix:")] = id
		}
	}
	return cp
}

// describe renders what NetBox receives for obj.
func describe(obj backend.Object) string {
	var lines []string
	switch obj.Kind {
	case kindVPC:
		// Where the records go, not their content: the typed attributes show the content, and a change to
		// one subnet must not repeat every subnet in the plan.
		ns := vlanNamespaceOf(obj)
		var prefixes, vlans int
		for _, s := range vpcSubnets(obj) {
			prefixes++
			if s.VID > 0 {
				vlans++
			}
		}
		lines = append(lines, "VRF "+obj.Name)
		lines = append(lines, fmt.Sprintf("%d prefix(es) in VRF %s, one per subnet", prefixes, obj.Name))
		if vlans > 0 {
			lines = append(lines, fmt.Sprintf("%d VLAN(s) named %s-<subnet>, in VLAN group %s if present", vlans, obj.Name, ns))
		}
	case kindIPv4Namespace:
		for _, c := range ipv4Subnets(obj) {
			lines = append(lines, fmt.Sprintf("container prefix %s (global)", c))
		}
	case kindVLANNamespace:
		var rs []string
		for _, r := range vlanRanges(obj) {
			rs = append(rs, fmt.Sprintf("%d-%d", r[0], r[1]))
		}
		lines = append(lines, fmt.Sprintf("VLAN group %s (slug hh-%s, VIDs %s)", obj.Name, obj.Name, strings.Join(rs, ",")))
	}
	return strings.Join(lines, "; ")
}
