package netboxemu

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

var cfName = regexp.MustCompile(`^[a-z0-9_]+$`)

// pyFloat formats a float like Python's str().
func pyFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

func strFilter(k string) filterFunc {
	return func(_ *Emulator, r *record, vals []string) (bool, string) {
		if r == nil {
			return false, ""
		}
		have := fmt.Sprint(r.data[k])
		if r.data[k] == nil {
			have = ""
		}
		for _, v := range vals {
			if v == have || (v == "null" && r.data[k] == nil) {
				return true, ""
			}
		}
		return false, ""
	}
}

func boolFilter(k string) filterFunc {
	return func(_ *Emulator, r *record, vals []string) (bool, string) {
		for _, v := range vals {
			b := strings.EqualFold(v, "true") || v == "1"
			if r.data[k] == b {
				return true, ""
			}
		}
		return false, ""
	}
}

func listFilter(k string) filterFunc {
	return func(_ *Emulator, r *record, vals []string) (bool, string) {
		for _, v := range vals {
			for _, x := range r.data[k].([]any) {
				if x == v {
					return true, ""
				}
			}
		}
		return false, ""
	}
}

// fkFilter matches a related id; unknown ids answer 400 like django-filter.
func fkFilter(k, model string) filterFunc {
	return func(e *Emulator, r *record, vals []string) (bool, string) {
		hit := false
		for _, v := range vals {
			if v == "null" {
				if r.data[k] == nil {
					hit = true
				}
				continue
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || e.store[model][n] == nil {
				return false, fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", v)
			}
			if r.data[k] == n {
				hit = true
			}
		}
		return hit, ""
	}
}

// fkAttrFilter matches a related object by one attribute (e.g. VRF rd).
func fkAttrFilter(k, model, attr string) filterFunc {
	return func(e *Emulator, r *record, vals []string) (bool, string) {
		hit := false
		for _, v := range vals {
			if v == "null" {
				if r.data[k] == nil {
					hit = true
				}
				continue
			}
			found := false
			for _, o := range e.store[model] {
				if str(o, attr) == v {
					found = true
					if r.data[k] == o.id {
						hit = true
					}
				}
			}
			if !found {
				return false, fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", v)
			}
		}
		return hit, ""
	}
}

func (e *Emulator) count(model string, pred func(*record) bool) int {
	n := 0
	for _, r := range e.store[model] {
		if pred(r) {
			n++
		}
	}
	return n
}

func (e *Emulator) sortedRecords(model string) []*record { return e.sorted(e.models[model]) }

func (e *Emulator) sorted(m *modelDef) []*record {
	out := make([]*record, 0, len(e.store[m.name]))
	for _, r := range e.store[m.name] {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return m.less(e, out[i], out[j]) })
	return out
}

type snapshot struct {
	store  map[string]map[int64]*record
	nextID map[string]int64
}

// snapshot copies the object index; records are replaced, never mutated,
// once stored, so a shallow copy suffices.
func (e *Emulator) snapshot() snapshot {
	s := snapshot{store: map[string]map[int64]*record{}, nextID: map[string]int64{}}
	for k, m := range e.store {
		c := make(map[int64]*record, len(m))
		for id, r := range m {
			c[id] = r
		}
		s.store[k] = c
	}
	for k, v := range e.nextID {
		s.nextID[k] = v
	}
	return s
}

func (e *Emulator) restore(s snapshot) {
	e.store = s.store
	e.nextID = s.nextID
}

func (e *Emulator) base() string {
	if e.curBase != "" {
		return e.curBase
	}
	return e.URL
}

func (e *Emulator) objURL(m *modelDef, id int64) string {
	return fmt.Sprintf("%s/api/%s/%d/", e.base(), m.path, id)
}

func ts(t time.Time) string { return t.Format("2006-01-02T15:04:05.000000Z07:00") }

// isBrief reports NetBox's ?brief= mode.
func isBrief(q url.Values) bool {
	switch strings.ToLower(q.Get("brief")) {
	case "1", "true", "t", "yes", "on":
		return true
	}
	return false
}

// briefAPIOf renders r as returned by ?brief=true.
func (e *Emulator) briefAPIOf(m *modelDef, r *record) map[string]any {
	keys := m.briefAPI
	if keys == nil {
		keys = m.brief
	}
	full := e.render(m, r, false)
	out := map[string]any{}
	for _, k := range keys {
		out[k] = full[k]
	}
	return out
}

// briefOf renders the brief representation of model/id (nil if missing).
func (e *Emulator) briefOf(model string, id int64) any {
	m := e.models[model]
	if m == nil {
		return nil
	}
	r := e.store[model][id]
	if r == nil {
		return nil
	}
	full := e.render(m, r, false)
	out := map[string]any{}
	for _, k := range m.brief {
		out[k] = full[k]
	}
	return out
}

// render builds the full API representation of r.
func (e *Emulator) render(m *modelDef, r *record, _ bool) map[string]any {
	out := map[string]any{
		"id":           r.id,
		"url":          e.objURL(m, r.id),
		"display_url":  fmt.Sprintf("%s/%s/%d/", e.base(), m.path, r.id),
		"display":      m.display(e, r),
		"created":      ts(r.created),
		"last_updated": ts(r.updated),
	}
	for _, f := range m.fields {
		v := r.data[f.name]
		switch f.kind {
		case kChoice:
			if v == nil {
				out[f.name] = nil
			} else {
				l, _ := f.choiceLabel(v)
				out[f.name] = map[string]any{"value": v, "label": l}
			}
		case kFK:
			if id, ok := v.(int64); ok {
				out[f.name] = e.briefOf(f.ref, id)
			} else {
				out[f.name] = nil
			}
		default:
			out[f.name] = v
		}
	}
	if m.tagged {
		tags := []any{}
		for _, t := range r.tags {
			if b := e.briefOf("extras.tag", t); b != nil {
				tags = append(tags, b)
			}
		}
		out["tags"] = tags
		cf := map[string]any{}
		for _, c := range e.cfsFor(m.name) {
			cf[str(c, "name")] = r.cf[str(c, "name")]
		}
		out["custom_fields"] = cf
	}
	if m.extra != nil {
		m.extra(e, r, out)
	}
	return out
}

// cfsFor lists the custom fields defined for a model.
func (e *Emulator) cfsFor(model string) []*record {
	var out []*record
	for _, c := range e.sortedRecords("extras.customfield") {
		for _, t := range c.data["object_types"].([]any) {
			if t == model {
				out = append(out, c)
			}
		}
	}
	return out
}

// resolveRelated maps an id or attribute dict to a stored id.
func (e *Emulator) resolveRelated(model string, v any) (int64, string) {
	switch t := v.(type) {
	case map[string]any:
		var hits []int64
		for _, r := range e.sortedRecords2(model) {
			full := e.render(e.models[model], r, false)
			ok := true
			for k, want := range t {
				if fmt.Sprint(normalize(full[k])) != fmt.Sprint(normalize(want)) {
					ok = false
					break
				}
			}
			if ok {
				hits = append(hits, r.id)
			}
		}
		switch len(hits) {
		case 0:
			return 0, fmt.Sprintf("Related object not found using the provided attributes: %s", pyRepr(t))
		case 1:
			return hits[0], ""
		}
		return 0, fmt.Sprintf("Multiple objects match the provided attributes: %s", pyRepr(t))
	case json.Number, string:
		n, ok := toInt(t)
		if !ok {
			return 0, fmt.Sprintf("Related objects must be referenced by numeric ID or by dictionary of attributes. Received an unrecognized value: %v", v)
		}
		if e.store[model][n] == nil {
			return 0, fmt.Sprintf("Related object not found using the provided numeric ID: %d", n)
		}
		return n, ""
	}
	return 0, fmt.Sprintf("Related objects must be referenced by numeric ID or by dictionary of attributes. Received an unrecognized value: %v", v)
}

func (e *Emulator) sortedRecords2(model string) []*record {
	if e.models[model] == nil {
		return nil
	}
	return e.sortedRecords(model)
}

func normalize(v any) any {
	switch t := v.(type) {
	case json.Number:
		return t.String()
	case int64:
		return strconv.FormatInt(t, 10)
	case int:
		return strconv.Itoa(t)
	}
	return v
}

// cfValidate mirrors CustomField.validate() for the supported types.
func cfValidate(cf *record, v any) string {
	switch str(cf, "type") {
	case "text", "longtext":
		if _, ok := v.(string); !ok {
			return "Value must be a string."
		}
		if re := str(cf, "validation_regex"); re != "" {
			if rx, err := regexp.Compile(re); err == nil && !rx.MatchString(v.(string)) {
				return fmt.Sprintf("Value must match regex '%s'", re)
			}
		}
	case "url":
		if _, ok := v.(string); !ok {
			return "Value must be a string."
		}
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return "Value must be an integer."
		}
		x, err := n.Int64()
		if err != nil {
			return "Value must be an integer."
		}
		if mn, ok := i64(cf, "validation_minimum"); ok && x < mn {
			return fmt.Sprintf("Value must be at least %d", mn)
		}
		if mx, ok := i64(cf, "validation_maximum"); ok && x > mx {
			return fmt.Sprintf("Value must not exceed %d", mx)
		}
	case "decimal":
		if _, ok := v.(json.Number); !ok {
			return "Value must be a decimal."
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return "Value must be true or false."
		}
	case "date":
		s, ok := v.(string)
		if _, err := time.Parse("2006-01-02", s); !ok || err != nil {
			return "Date values must be in ISO 8601 format (YYYY-MM-DD)."
		}
	case "datetime":
		s, ok := v.(string)
		if _, err := time.Parse(time.RFC3339, s); !ok || err != nil {
			return "Date and time values must be in ISO 8601 format (YYYY-MM-DD HH:MM:SS)."
		}
	}
	return ""
}

// build applies input to a copy of old (nil for create) and validates it
// like the model's serializer and clean(); partial is PATCH semantics.
func (e *Emulator) build(m *modelDef, old *record, in any, partial bool) (*record, errs) {
	data, ok := in.(map[string]any)
	if !ok {
		return nil, errs{"non_field_errors": {fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pyType(in))}}
	}
	now := e.now()
	r := &record{data: map[string]any{}, cf: map[string]any{}, created: now, updated: now}
	if old != nil {
		*r = *old
		r.data = map[string]any{}
		for k, v := range old.data {
			r.data[k] = v
		}
		r.cf = map[string]any{}
		for k, v := range old.cf {
			r.cf[k] = v
		}
		r.tags = append([]int64(nil), old.tags...)
		r.updated = now
	}
	er := errs{}
	for _, f := range m.fields {
		v, present := data[f.name]
		if !present {
			if old == nil {
				if f.required && !partial {
					er.add(f.name, "This field is required.")
				} else {
					r.data[f.name] = f.def
				}
			} else if f.required && !partial && f.kind != kFK {
				// DRF enforces required fields on PUT.
				er.add(f.name, "This field is required.")
			}
			continue
		}
		if f.kind == kFK && strings.HasPrefix(f.ref, "unsupported.") {
			if v != nil {
				er.add(f.name, relatedMissing(v))
			}
			continue
		}
		cv, msg := e.coerceField(f, v)
		if msg != "" {
			er.add(f.name, msg)
			continue
		}
		r.data[f.name] = cv
	}
	if m.tagged {
		if v, ok := data["tags"]; ok {
			list, ok := v.([]any)
			if !ok {
				er.add("tags", fmt.Sprintf("Expected a list of items but got type \"%s\".", pyType(v)))
			} else {
				r.tags = nil
				for _, t := range list {
					id, msg := e.resolveRelated("extras.tag", t)
					if msg != "" {
						er.add("tags", msg)
						continue
					}
					tag := e.store["extras.tag"][id]
					if ots := tag.data["object_types"].([]any); len(ots) > 0 && !containsAny(ots, m.name) {
						er.add("tags", fmt.Sprintf("Tag %s is not permitted for object type %s.", str(tag, "name"), m.name))
						continue
					}
					if !containsID(r.tags, id) {
						r.tags = append(r.tags, id)
					}
				}
			}
		}
		e.applyCustomFields(m, r, data, old == nil, er)
	}
	if len(er) > 0 {
		return nil, er
	}
	for _, k := range m.unique {
		v := r.data[k]
		if v == nil {
			continue
		}
		for _, o := range e.store[m.name] {
			if o.id != r.id && o.data[k] == v {
				er.add(k, fmt.Sprintf("%s with this %s already exists.", m.verbose, uniqueLabel(k)))
				break
			}
		}
	}
	if len(er) > 0 {
		return nil, er
	}
	if m.clean != nil {
		if ce := m.clean(e, r); len(ce) > 0 {
			return nil, ce
		}
	}
	return r, nil
}

func uniqueLabel(k string) string {
	if k == "rd" {
		return "route distinguisher"
	}
	return k
}

func containsAny(list []any, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func relatedMissing(v any) string {
	if m, ok := v.(map[string]any); ok {
		return fmt.Sprintf("Related object not found using the provided attributes: %s", pyRepr(m))
	}
	if n, ok := toInt(v); ok {
		return fmt.Sprintf("Related object not found using the provided numeric ID: %d", n)
	}
	return fmt.Sprintf("Related objects must be referenced by numeric ID or by dictionary of attributes. Received an unrecognized value: %v", v)
}

// applyCustomFields merges custom_fields input and validates it like
// CustomFieldsMixin.clean().
func (e *Emulator) applyCustomFields(m *modelDef, r *record, data map[string]any, create bool, er errs) {
	defs := map[string]*record{}
	for _, c := range e.cfsFor(m.name) {
		defs[str(c, "name")] = c
	}
	if create {
		for n, c := range defs {
			if d := c.data["default"]; d != nil {
				r.cf[n] = d
			}
		}
	}
	if v, ok := data["custom_fields"]; ok {
		in, ok := v.(map[string]any)
		if !ok {
			er.add("custom_fields", "Invalid data format. Custom field data must be passed as a dictionary mapping field names to their values.")
			return
		}
		names := make([]string, 0, len(in))
		for k := range in {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			c, known := defs[k]
			if !known {
				er.add("custom_fields", fmt.Sprintf("Unknown field name '%s' in custom field data.", k))
				return
			}
			val := in[k]
			if val != nil && val != "" {
				if msg := cfValidate(c, val); msg != "" {
					er.add("custom_fields", fmt.Sprintf("Invalid value for custom field '%s': %s", k, msg))
					return
				}
			} else if c.data["required"] == true {
				er.add("custom_fields", fmt.Sprintf("Invalid value for custom field '%s': Required field cannot be empty.", k))
				return
			}
			if val == "" {
				val = nil
			}
			r.cf[k] = val
		}
	}
	for n, c := range defs {
		if c.data["required"] == true && r.cf[n] == nil {
			er.add("custom_fields", fmt.Sprintf("Missing required custom field '%s'.", n))
		}
	}
}

func (e *Emulator) status() map[string]any {
	apps := map[string]any{}
	return map[string]any{
		"django-version":      "5.2.3",
		"installed-apps":      apps,
		"netbox-version":      "4.3.0",
		"netbox-full-version": "4.3.0-Docker-3.3.0",
		"plugins":             map[string]any{},
		"python-version":      "3.12.3",
		"rq-workers-running":  1,
		"hostname":            "netboxemu",
	}
}

// dispatch serves one model request and returns status and body.
func (e *Emulator) dispatch(r *http.Request, m *modelDef, id int64, data any, isList bool) (int, []byte) {
	notFound := func() (int, []byte) {
		return 404, detail(fmt.Sprintf("No %s matches the given query.", m.class))
	}
	if id >= 0 {
		old := e.store[m.name][id]
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			if old == nil {
				return notFound()
			}
			return 200, mustJSON(e.render(m, old, false))
		case http.MethodPut, http.MethodPatch:
			if old == nil {
				return notFound()
			}
			nr, er := e.build(m, old, data, r.Method == http.MethodPatch)
			if er != nil {
				return 400, mustJSON(er)
			}
			e.store[m.name][id] = nr
			return 200, mustJSON(e.render(m, nr, false))
		case http.MethodDelete:
			if old == nil {
				return notFound()
			}
			if msg := e.deleteObj(m, id); msg != "" {
				return 409, detail(msg)
			}
			return 204, nil
		}
		return 405, detail(fmt.Sprintf("Method \"%s\" not allowed.", r.Method))
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return e.list(r, m)
	case http.MethodPost:
		items := []any{data}
		if isList {
			items = data.([]any)
		}
		var out []any
		allErrs := make([]any, len(items))
		failed := false
		for i, it := range items {
			nr, er := e.build(m, nil, it, false)
			if er != nil {
				allErrs[i] = er
				failed = true
				continue
			}
			allErrs[i] = map[string]any{}
			e.nextID[m.name]++
			nr.id = e.nextID[m.name]
			e.store[m.name][nr.id] = nr
			out = append(out, nr)
		}
		if failed {
			if isList {
				return 400, mustJSON(allErrs)
			}
			return 400, mustJSON(allErrs[0])
		}
		res := make([]any, len(out))
		for i, nr := range out {
			res[i] = e.render(m, nr.(*record), false)
		}
		if isList {
			return 201, mustJSON(res)
		}
		return 201, mustJSON(res[0])
	case http.MethodPut, http.MethodPatch, http.MethodDelete:
		items, ok := data.([]any)
		if !ok {
			return 400, mustJSON(map[string]any{"non_field_errors": []string{fmt.Sprintf("Expected a list of items but got type \"%s\".", pyType(data))}})
		}
		var ids []int64
		allErrs := make([]any, len(items))
		failed := false
		for i, it := range items {
			obj, _ := it.(map[string]any)
			n, ok := toInt(obj["id"])
			if !ok {
				allErrs[i] = errs{"id": {"This field is required."}}
				failed = true
				continue
			}
			allErrs[i] = map[string]any{}
			ids = append(ids, n)
		}
		if failed {
			return 400, mustJSON(allErrs)
		}
		if r.Method == http.MethodDelete {
			// Unknown ids are ignored, like NetBox's filter(pk__in=...).
			for _, n := range ids {
				if e.store[m.name][n] == nil {
					continue
				}
				if msg := e.deleteObj(m, n); msg != "" {
					return 409, detail(msg)
				}
			}
			return 204, nil
		}
		var res []any
		for i, it := range items {
			obj := map[string]any{}
			for k, v := range it.(map[string]any) {
				if k != "id" {
					obj[k] = v
				}
			}
			old := e.store[m.name][ids[i]]
			if old == nil {
				// NetBox silently skips ids that match no object.
				continue
			}
			nr, er := e.build(m, old, obj, r.Method == http.MethodPatch)
			if er != nil {
				return 400, mustJSON(er)
			}
			e.store[m.name][ids[i]] = nr
			res = append(res, nr)
		}
		out := []any{}
		for _, nr := range res {
			out = append(out, e.render(m, nr.(*record), false))
		}
		return 200, mustJSON(out)
	}
	return 405, detail(fmt.Sprintf("Method \"%s\" not allowed.", r.Method))
}

// deleteObj removes an object applying NetBox's on_delete rules; a
// non-empty return is the 409 detail for PROTECT violations.
func (e *Emulator) deleteObj(m *modelDef, id int64) string {
	var protected []string
	protect := func(model, k string) {
		for _, o := range e.sortedRecords(model) {
			if o.data[k] == id {
				protected = append(protected, fmt.Sprintf("%s (%d)", e.models[model].display(e, o), o.id))
			}
		}
	}
	switch m.name {
	case "ipam.vrf":
		protect("ipam.prefix", "vrf") // Prefix.vrf: PROTECT
	case "ipam.vlangroup":
		protect("ipam.vlan", "group") // VLAN.group: PROTECT
	case "dcim.site":
		protect("ipam.vlan", "site") // VLAN.site: PROTECT
	}
	if len(protected) > 0 {
		return fmt.Sprintf("Unable to delete object. %d dependent objects were found: %s", len(protected), strings.Join(protected, ", "))
	}
	if m.name == "extras.customfield" {
		old := e.store[m.name][id]
		e.purgeCustomField(str(old, "name"), old.data["object_types"].([]any))
	}
	delete(e.store[m.name], id)
	now := e.now()
	update := func(model string, f func(c *record) bool) {
		for oid, o := range e.store[model] {
			c := *o
			c.data = map[string]any{}
			for k, v := range o.data {
				c.data[k] = v
			}
			c.cf = map[string]any{}
			for k, v := range o.cf {
				c.cf[k] = v
			}
			c.tags = append([]int64(nil), o.tags...)
			if f(&c) {
				c.updated = now
				e.store[model][oid] = &c
			}
		}
	}
	switch m.name {
	case "ipam.vlan":
		update("ipam.prefix", func(c *record) bool { // Prefix.vlan: SET_NULL
			if c.data["vlan"] == id {
				c.data["vlan"] = nil
				return true
			}
			return false
		})
		update("ipam.vlan", func(c *record) bool {
			if c.data["qinq_svlan"] == id {
				c.data["qinq_svlan"] = nil
				return true
			}
			return false
		})
	case "dcim.site":
		// Prefix._site is CASCADE in NetBox's CachedScopeMixin; VLAN
		// group scope is a GenericForeignKey and is cleared.
		for pid, p := range e.store["ipam.prefix"] {
			if p.data["scope_type"] == "dcim.site" && p.data["scope_id"] == id {
				_ = e.deleteObj(e.models["ipam.prefix"], pid)
			}
		}
		update("ipam.vlangroup", func(c *record) bool {
			if c.data["scope_type"] == "dcim.site" && c.data["scope_id"] == id {
				c.data["scope_type"], c.data["scope_id"] = nil, nil
				return true
			}
			return false
		})
	case "extras.tag":
		for _, md := range e.models {
			if md.tagged {
				update(md.name, func(c *record) bool {
					for i, t := range c.tags {
						if t == id {
							c.tags = append(c.tags[:i], c.tags[i+1:]...)
							return true
						}
					}
					return false
				})
			}
		}
	}
	// Journal entries are deleted with their object (GenericRelation).
	for jid, j := range e.store["extras.journalentry"] {
		if str(j, "assigned_object_type") == m.name && j.data["assigned_object_id"] == id {
			delete(e.store["extras.journalentry"], jid)
		}
	}
	return ""
}

// purgeCustomField removes stored values when a custom field is deleted.
func (e *Emulator) purgeCustomField(name string, types []any) {
	for _, t := range types {
		for oid, o := range e.store[fmt.Sprint(t)] {
			if _, ok := o.cf[name]; ok {
				c := *o
				c.cf = map[string]any{}
				for k, v := range o.cf {
					if k != name {
						c.cf[k] = v
					}
				}
				e.store[fmt.Sprint(t)][oid] = &c
			}
		}
	}
}

// list answers a paginated, filtered list.
func (e *Emulator) list(r *http.Request, m *modelDef) (int, []byte) {
	q := r.URL.Query()
	recs := e.sorted(m)
	var filtered []*record
	for _, rec := range recs {
		ok, bad := e.matches(m, rec, q)
		if bad != nil {
			return 400, mustJSON(bad)
		}
		if ok {
			filtered = append(filtered, rec)
		}
	}
	limit, offset := 50, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err == nil && n >= 0 {
			limit = n
		}
		if limit == 0 || limit > 1000 {
			limit = 1000
		}
	}
	if v := q.Get("offset"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			offset = n
		}
	}
	total := len(filtered)
	end := offset + limit
	if end > total {
		end = total
	}
	results := []any{}
	if offset < total {
		for _, rec := range filtered[offset:end] {
			if isBrief(q) {
				results = append(results, e.briefAPIOf(m, rec))
			} else {
				results = append(results, e.render(m, rec, false))
			}
		}
	}
	page := map[string]any{"count": total, "next": nil, "previous": nil, "results": results}
	self := e.base() + r.URL.Path
	if offset+limit < total {
		v := cloneValues(q)
		v.Set("limit", strconv.Itoa(limit))
		v.Set("offset", strconv.Itoa(offset+limit))
		page["next"] = self + "?" + v.Encode()
	}
	if offset > 0 {
		v := cloneValues(q)
		v.Set("limit", strconv.Itoa(limit))
		if offset-limit <= 0 {
			v.Del("offset")
		} else {
			v.Set("offset", strconv.Itoa(offset-limit))
		}
		page["previous"] = self + "?" + v.Encode()
	}
	return 200, mustJSON(page)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, x := range v {
		out[k] = append([]string(nil), x...)
	}
	return out
}

// matches applies query filters; unknown parameters are ignored like NetBox.
func (e *Emulator) matches(m *modelDef, r *record, q url.Values) (bool, errs) {
	for k, vals := range q {
		switch k {
		case "limit", "offset", "ordering", "brief", "fields", "exclude", "format":
			continue
		case "id":
			if ok, _ := strFilterID(r, vals); !ok {
				return false, nil
			}
			continue
		case "last_updated__gte", "last_updated__lte":
			// NetBox defines these on every model (a date-time lookup of last_updated); a list of values is
			// OR-ed, like django-filter's multiple-value lookups.
			hit := false
			for _, v := range vals {
				t, err := time.Parse(time.RFC3339Nano, v)
				if err != nil {
					return false, errs{k: {"Enter a valid date/time."}}
				}
				if (k == "last_updated__gte" && !r.updated.Before(t)) || (k == "last_updated__lte" && !r.updated.After(t)) {
					hit = true
				}
			}
			if !hit {
				return false, nil
			}
			continue
		case "q":
			needle := strings.ToLower(vals[0])
			hit := false
			for _, s := range m.search(r) {
				if strings.Contains(strings.ToLower(s), needle) {
					hit = true
				}
			}
			if !hit {
				return false, nil
			}
			continue
		case "tag":
			if !m.tagged {
				continue
			}
			// TagFilter is conjoined: every tag must be present.
			for _, slug := range vals {
				var tag *record
				for _, t := range e.store["extras.tag"] {
					if str(t, "slug") == slug {
						tag = t
					}
				}
				if tag == nil {
					return false, errs{"tag": {fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", slug)}}
				}
				if !containsID(r.tags, tag.id) {
					return false, nil
				}
			}
			continue
		}
		if strings.HasPrefix(k, "cf_") && m.tagged {
			ok, skip := e.cfMatch(m, r, strings.TrimPrefix(k, "cf_"), vals)
			if skip {
				continue
			}
			if !ok {
				return false, nil
			}
			continue
		}
		f := m.filters[k]
		if f == nil {
			continue
		}
		ok, msg := f(e, r, vals)
		if msg != "" {
			return false, errs{k: {msg}}
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

func strFilterID(r *record, vals []string) (bool, string) {
	for _, v := range vals {
		if v == strconv.FormatInt(r.id, 10) {
			return true, ""
		}
	}
	return false, ""
}

// cfMatch applies a cf_<name> filter honouring filter_logic; skip reports
// a filter NetBox would not define (unknown or disabled field).
func (e *Emulator) cfMatch(m *modelDef, r *record, name string, vals []string) (ok, skip bool) {
	var def *record
	for _, c := range e.cfsFor(m.name) {
		if str(c, "name") == name {
			def = c
		}
	}
	if def == nil || str(def, "filter_logic") == "disabled" {
		return false, true
	}
	v := r.cf[name]
	for _, want := range vals {
		if want == "null" && v == nil {
			return true, false
		}
		if v == nil {
			continue
		}
		switch str(def, "type") {
		case "text", "longtext", "url":
			s, _ := v.(string)
			if str(def, "filter_logic") == "loose" {
				if strings.Contains(strings.ToLower(s), strings.ToLower(want)) {
					return true, false
				}
			} else if s == want {
				return true, false
			}
		case "boolean":
			if b, _ := v.(bool); strconv.FormatBool(b) == strings.ToLower(want) {
				return true, false
			}
		default:
			if fmt.Sprint(normalize(v)) == want {
				return true, false
			}
		}
	}
	return false, false
}

// Fingerprint is a digest of the whole store (every record of every model, and the id counters): equal
// fingerprints mean nothing was written in between. Tests use it to prove that a plan writes nothing.
func (e *Emulator) Fingerprint() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	h := sha256.New()
	models := make([]string, 0, len(e.store))
	for k := range e.store {
		models = append(models, k)
	}
	sort.Strings(models)
	for _, k := range models {
		ids := make([]int64, 0, len(e.store[k]))
		for id := range e.store[k] {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		fmt.Fprintf(h, "%s next=%d\n", k, e.nextID[k])
		for _, id := range ids {
			r := e.store[k][id]
			b, _ := json.Marshal([]any{r.data, r.tags, r.cf, r.updated})
			fmt.Fprintf(h, "%d %s\n", id, b)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
