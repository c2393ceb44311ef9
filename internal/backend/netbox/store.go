package netbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	nb "github.com/netbox-community/go-netbox/v4"
)

// pageSize is the page size of list calls (a variable for tests).
var pageSize int32 = 1000

// filter narrows a list call. Every list is filtered client-side again, so server filters only save work.
type filter struct {
	Tagged     bool     // only records carrying the ownership tag
	MarkPrefix string   // only records whose mark starts with this (cf_<field>, a "loose" contains, on the server)
	Names      []string // name (vrf, vlan, vlangroup)
	Slugs      []string // slug (vlangroup)
	Prefix     string   // prefix
	VIDs       []int32  // vid (vlan)
	GroupIDs   []int32  // group_id (vlan)
}

func (b *Backend) ctxFor(ctx context.Context, f filter) context.Context {
	if f.MarkPrefix == "" {
		return ctx
	}
	return withQuery(ctx, url.Values{"cf_" + b.cfg.CustomField: {f.MarkPrefix}})
}

func (b *Backend) markOf(cf map[string]any) string {
	s, _ := cf[b.cfg.CustomField].(string)
	return s
}

// finish sets Part from Mark and keeps only the records the filter asks for.
func (b *Backend) finish(f filter, r record) (record, bool) {
	if r.Mark != "" {
		if _, part, ok := refOfMark(r.Mark); ok {
			r.Part = part
		}
	}
	if f.MarkPrefix != "" && !strings.HasPrefix(r.Mark, f.MarkPrefix) {
		return r, false
	}
	if f.Tagged && !hasTag(r.Tags, b.cfg.Tag) {
		return r, false
	}
	return r, true
}

func hasTag(tags []tagRef, slug string) bool {
	for _, t := range tags {
		if t.Slug == slug {
			return true
		}
	}
	return false
}

func tagsOf(in []nb.NestedTag) []tagRef {
	out := make([]tagRef, 0, len(in))
	for _, t := range in {
		out = append(out, tagRef{Name: t.Name, Slug: t.Slug})
	}
	return out
}

func tagReqs(in []tagRef) []nb.NestedTagRequest {
	out := make([]nb.NestedTagRequest, 0, len(in))
	for _, t := range in {
		out = append(out, nb.NestedTagRequest{Name: t.Name, Slug: t.Slug})
	}
	return out
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func tagFilter(b *Backend, f filter) []string {
	if f.Tagged {
		return []string{b.cfg.Tag}
	}
	return nil
}

// list reads the records of one model matching f, following pagination.
func (b *Backend) list(ctx context.Context, model string, f filter) ([]record, error) {
	c, err := b.api()
	if err != nil {
		return nil, err
	}
	cctx := b.ctxFor(ctx, f)
	var out []record
	add := func(r record) {
		if r, ok := b.finish(f, r); ok {
			out = append(out, r)
		}
	}
	for offset := int32(0); ; offset += pageSize {
		var next bool
		switch model {
		case modelVRF:
			req := c.IpamAPI.IpamVrfsList(cctx).Limit(pageSize).Offset(offset)
			if t := tagFilter(b, f); t != nil {
				req = req.Tag(t)
			}
			if len(f.Names) > 0 {
				req = req.Name(f.Names)
			}
			page, resp, err := req.Execute()
			if err != nil {
				return nil, apiErr("list VRFs", resp, err)
			}
			for _, v := range page.Results {
				add(b.vrfRecord(v))
			}
			next = page.Next.Get() != nil && *page.Next.Get() != ""
		case modelPrefix:
			req := c.IpamAPI.IpamPrefixesList(cctx).Limit(pageSize).Offset(offset)
			if t := tagFilter(b, f); t != nil {
				req = req.Tag(t)
			}
			if f.Prefix != "" {
				req = req.Prefix([]string{f.Prefix})
			}
			page, resp, err := req.Execute()
			if err != nil {
				return nil, apiErr("list prefixes", resp, err)
			}
			for _, p := range page.Results {
				add(b.prefixRecord(p))
			}
			next = page.Next.Get() != nil && *page.Next.Get() != ""
		case modelVLAN:
			req := c.IpamAPI.IpamVlansList(cctx).Limit(pageSize).Offset(offset)
			if t := tagFilter(b, f); t != nil {
				req = req.Tag(t)
			}
			if len(f.Names) > 0 {
				req = req.Name(f.Names)
			}
			if len(f.VIDs) > 0 {
				req = req.Vid(f.VIDs)
			}
			if len(f.GroupIDs) > 0 {
				gids := make([]*int32, 0, len(f.GroupIDs))
				for i := range f.GroupIDs {
					gids = append(gids, &f.GroupIDs[i])
				}
				req = req.GroupId(gids)
			}
			page, resp, err := req.Execute()
			if err != nil {
				return nil, apiErr("list VLANs", resp, err)
			}
			for _, v := range page.Results {
				add(b.vlanRecord(v))
			}
			next = page.Next.Get() != nil && *page.Next.Get() != ""
		case modelVLANGroup:
			q := url.Values{"limit": {strconv.Itoa(int(pageSize))}, "offset": {strconv.Itoa(int(offset))}}
			if f.Tagged {
				q.Set("tag", b.cfg.Tag)
			}
			if f.MarkPrefix != "" {
				q.Set("cf_"+b.cfg.CustomField, f.MarkPrefix)
			}
			for _, n := range f.Names {
				q.Add("name", n)
			}
			for _, s := range f.Slugs {
				q.Add("slug", s)
			}
			var page struct {
				Next    *string      `json:"next"`
				Results []rawVLANGrp `json:"results"`
			}
			if err := b.raw(ctx, http.MethodGet, "/api/ipam/vlan-groups/", q, nil, &page); err != nil {
				return nil, fmt.Errorf("list VLAN groups: %w", err)
			}
			for _, g := range page.Results {
				r, err := g.record(b)
				if err != nil {
					return nil, err
				}
				add(r)
			}
			next = page.Next != nil && *page.Next != ""
		default:
			return nil, fmt.Errorf("unknown model %q", model)
		}
		if !next {
			return out, nil
		}
	}
}

func (b *Backend) vrfRecord(v nb.VRF) record {
	return record{Model: modelVRF, ID: v.Id, Mark: b.markOf(v.CustomFields), Tags: tagsOf(v.Tags),
		Name: v.Name, EnforceUnique: v.EnforceUnique != nil && *v.EnforceUnique, Description: str(v.Description),
		Updated: updated(v.LastUpdated)}
}

// updated is a record's last_updated, zero when NetBox sent none.
func updated(t nb.NullableTime) time.Time {
	if v := t.Get(); v != nil {
		return *v
	}
	return time.Time{}
}

func (b *Backend) prefixRecord(p nb.Prefix) record {
	r := record{Model: modelPrefix, ID: p.Id, Mark: b.markOf(p.CustomFields), Tags: tagsOf(p.Tags),
		Prefix: p.Prefix, Description: str(p.Description), Updated: updated(p.LastUpdated)}
	if v := p.Vrf.Get(); v != nil {
		r.VRF = v.Id
	}
	if v := p.Vlan.Get(); v != nil {
		r.VLAN = v.Id
	}
	if p.Status != nil && p.Status.Value != nil {
		r.Status = string(*p.Status.Value)
	}
	return r
}

func (b *Backend) vlanRecord(v nb.VLAN) record {
	r := record{Model: modelVLAN, ID: v.Id, Mark: b.markOf(v.CustomFields), Tags: tagsOf(v.Tags),
		VID: v.Vid, Name: v.Name, Description: str(v.Description), Updated: updated(v.LastUpdated)}
	if g := v.Group.Get(); g != nil {
		r.Group, r.GroupName = g.Id, g.Name
	}
	return r
}

// rawVLANGrp is a VLAN group as NetBox returns it. go-netbox v4.3.0 types vid_ranges one level too deep
// ([][][]int32) while NetBox sends [[from, to], ...], so VLAN groups are read and written as plain JSON.
type rawVLANGrp struct {
	ID           int32           `json:"id"`
	Name         string          `json:"name"`
	Slug         string          `json:"slug"`
	Description  string          `json:"description"`
	ScopeType    *string         `json:"scope_type"`
	ScopeID      *int32          `json:"scope_id"`
	VIDRanges    json.RawMessage `json:"vid_ranges"`
	Tags         []tagRef        `json:"tags"`
	CustomFields map[string]any  `json:"custom_fields"`
	LastUpdated  *time.Time      `json:"last_updated"`
}

func (g rawVLANGrp) record(b *Backend) (record, error) {
	r := record{Model: modelVLANGroup, ID: g.ID, Name: g.Name, Slug: g.Slug, Description: g.Description,
		Tags: g.Tags, Mark: b.markOf(g.CustomFields)}
	if g.LastUpdated != nil {
		r.Updated = *g.LastUpdated
	}
	if g.ScopeType != nil && *g.ScopeType == "dcim.site" && g.ScopeID != nil {
		r.Site = *g.ScopeID
	}
	rs, err := decodeRanges(g.VIDRanges)
	if err != nil {
		return r, fmt.Errorf("VLAN group %d: vid_ranges: %w", g.ID, err)
	}
	r.VIDRanges = rs
	return r, nil
}

// decodeRanges accepts NetBox's [[a,b],...] and the OpenAPI document's [[[a,b]],...].
func decodeRanges(raw json.RawMessage) ([][2]int32, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var flat [][2]int32
	if err := json.Unmarshal(raw, &flat); err == nil {
		return flat, nil
	}
	var nested [][][2]int32
	if err := json.Unmarshal(raw, &nested); err != nil {
		return nil, err
	}
	var out [][2]int32
	for _, n := range nested {
		out = append(out, n...)
	}
	return out, nil
}

// rangesWire is the vid_ranges request encoding; NetBox takes [[from, to], ...].
func rangesWire(r [][2]int32) any {
	out := make([][]int32, 0, len(r))
	for _, x := range r {
		out = append(out, []int32{x[0], x[1]})
	}
	return out
}

// raw performs one JSON call with the backend's HTTP client and credentials.
func (b *Backend) raw(ctx context.Context, method, path string, q url.Values, body, out any) error {
	if _, err := b.api(); err != nil {
		return err
	}
	u := b.cfg.ServerURL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", authHeader(b.cfg.APIToken))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "terraform-provider-hedgehog")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(data)))
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// fieldsOf is the set of managed fields of a model.
func fieldsOf(model string) []string {
	switch model {
	case modelVRF:
		return []string{"name", "enforce_unique", "description"}
	case modelPrefix:
		return []string{"prefix", "vrf", "vlan", "status", "description"}
	case modelVLAN:
		return []string{"vid", "name", "group", "description"}
	case modelVLANGroup:
		return []string{"name", "slug", "vid_ranges", "scope", "description"}
	}
	return nil
}

// differs reports whether field f of a and b differs.
func differs(f string, a, b record) bool {
	switch f {
	case "name":
		return a.Name != b.Name
	case "slug":
		return a.Slug != b.Slug
	case "description":
		return a.Description != b.Description
	case "enforce_unique":
		return a.EnforceUnique != b.EnforceUnique
	case "prefix":
		return canonicalCIDR(a.Prefix) != canonicalCIDR(b.Prefix)
	case "status":
		return a.Status != b.Status
	case "vrf":
		return a.VRF != b.VRF
	case "vlan":
		return a.VLAN != b.VLAN
	case "vid":
		return a.VID != b.VID
	case "group":
		return a.Group != b.Group
	case "scope":
		return a.Site != b.Site
	case "vid_ranges":
		x, y := append([][2]int32(nil), a.VIDRanges...), append([][2]int32(nil), b.VIDRanges...)
		sortRanges(x)
		sortRanges(y)
		if len(x) != len(y) {
			return true
		}
		for i := range x {
			if x[i] != y[i] {
				return true
			}
		}
	}
	return false
}

func sameTags(a, b []tagRef) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]bool{}
	for _, t := range a {
		seen[t.Slug] = true
	}
	for _, t := range b {
		if !seen[t.Slug] {
			return false
		}
	}
	return true
}

// change is a patch: the fields to send (taken from want), and whether tags and mark are sent.
type change struct {
	Fields []string
	Tags   bool
	Mark   bool
}

func (c change) empty() bool { return len(c.Fields) == 0 && !c.Tags && !c.Mark }

// diff computes the patch turning cur into want.
func diff(cur, want record) change {
	var c change
	for _, f := range fieldsOf(want.Model) {
		if differs(f, cur, want) {
			c.Fields = append(c.Fields, f)
		}
	}
	c.Tags = !sameTags(cur.Tags, want.Tags)
	c.Mark = cur.Mark != want.Mark
	return c
}

func (b *Backend) cfValue(mark string) map[string]any {
	if mark == "" {
		return map[string]any{b.cfg.CustomField: nil}
	}
	return map[string]any{b.cfg.CustomField: mark}
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// create makes want in NetBox and returns its id; the run's cache learns the record, or is dropped when
// NetBox refused it (someone else may have written meanwhile).
func (b *Backend) create(ctx context.Context, want record) (int32, error) {
	r, err := b.createRecord(ctx, want)
	if err != nil {
		b.invalidate()
		return 0, err
	}
	b.wrote(r)
	return r.ID, nil
}

func (b *Backend) createRecord(ctx context.Context, want record) (record, error) {
	c, err := b.api()
	if err != nil {
		return record{}, err
	}
	tags := tagReqs(want.Tags)
	cf := b.cfValue(want.Mark)
	if want.Mark == "" {
		cf = nil
	}
	switch want.Model {
	case modelVRF:
		req := nb.VRFRequest{Name: want.Name, EnforceUnique: &want.EnforceUnique, Description: &want.Description,
			Tags: tags, CustomFields: cf}
		v, resp, err := c.IpamAPI.IpamVrfsCreate(ctx).VRFRequest(req).Execute()
		if err != nil {
			return record{}, apiErr("create VRF "+want.Name, resp, err)
		}
		return b.vrfRecord(*v), nil
	case modelPrefix:
		st := nb.PatchedWritablePrefixRequestStatus(want.Status)
		req := nb.WritablePrefixRequest{Prefix: want.Prefix, Status: &st, Description: &want.Description,
			Tags: tags, CustomFields: cf}
		if want.VRF != 0 {
			req.Vrf = *nb.NewNullableIPAddressRequestVrf(ptr(nb.Int32AsIPAddressRequestVrf(&want.VRF)))
		}
		if want.VLAN != 0 {
			req.Vlan = *nb.NewNullableInterfaceRequestUntaggedVlan(ptr(nb.Int32AsInterfaceRequestUntaggedVlan(&want.VLAN)))
		}
		p, resp, err := c.IpamAPI.IpamPrefixesCreate(ctx).WritablePrefixRequest(req).Execute()
		if err != nil {
			return record{}, apiErr("create prefix "+want.Prefix, resp, err)
		}
		return b.prefixRecord(*p), nil
	case modelVLAN:
		req := nb.WritableVLANRequest{Vid: want.VID, Name: want.Name, Description: &want.Description,
			Tags: tags, CustomFields: cf}
		if want.Group != 0 {
			req.Group = *nb.NewNullablePatchedWritableVLANRequestGroup(ptr(nb.Int32AsPatchedWritableVLANRequestGroup(&want.Group)))
		}
		v, resp, err := c.IpamAPI.IpamVlansCreate(ctx).WritableVLANRequest(req).Execute()
		if err != nil {
			return record{}, apiErr(fmt.Sprintf("create VLAN %d %s", want.VID, want.Name), resp, err)
		}
		return b.vlanRecord(*v), nil
	case modelVLANGroup:
		body := b.vlanGroupBody(want, change{Fields: fieldsOf(modelVLANGroup), Tags: true, Mark: want.Mark != ""})
		var out rawVLANGrp
		if err := b.raw(ctx, http.MethodPost, "/api/ipam/vlan-groups/", nil, body, &out); err != nil {
			return record{}, fmt.Errorf("create VLAN group %s: %w", want.Name, err)
		}
		return out.record(b)
	}
	return record{}, fmt.Errorf("unknown model %q", want.Model)
}

// createAll makes records of one model with one bulk POST (VLAN groups one by one) and returns them as
// NetBox answered, in order; the run's cache learns them, or is dropped when NetBox refused them.
func (b *Backend) createAll(ctx context.Context, wants []record) ([]record, error) {
	model := wants[0].Model
	if model == modelVLANGroup {
		var out []record
		for _, w := range wants {
			id, err := b.create(ctx, w)
			if err != nil {
				return nil, err
			}
			w.ID = id
			out = append(out, w)
			// A group we just made holds no VLANs: nothing to read.
			b.seed("vlan:group:"+strconv.Itoa(int(id)), modelVLAN, func(r record) bool { return r.Group == id })
		}
		return out, nil
	}
	items := make([]any, 0, len(wants))
	for _, w := range wants {
		items = append(items, b.createBody(w))
	}
	res, err := b.bulk(ctx, http.MethodPost, listPath(model), items)
	if err != nil {
		b.invalidate()
		return nil, fmt.Errorf("create %d %s: %w", len(wants), modelLabel(model), err)
	}
	out := make([]record, 0, len(res))
	for _, raw := range res {
		var r record
		var err error
		switch model {
		case modelVRF:
			var v nb.VRF
			if err = json.Unmarshal(raw, &v); err == nil {
				r = b.vrfRecord(v)
			}
		case modelPrefix:
			var p nb.Prefix
			if err = json.Unmarshal(raw, &p); err == nil {
				r = b.prefixRecord(p)
			}
		case modelVLAN:
			var v nb.VLAN
			if err = json.Unmarshal(raw, &v); err == nil {
				r = b.vlanRecord(v)
			}
		}
		if err != nil {
			b.invalidate()
			return nil, fmt.Errorf("create %s: decode: %w", modelLabel(model), err)
		}
		b.wrote(r)
		out = append(out, r)
	}
	return out, nil
}

// createBody is the create request of a VRF, prefix or VLAN.
func (b *Backend) createBody(want record) any {
	tags := tagReqs(want.Tags)
	var cf map[string]any
	if want.Mark != "" {
		cf = b.cfValue(want.Mark)
	}
	switch want.Model {
	case modelVRF:
		return nb.VRFRequest{Name: want.Name, EnforceUnique: &want.EnforceUnique, Description: &want.Description,
			Tags: tags, CustomFields: cf}
	case modelPrefix:
		st := nb.PatchedWritablePrefixRequestStatus(want.Status)
		req := nb.WritablePrefixRequest{Prefix: want.Prefix, Status: &st, Description: &want.Description,
			Tags: tags, CustomFields: cf}
		if want.VRF != 0 {
			req.Vrf = *nb.NewNullableIPAddressRequestVrf(ptr(nb.Int32AsIPAddressRequestVrf(&want.VRF)))
		}
		if want.VLAN != 0 {
			req.Vlan = *nb.NewNullableInterfaceRequestUntaggedVlan(ptr(nb.Int32AsInterfaceRequestUntaggedVlan(&want.VLAN)))
		}
		return req
	case modelVLAN:
		req := nb.WritableVLANRequest{Vid: want.VID, Name: want.Name, Description: &want.Description,
			Tags: tags, CustomFields: cf}
		if want.Group != 0 {
			req.Group = *nb.NewNullablePatchedWritableVLANRequestGroup(ptr(nb.Int32AsPatchedWritableVLANRequestGroup(&want.Group)))
		}
		return req
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

func (b *Backend) vlanGroupBody(want record, ch change) map[string]any {
	body := map[string]any{}
	for _, f := range ch.Fields {
		switch f {
		case "name":
			body["name"] = want.Name
		case "slug":
			body["slug"] = want.Slug
		case "description":
			body["description"] = want.Description
		case "vid_ranges":
			body["vid_ranges"] = rangesWire(want.VIDRanges)
		case "scope":
			if want.Site != 0 {
				body["scope_type"] = "dcim.site"
				body["scope_id"] = want.Site
			} else {
				body["scope_type"] = nil
				body["scope_id"] = nil
			}
		}
	}
	if ch.Tags {
		body["tags"] = tagReqsJSON(want.Tags)
	}
	if ch.Mark {
		body["custom_fields"] = b.cfValue(want.Mark)
	}
	return body
}

func tagReqsJSON(in []tagRef) []map[string]string {
	out := make([]map[string]string, 0, len(in))
	for _, t := range in {
		out = append(out, map[string]string{"name": t.Name, "slug": t.Slug})
	}
	return out
}

// patch sends the fields of ch, taking values from want, to record id; the run's cache learns the
// record as NetBox answered.
func (b *Backend) patch(ctx context.Context, id int32, want record, ch change) error {
	if ch.empty() {
		return nil
	}
	r, err := b.patchRecord(ctx, id, want, ch)
	if err != nil {
		b.invalidate()
		return err
	}
	b.wrote(r)
	return nil
}

func (b *Backend) patchRecord(ctx context.Context, id int32, want record, ch change) (record, error) {
	c, err := b.api()
	if err != nil {
		return record{}, err
	}
	var tags []nb.NestedTagRequest
	if ch.Tags {
		tags = tagReqs(want.Tags)
	}
	var cf map[string]any
	if ch.Mark {
		cf = b.cfValue(want.Mark)
	}
	switch want.Model {
	case modelVRF:
		req := nb.PatchedVRFRequest{Tags: tags, CustomFields: cf}
		for _, f := range ch.Fields {
			switch f {
			case "name":
				req.Name = &want.Name
			case "enforce_unique":
				req.EnforceUnique = &want.EnforceUnique
			case "description":
				req.Description = &want.Description
			}
		}
		v, resp, err := c.IpamAPI.IpamVrfsPartialUpdate(ctx, id).PatchedVRFRequest(req).Execute()
		if err != nil {
			return record{}, apiErr(fmt.Sprintf("update VRF %d", id), resp, err)
		}
		return b.vrfRecord(*v), nil
	case modelPrefix:
		req := nb.PatchedWritablePrefixRequest{Tags: tags, CustomFields: cf}
		for _, f := range ch.Fields {
			switch f {
			case "prefix":
				req.Prefix = &want.Prefix
			case "status":
				req.Status = ptr(nb.PatchedWritablePrefixRequestStatus(want.Status))
			case "description":
				req.Description = &want.Description
			case "vrf":
				if want.VRF != 0 {
					req.Vrf = *nb.NewNullableIPAddressRequestVrf(ptr(nb.Int32AsIPAddressRequestVrf(&want.VRF)))
				} else {
					req.SetVrfNil()
				}
			case "vlan":
				if want.VLAN != 0 {
					req.Vlan = *nb.NewNullableInterfaceRequestUntaggedVlan(ptr(nb.Int32AsInterfaceRequestUntaggedVlan(&want.VLAN)))
				} else {
					req.SetVlanNil()
				}
			}
		}
		p, resp, err := c.IpamAPI.IpamPrefixesPartialUpdate(ctx, id).PatchedWritablePrefixRequest(req).Execute()
		if err != nil {
			return record{}, apiErr(fmt.Sprintf("update prefix %d", id), resp, err)
		}
		return b.prefixRecord(*p), nil
	case modelVLAN:
		req := nb.PatchedWritableVLANRequest{Tags: tags, CustomFields: cf}
		for _, f := range ch.Fields {
			switch f {
			case "vid":
				req.Vid = &want.VID
			case "name":
				req.Name = &want.Name
			case "description":
				req.Description = &want.Description
			case "group":
				if want.Group != 0 {
					req.Group = *nb.NewNullablePatchedWritableVLANRequestGroup(ptr(nb.Int32AsPatchedWritableVLANRequestGroup(&want.Group)))
				} else {
					req.SetGroupNil()
				}
			}
		}
		v, resp, err := c.IpamAPI.IpamVlansPartialUpdate(ctx, id).PatchedWritableVLANRequest(req).Execute()
		if err != nil {
			return record{}, apiErr(fmt.Sprintf("update VLAN %d", id), resp, err)
		}
		return b.vlanRecord(*v), nil
	case modelVLANGroup:
		var out rawVLANGrp
		if err := b.raw(ctx, http.MethodPatch, fmt.Sprintf("/api/ipam/vlan-groups/%d/", id), nil, b.vlanGroupBody(want, ch), &out); err != nil {
			return record{}, fmt.Errorf("update VLAN group %d: %w", id, err)
		}
		return out.record(b)
	}
	return record{}, fmt.Errorf("unknown model %q", want.Model)
}

// remove deletes one record; a record already gone is not an error.
func (b *Backend) remove(ctx context.Context, model string, id int32) error {
	if err := b.removeOne(ctx, model, id); err != nil {
		return err
	}
	b.forget(model, id)
	return nil
}

func (b *Backend) removeOne(ctx context.Context, model string, id int32) error {
	c, err := b.api()
	if err != nil {
		return err
	}
	var resp *http.Response
	switch model {
	case modelVRF:
		resp, err = c.IpamAPI.IpamVrfsDestroy(ctx, id).Execute()
	case modelPrefix:
		resp, err = c.IpamAPI.IpamPrefixesDestroy(ctx, id).Execute()
	case modelVLAN:
		resp, err = c.IpamAPI.IpamVlansDestroy(ctx, id).Execute()
	case modelVLANGroup:
		err = b.raw(ctx, http.MethodDelete, fmt.Sprintf("/api/ipam/vlan-groups/%d/", id), nil, nil, nil)
		if err != nil && strings.Contains(err.Error(), " 404 ") {
			return nil
		}
		if err != nil {
			return fmt.Errorf("delete VLAN group %d: %w", id, err)
		}
		return nil
	default:
		return fmt.Errorf("unknown model %q", model)
	}
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil
	}
	return apiErr(fmt.Sprintf("delete %s %d", model, id), resp, err)
}
