package netboxemu

import (
	"fmt"
	"net/netip"
	"strings"
)

// modelDef describes one emulated NetBox model and its endpoint.
type modelDef struct {
	name    string // content type label, e.g. "ipam.prefix"
	path    string // API path below /api/, e.g. "ipam/prefixes"
	verbose string // verbose_name used in messages, e.g. "prefix"
	class   string // class name used in 404s, e.g. "Prefix"
	fields  []*field
	tagged  bool // has tags and custom_fields
	// display renders the object's string form.
	display func(e *Emulator, r *record) string
	// brief lists the fields of the brief (nested) representation.
	brief []string
	// briefAPI lists the fields returned for ?brief=true when they differ
	// from brief; briefSchema names the document's schema for them.
	briefAPI    []string
	briefSchema string
	// extra adds read-only computed fields to the full representation.
	extra func(e *Emulator, r *record, out map[string]any)
	// clean runs model validation (after field validation).
	clean func(e *Emulator, r *record) errs
	// unique lists single fields NetBox declares unique=True.
	unique []string
	// filters maps query parameters to predicates.
	filters map[string]filterFunc
	// search returns the strings matched by ?q=.
	search func(r *record) []string
	// less orders records like the model's Meta.ordering.
	less func(e *Emulator, a, b *record) bool
}

// filterFunc reports whether r matches any of the given values; a non-empty
// error string answers 400 {param: [msg]}.
type filterFunc func(e *Emulator, r *record, vals []string) (bool, string)

func (m *modelDef) field(name string) *field {
	for _, f := range m.fields {
		if f.name == name {
			return f
		}
	}
	return nil
}

func str(r *record, k string) string {
	if s, ok := r.data[k].(string); ok {
		return s
	}
	return ""
}

func i64(r *record, k string) (int64, bool) {
	n, ok := r.data[k].(int64)
	return n, ok
}

var (
	statusPrefix = []choice{{"container", "Container"}, {"active", "Active"}, {"reserved", "Reserved"}, {"deprecated", "Deprecated"}}
	statusVLAN   = []choice{{"active", "Active"}, {"reserved", "Reserved"}, {"deprecated", "Deprecated"}}
	statusSite   = []choice{{"planned", "Planned"}, {"staging", "Staging"}, {"active", "Active"}, {"decommissioning", "Decommissioning"}, {"retired", "Retired"}}
	qinqRoles    = []choice{{"svlan", "Service"}, {"cvlan", "Customer"}}
	cfTypes      = []choice{{"text", "Text"}, {"longtext", "Text (long)"}, {"integer", "Integer"}, {"decimal", "Decimal"}, {"boolean", "Boolean (true/false)"}, {"date", "Date"}, {"datetime", "Date & time"}, {"url", "URL"}, {"json", "JSON"}, {"select", "Selection"}, {"multiselect", "Multiple selection"}, {"object", "Object"}, {"multiobject", "Multiple objects"}}
	cfFilter     = []choice{{"disabled", "Disabled"}, {"loose", "Loose"}, {"exact", "Exact"}}
	cfVisible    = []choice{{"always", "Always"}, {"if-set", "If set"}, {"hidden", "Hidden"}}
	cfEditable   = []choice{{"yes", "Yes"}, {"no", "No"}, {"hidden", "Hidden"}}
	journalKinds = []choice{{"info", "Info"}, {"success", "Success"}, {"warning", "Warning"}, {"danger", "Danger"}}
)

func byName(e *Emulator, a, b *record) bool {
	if str(a, "name") != str(b, "name") {
		return str(a, "name") < str(b, "name")
	}
	return a.id < b.id
}

func nameSearch(keys ...string) func(r *record) []string {
	return func(r *record) []string {
		var out []string
		for _, k := range keys {
			out = append(out, str(r, k))
		}
		return out
	}
}

// unsupportedFK is a related field whose model the emulator does not hold;
// any non-null value is answered like a missing object.
func unsupportedFK(name string) *field {
	return &field{name: name, kind: kFK, nullable: true, ref: "unsupported." + name}
}

func buildModels() map[string]*modelDef {
	ms := []*modelDef{siteModel(), vrfModel(), prefixModel(), vlanGroupModel(), vlanModel(), tagModel(), customFieldModel(), journalModel()}
	out := map[string]*modelDef{}
	for _, m := range ms {
		out[m.name] = m
	}
	return out
}

func siteModel() *modelDef {
	return &modelDef{
		name: "dcim.site", path: "dcim/sites", verbose: "site", class: "Site", tagged: true,
		fields: []*field{
			{name: "name", kind: kString, required: true, maxLen: 100},
			{name: "slug", kind: kString, required: true, maxLen: 100},
			{name: "status", kind: kChoice, choices: statusSite, def: "active"},
			unsupportedFK("region"), unsupportedFK("group"), unsupportedFK("tenant"),
			{name: "facility", kind: kString, maxLen: 50, def: ""},
			{name: "time_zone", kind: kString, nullable: true},
			{name: "description", kind: kString, maxLen: 200, def: ""},
			{name: "physical_address", kind: kString, maxLen: 200, def: ""},
			{name: "shipping_address", kind: kString, maxLen: 200, def: ""},
			{name: "latitude", kind: kFloat, nullable: true},
			{name: "longitude", kind: kFloat, nullable: true},
			{name: "comments", kind: kString, def: ""},
			{name: "asns", kind: kIntList, def: []any{}},
		},
		unique:      []string{"name", "slug"},
		brief:       []string{"id", "url", "display", "name", "slug", "description"},
		briefSchema: "BriefSite",
		display:     func(_ *Emulator, r *record) string { return str(r, "name") },
		extra: func(e *Emulator, r *record, out map[string]any) {
			out["asns"] = []any{}
			out["circuit_count"] = 0
			out["device_count"] = 0
			out["rack_count"] = 0
			out["virtualmachine_count"] = 0
			out["prefix_count"] = e.count("ipam.prefix", func(p *record) bool { return p.data["scope_type"] == "dcim.site" && p.data["scope_id"] == r.id })
			out["vlan_count"] = e.count("ipam.vlan", func(v *record) bool { return v.data["site"] == r.id })
		},
		filters: map[string]filterFunc{
			"name": strFilter("name"), "slug": strFilter("slug"), "status": strFilter("status"),
			"facility": strFilter("facility"),
		},
		search: nameSearch("name", "slug", "facility", "description", "comments"),
		less:   byName,
	}
}

func vrfModel() *modelDef {
	return &modelDef{
		name: "ipam.vrf", path: "ipam/vrfs", verbose: "VRF", class: "VRF", tagged: true,
		fields: []*field{
			{name: "name", kind: kString, required: true, maxLen: 100},
			{name: "rd", kind: kString, nullable: true, maxLen: 21},
			unsupportedFK("tenant"),
			{name: "enforce_unique", kind: kBool, def: true},
			{name: "description", kind: kString, maxLen: 200, def: ""},
			{name: "comments", kind: kString, def: ""},
			{name: "import_targets", kind: kIntList, def: []any{}},
			{name: "export_targets", kind: kIntList, def: []any{}},
		},
		unique:      []string{"rd"},
		brief:       []string{"id", "url", "display", "name", "rd", "description", "prefix_count"},
		briefSchema: "BriefVRF",
		display: func(_ *Emulator, r *record) string {
			if rd := str(r, "rd"); rd != "" {
				return fmt.Sprintf("%s (%s)", str(r, "name"), rd)
			}
			return str(r, "name")
		},
		extra: func(e *Emulator, r *record, out map[string]any) {
			out["ipaddress_count"] = 0
			out["prefix_count"] = e.count("ipam.prefix", func(p *record) bool { return p.data["vrf"] == r.id })
		},
		filters: map[string]filterFunc{
			"name": strFilter("name"), "rd": strFilter("rd"), "enforce_unique": boolFilter("enforce_unique"),
		},
		search: nameSearch("name", "rd", "description", "comments"),
		less: func(e *Emulator, a, b *record) bool {
			if str(a, "name") != str(b, "name") {
				return str(a, "name") < str(b, "name")
			}
			if str(a, "rd") != str(b, "rd") {
				return str(a, "rd") < str(b, "rd")
			}
			return a.id < b.id
		},
	}
}

func prefixOf2(r *record) netip.Prefix {
	p, _ := netip.ParsePrefix(str(r, "prefix"))
	return p
}

func prefixModel() *modelDef {
	return &modelDef{
		name: "ipam.prefix", path: "ipam/prefixes", verbose: "prefix", class: "Prefix", tagged: true,
		fields: []*field{
			{name: "prefix", kind: kString, required: true},
			{name: "vrf", kind: kFK, ref: "ipam.vrf", nullable: true},
			{name: "scope_type", kind: kScopeType, nullable: true},
			{name: "scope_id", kind: kInt, nullable: true},
			unsupportedFK("tenant"),
			{name: "vlan", kind: kFK, ref: "ipam.vlan", nullable: true},
			{name: "status", kind: kChoice, choices: statusPrefix, def: "active"},
			unsupportedFK("role"),
			{name: "is_pool", kind: kBool, def: false},
			{name: "mark_utilized", kind: kBool, def: false},
			{name: "description", kind: kString, maxLen: 200, def: ""},
			{name: "comments", kind: kString, def: ""},
		},
		brief:   []string{"id", "url", "display", "family", "prefix", "description", "_depth"},
		display: func(_ *Emulator, r *record) string { return str(r, "prefix") },
		extra: func(e *Emulator, r *record, out map[string]any) {
			p := prefixOf2(r)
			fam := map[string]any{"value": 4, "label": "IPv4"}
			if p.Addr().Is6() {
				fam = map[string]any{"value": 6, "label": "IPv6"}
			}
			out["family"] = fam
			depth, children := 0, 0
			for _, o := range e.store["ipam.prefix"] {
				if o.id == r.id || o.data["vrf"] != r.data["vrf"] {
					continue
				}
				q := prefixOf2(o)
				if q.Bits() < p.Bits() && q.Contains(p.Addr()) {
					depth++
				}
				if q.Bits() > p.Bits() && p.Contains(q.Addr()) {
					children++
				}
			}
			out["_depth"] = depth
			out["children"] = children
			out["scope"] = nil
			if id, ok := i64(r, "scope_id"); ok && r.data["scope_type"] == "dcim.site" {
				out["scope"] = e.briefOf("dcim.site", id)
			}
		},
		clean: cleanPrefix,
		filters: map[string]filterFunc{
			"prefix": func(_ *Emulator, r *record, vals []string) (bool, string) {
				for _, v := range vals {
					p, err := netip.ParsePrefix(v)
					if err != nil {
						return false, fmt.Sprintf("Invalid IP prefix format: %s", v)
					}
					if p.Masked().String() == str(r, "prefix") {
						return true, ""
					}
				}
				return false, ""
			},
			"vrf_id":  fkFilter("vrf", "ipam.vrf"),
			"vrf":     fkAttrFilter("vrf", "ipam.vrf", "rd"),
			"vlan_id": fkFilter("vlan", "ipam.vlan"),
			"status":  strFilter("status"),
			"site_id": func(e *Emulator, r *record, vals []string) (bool, string) {
				if r.data["scope_type"] != "dcim.site" {
					return false, ""
				}
				return fkFilter("scope_id", "dcim.site")(e, r, vals)
			},
			"family": func(_ *Emulator, r *record, vals []string) (bool, string) {
				for _, v := range vals {
					if (v == "4") == prefixOf2(r).Addr().Is4() {
						return true, ""
					}
				}
				return false, ""
			},
			"vlan_vid": func(e *Emulator, r *record, vals []string) (bool, string) {
				id, ok := i64(r, "vlan")
				if !ok {
					return false, ""
				}
				return strFilter("vid")(e, e.store["ipam.vlan"][id], vals)
			},
		},
		search: nameSearch("prefix", "description", "comments"),
		less: func(e *Emulator, a, b *record) bool {
			va, oka := i64(a, "vrf")
			vb, okb := i64(b, "vrf")
			if oka != okb {
				return !oka
			}
			if va != vb {
				return va < vb
			}
			pa, pb := prefixOf2(a), prefixOf2(b)
			if c := pa.Addr().Compare(pb.Addr()); c != 0 {
				return c < 0
			}
			if pa.Bits() != pb.Bits() {
				return pa.Bits() < pb.Bits()
			}
			return a.id < b.id
		},
	}
}

// cleanPrefix mirrors Prefix.clean(): normalisation, /0 and uniqueness.
func cleanPrefix(e *Emulator, r *record) errs {
	out := errs{}
	p, err := netip.ParsePrefix(str(r, "prefix"))
	if err != nil {
		out.add("prefix", fmt.Sprintf("Invalid IP prefix format: %s", str(r, "prefix")))
		return out
	}
	if p.Bits() == 0 {
		out.add("prefix", "Cannot create prefix with /0 mask.")
		return out
	}
	// NetBox clears host bits on save.
	r.data["prefix"] = p.Masked().String()
	if st, ok := r.data["scope_type"]; ok && st != nil {
		if _, ok := i64(r, "scope_id"); !ok {
			out.add("scope", "Please select a site.")
			return out
		}
		if sid, _ := i64(r, "scope_id"); e.store["dcim.site"][sid] == nil {
			out.add("scope", fmt.Sprintf("Related object not found using the provided numeric ID: %d", sid))
			return out
		}
	} else if _, ok := i64(r, "scope_id"); ok {
		out.add("scope_type", "Please select a scope type.")
		return out
	}
	vrfID, hasVRF := i64(r, "vrf")
	enforce := !hasVRF && !e.opts.AllowGlobalDuplicatePrefixes
	table := "global table"
	if hasVRF {
		v := e.store["ipam.vrf"][vrfID]
		enforce = v.data["enforce_unique"] == true
		table = "VRF " + e.models["ipam.vrf"].display(e, v)
	}
	if enforce {
		for _, o := range e.sortedRecords("ipam.prefix") {
			if o.id != r.id && o.data["vrf"] == r.data["vrf"] && str(o, "prefix") == str(r, "prefix") {
				out.add("prefix", fmt.Sprintf("Duplicate prefix found in %s: %s", table, str(o, "prefix")))
				break
			}
		}
	}
	return out
}

func vlanGroupModel() *modelDef {
	return &modelDef{
		name: "ipam.vlangroup", path: "ipam/vlan-groups", verbose: "VLAN group", class: "VLANGroup", tagged: true,
		fields: []*field{
			{name: "name", kind: kString, required: true, maxLen: 100},
			{name: "slug", kind: kString, required: true, maxLen: 100},
			{name: "scope_type", kind: kScopeType, nullable: true},
			{name: "scope_id", kind: kInt, nullable: true},
			{name: "vid_ranges", kind: kVidRanges, def: []any{[]any{int64(1), int64(4094)}}},
			unsupportedFK("tenant"),
			{name: "description", kind: kString, maxLen: 200, def: ""},
		},
		brief:       []string{"id", "url", "display", "name", "slug", "description", "vlan_count"},
		briefSchema: "BriefVLANGroup",
		display:     func(_ *Emulator, r *record) string { return str(r, "name") },
		extra: func(e *Emulator, r *record, out map[string]any) {
			n := e.count("ipam.vlan", func(v *record) bool { return v.data["group"] == r.id })
			out["vlan_count"] = n
			out["scope"] = nil
			if id, ok := i64(r, "scope_id"); ok && r.data["scope_type"] == "dcim.site" {
				out["scope"] = e.briefOf("dcim.site", id)
			}
			total := int64(0)
			for _, rg := range r.data["vid_ranges"].([]any) {
				pr := rg.([]any)
				total += pr[1].(int64) - pr[0].(int64) + 1
			}
			u := 0.0
			if total > 0 {
				u = float64(n) / float64(total) * 100
			}
			out["utilization"] = pyFloat(u)
		},
		clean: func(e *Emulator, r *record) errs {
			out := errs{}
			if st := r.data["scope_type"]; st != nil {
				sid, ok := i64(r, "scope_id")
				if !ok {
					out.add("scope", "Please select a site.")
					return out
				}
				if e.store["dcim.site"][sid] == nil {
					out.add("scope", fmt.Sprintf("Related object not found using the provided numeric ID: %d", sid))
					return out
				}
			} else if _, ok := i64(r, "scope_id"); ok {
				out.add("scope_type", "Please select a scope type.")
				return out
			}
			for _, o := range e.store["ipam.vlangroup"] {
				if o.id == r.id || o.data["scope_type"] != r.data["scope_type"] || o.data["scope_id"] != r.data["scope_id"] {
					continue
				}
				if str(o, "name") == str(r, "name") {
					out.add("non_field_errors", "The fields scope_type, scope_id, name must make a unique set.")
				}
				if str(o, "slug") == str(r, "slug") {
					out.add("non_field_errors", "The fields scope_type, scope_id, slug must make a unique set.")
				}
			}
			if len(out) > 0 {
				return out
			}
			// Existing VLANs must stay within the ranges.
			for _, v := range e.store["ipam.vlan"] {
				if v.data["group"] == r.id && !inRanges(r.data["vid_ranges"], v.data["vid"].(int64)) {
					out.add("vid_ranges", fmt.Sprintf("VLAN %d (%s) would fall outside the VID ranges.", v.data["vid"], str(v, "name")))
					break
				}
			}
			return out
		},
		filters: map[string]filterFunc{
			"name": strFilter("name"), "slug": strFilter("slug"),
			"scope_type": strFilter("scope_type"), "scope_id": strFilter("scope_id"),
			"site_id": func(e *Emulator, r *record, vals []string) (bool, string) {
				if r.data["scope_type"] != "dcim.site" {
					return false, ""
				}
				return fkFilter("scope_id", "dcim.site")(e, r, vals)
			},
		},
		search: nameSearch("name", "slug", "description"),
		less:   byName,
	}
}

func inRanges(v any, vid int64) bool {
	for _, rg := range v.([]any) {
		pr := rg.([]any)
		if vid >= pr[0].(int64) && vid <= pr[1].(int64) {
			return true
		}
	}
	return false
}

func formatRanges(v any) string {
	var parts []string
	for _, rg := range v.([]any) {
		pr := rg.([]any)
		parts = append(parts, fmt.Sprintf("%d-%d", pr[0], pr[1]))
	}
	return strings.Join(parts, ", ")
}

func vlanModel() *modelDef {
	return &modelDef{
		name: "ipam.vlan", path: "ipam/vlans", verbose: "VLAN", class: "VLAN", tagged: true,
		fields: []*field{
			{name: "site", kind: kFK, ref: "dcim.site", nullable: true},
			{name: "group", kind: kFK, ref: "ipam.vlangroup", nullable: true},
			{name: "vid", kind: kInt, required: true, min: ip(1), max: ip(4094)},
			{name: "name", kind: kString, required: true, maxLen: 64},
			unsupportedFK("tenant"),
			{name: "status", kind: kChoice, choices: statusVLAN, def: "active"},
			unsupportedFK("role"),
			{name: "description", kind: kString, maxLen: 200, def: ""},
			{name: "qinq_role", kind: kChoice, choices: qinqRoles, nullable: true},
			{name: "qinq_svlan", kind: kFK, ref: "ipam.vlan", nullable: true},
			{name: "comments", kind: kString, def: ""},
		},
		brief:       []string{"id", "url", "display", "vid", "name", "description"},
		briefSchema: "BriefVLAN",
		display:     func(_ *Emulator, r *record) string { return fmt.Sprintf("%s (%d)", str(r, "name"), r.data["vid"]) },
		extra: func(e *Emulator, r *record, out map[string]any) {
			out["l2vpn_termination"] = nil
			out["prefix_count"] = e.count("ipam.prefix", func(p *record) bool { return p.data["vlan"] == r.id })
		},
		clean: func(e *Emulator, r *record) errs {
			out := errs{}
			gid, ok := i64(r, "group")
			if !ok {
				return out
			}
			g := e.store["ipam.vlangroup"][gid]
			vid := r.data["vid"].(int64)
			if !inRanges(g.data["vid_ranges"], vid) {
				out.add("vid", fmt.Sprintf("VID must be in ranges %s for VLANs in group %s", formatRanges(g.data["vid_ranges"]), str(g, "name")))
				return out
			}
			if sid, ok := i64(r, "site"); ok && g.data["scope_type"] == "dcim.site" && g.data["scope_id"] != sid {
				out.add("group", fmt.Sprintf("VLAN is assigned to group %s (scope: %s); cannot also assign to site %s.", str(g, "name"), "site", e.models["dcim.site"].display(e, e.store["dcim.site"][sid])))
				return out
			}
			for _, o := range e.store["ipam.vlan"] {
				if o.id == r.id || o.data["group"] != r.data["group"] {
					continue
				}
				if o.data["vid"] == r.data["vid"] {
					out.add("non_field_errors", "The fields group, vid must make a unique set.")
				}
				if str(o, "name") == str(r, "name") {
					out.add("non_field_errors", "The fields group, name must make a unique set.")
				}
			}
			return out
		},
		filters: map[string]filterFunc{
			"vid": strFilter("vid"), "name": strFilter("name"), "status": strFilter("status"),
			"group_id": fkFilter("group", "ipam.vlangroup"),
			"group":    fkAttrFilter("group", "ipam.vlangroup", "slug"),
			"site_id":  fkFilter("site", "dcim.site"),
			"site":     fkAttrFilter("site", "dcim.site", "slug"),
		},
		search: nameSearch("name", "description", "comments"),
		less: func(e *Emulator, a, b *record) bool {
			for _, k := range []string{"site", "group"} {
				x, okx := i64(a, k)
				y, oky := i64(b, k)
				if okx != oky {
					return !okx
				}
				if x != y {
					return x < y
				}
			}
			if a.data["vid"].(int64) != b.data["vid"].(int64) {
				return a.data["vid"].(int64) < b.data["vid"].(int64)
			}
			return a.id < b.id
		},
	}
}

func tagModel() *modelDef {
	return &modelDef{
		name: "extras.tag", path: "extras/tags", verbose: "tag", class: "Tag",
		fields: []*field{
			{name: "name", kind: kString, required: true, maxLen: 100},
			{name: "slug", kind: kString, required: true, maxLen: 100},
			{name: "color", kind: kString, maxLen: 6, def: "9e9e9e"},
			{name: "description", kind: kString, maxLen: 200, def: ""},
			{name: "weight", kind: kInt, min: ip(0), max: ip(32767), def: int64(1000)},
			{name: "object_types", kind: kStrList, def: []any{}},
		},
		unique:      []string{"name", "slug"},
		brief:       []string{"id", "url", "display_url", "display", "name", "slug", "color"},
		briefAPI:    []string{"id", "url", "display", "name", "slug", "color", "description"},
		briefSchema: "BriefTag",
		display:     func(_ *Emulator, r *record) string { return str(r, "name") },
		extra: func(e *Emulator, r *record, out map[string]any) {
			n := 0
			for _, m := range e.models {
				if m.tagged {
					n += e.count(m.name, func(o *record) bool { return containsID(o.tags, r.id) })
				}
			}
			out["tagged_items"] = n
		},
		clean: func(e *Emulator, r *record) errs { return checkObjectTypes(e, r, "object_types") },
		filters: map[string]filterFunc{
			"name": strFilter("name"), "slug": strFilter("slug"), "color": strFilter("color"),
			"object_type": listFilter("object_types"),
		},
		search: nameSearch("name", "slug", "description"),
		less: func(e *Emulator, a, b *record) bool {
			if a.data["weight"].(int64) != b.data["weight"].(int64) {
				return a.data["weight"].(int64) < b.data["weight"].(int64)
			}
			return byName(e, a, b)
		},
	}
}

func checkObjectTypes(e *Emulator, r *record, k string) errs {
	out := errs{}
	for _, t := range r.data[k].([]any) {
		if _, ok := e.models[t.(string)]; !ok {
			out.add(k, fmt.Sprintf("Invalid content type: %s", t))
		}
	}
	return out
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// cfDataTypes maps custom field types to CustomField.data_type.
var cfDataTypes = map[string]string{
	"text": "string", "longtext": "string", "url": "string", "date": "string", "datetime": "string",
	"select": "string", "integer": "integer", "decimal": "number", "boolean": "boolean",
	"json": "object", "multiselect": "array", "object": "object", "multiobject": "array",
}

func customFieldModel() *modelDef {
	return &modelDef{
		name: "extras.customfield", path: "extras/custom-fields", verbose: "custom field", class: "CustomField",
		fields: []*field{
			{name: "object_types", kind: kStrList, required: true},
			{name: "type", kind: kChoice, choices: cfTypes, def: "text", rawChoice: false},
			{name: "related_object_type", kind: kString, nullable: true},
			{name: "name", kind: kString, required: true, maxLen: 50},
			{name: "label", kind: kString, maxLen: 50, def: ""},
			{name: "group_name", kind: kString, maxLen: 50, def: ""},
			{name: "description", kind: kString, maxLen: 200, def: ""},
			{name: "required", kind: kBool, def: false},
			{name: "unique", kind: kBool, def: false},
			{name: "search_weight", kind: kInt, min: ip(0), max: ip(32767), def: int64(1000)},
			{name: "filter_logic", kind: kChoice, choices: cfFilter, def: "loose"},
			{name: "ui_visible", kind: kChoice, choices: cfVisible, def: "always"},
			{name: "ui_editable", kind: kChoice, choices: cfEditable, def: "yes"},
			{name: "is_cloneable", kind: kBool, def: false},
			{name: "default", kind: kAny, nullable: true},
			{name: "related_object_filter", kind: kAny, nullable: true},
			{name: "weight", kind: kInt, min: ip(0), max: ip(32767), def: int64(100)},
			{name: "validation_minimum", kind: kInt, nullable: true},
			{name: "validation_maximum", kind: kInt, nullable: true},
			{name: "validation_regex", kind: kString, maxLen: 500, def: ""},
			unsupportedFK("choice_set"),
			{name: "comments", kind: kString, def: ""},
		},
		unique: []string{"name"},
		brief:  []string{"id", "url", "display", "name", "description"},
		display: func(_ *Emulator, r *record) string {
			if l := str(r, "label"); l != "" {
				return l
			}
			n := strings.ReplaceAll(str(r, "name"), "_", " ")
			if n == "" {
				return n
			}
			return strings.ToUpper(n[:1]) + strings.ToLower(n[1:])
		},
		extra: func(e *Emulator, r *record, out map[string]any) {
			out["data_type"] = cfDataTypes[str(r, "type")]
			out["choice_set"] = nil
		},
		clean: func(e *Emulator, r *record) errs {
			out := checkObjectTypes(e, r, "object_types")
			if len(out) > 0 {
				return out
			}
			if !cfName.MatchString(str(r, "name")) {
				out.add("name", "Only alphanumeric characters and underscores are allowed.")
			}
			switch str(r, "type") {
			case "select", "multiselect":
				out.add("choice_set", "Selection fields must specify a set of choices.")
			case "object", "multiobject":
				if r.data["related_object_type"] == nil {
					out.add("related_object_type", "Object fields must define an object type.")
				} else {
					out.add("related_object_type", "Object custom fields are not supported by the emulator.")
				}
			}
			if d := r.data["default"]; d != nil && len(out) == 0 {
				if msg := cfValidate(r, d); msg != "" {
					out.add("default", fmt.Sprintf("Invalid default value \"%v\": %s", d, msg))
				}
			}
			return out
		},
		filters: map[string]filterFunc{
			"name": strFilter("name"), "type": strFilter("type"),
			"object_type": listFilter("object_types"), "group_name": strFilter("group_name"),
			"required": boolFilter("required"),
		},
		search: nameSearch("name", "label", "description"),
		less: func(e *Emulator, a, b *record) bool {
			if str(a, "group_name") != str(b, "group_name") {
				return str(a, "group_name") < str(b, "group_name")
			}
			if a.data["weight"].(int64) != b.data["weight"].(int64) {
				return a.data["weight"].(int64) < b.data["weight"].(int64)
			}
			return byName(e, a, b)
		},
	}
}

func journalModel() *modelDef {
	return &modelDef{
		name: "extras.journalentry", path: "extras/journal-entries", verbose: "journal entry", class: "JournalEntry", tagged: true,
		fields: []*field{
			{name: "assigned_object_type", kind: kString, required: true},
			{name: "assigned_object_id", kind: kInt, required: true, min: ip(0)},
			{name: "created_by", kind: kInt, nullable: true},
			{name: "kind", kind: kChoice, choices: journalKinds, def: "info"},
			{name: "comments", kind: kString, required: true},
		},
		brief: []string{"id", "url", "display", "created"},
		display: func(_ *Emulator, r *record) string {
			k, _ := (&field{choices: journalKinds}).choiceLabel(r.data["kind"])
			return fmt.Sprintf("%s (%s)", r.created.Format("2006-01-02 15:04"), k)
		},
		extra: func(e *Emulator, r *record, out map[string]any) {
			id, _ := i64(r, "assigned_object_id")
			out["assigned_object"] = e.briefOf(str(r, "assigned_object_type"), id)
		},
		clean: func(e *Emulator, r *record) errs {
			out := errs{}
			t := str(r, "assigned_object_type")
			m, ok := e.models[t]
			if !ok || !m.tagged || t == "extras.journalentry" {
				out.add("assigned_object_type", fmt.Sprintf("Invalid content type: %s", t))
				return out
			}
			id, _ := i64(r, "assigned_object_id")
			if e.store[t][id] == nil {
				out.add("non_field_errors", fmt.Sprintf("Invalid assigned_object: %s ID %d", t, id))
			}
			if r.data["created_by"] == nil {
				r.data["created_by"] = int64(1)
			}
			return out
		},
		filters: map[string]filterFunc{
			"assigned_object_type": strFilter("assigned_object_type"),
			"assigned_object_id":   strFilter("assigned_object_id"),
			"kind":                 strFilter("kind"),
		},
		search: nameSearch("comments"),
		less: func(e *Emulator, a, b *record) bool {
			if !a.created.Equal(b.created) {
				return a.created.After(b.created)
			}
			return a.id > b.id
		},
	}
}
