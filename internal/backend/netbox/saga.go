package netbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	nb "github.com/netbox-community/go-netbox/v4"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/backend"
)

// cfObjectTypes are the models the ownership custom field applies to.
var cfObjectTypes = []string{"ipam.vrf", "ipam.prefix", "ipam.vlan", "ipam.vlangroup"}

// restoreData is State.Restore: every record of the object as it was (owned ones, plus foreign ones a
// Put was about to adopt, with their original tags and no mark).
type restoreData struct {
	Kind    string   `json:"kind"`
	Records []record `json:"records"`
	// Untouched is set when the operation failed before writing anything: Restore then does nothing,
	// rather than removing records because the prior state could not be read.
	Untouched bool `json:"untouched,omitempty"`
}

// untouched is the prior state returned by a Put or Delete that failed before its first write.
func untouched(kind string) backend.State {
	return backend.State{Restore: &restoreData{Kind: kind, Untouched: true}}
}

// setup makes sure the tag and custom field exist and resolves the site; it runs until it succeeds once.
func (b *Backend) setup(ctx context.Context) error {
	b.setupMu.Lock()
	defer b.setupMu.Unlock()
	if b.setupDone {
		return nil
	}
	if err := b.ensureTag(ctx); err != nil {
		return err
	}
	if err := b.ensureCustomField(ctx); err != nil {
		return err
	}
	if b.cfg.Site != "" {
		id, err := b.findSite(ctx)
		if err != nil {
			return err
		}
		b.siteID = id
	}
	b.setupDone = true
	return nil
}

func (b *Backend) ourTag() tagRef { return tagRef{Name: b.cfg.Tag, Slug: b.cfg.Tag} }

func (b *Backend) ensureTag(ctx context.Context) error {
	c, err := b.api()
	if err != nil {
		return err
	}
	page, resp, err := c.ExtrasAPI.ExtrasTagsList(ctx).Slug([]string{b.cfg.Tag}).Execute()
	if err != nil {
		return apiErr("tag "+b.cfg.Tag, resp, err)
	}
	if len(page.Results) > 0 {
		return nil
	}
	req := nb.TagRequest{Name: b.cfg.Tag, Slug: b.cfg.Tag, Description: ptr("managed by terraform-provider-hedgehog")}
	_, resp, err = c.ExtrasAPI.ExtrasTagsCreate(ctx).TagRequest(req).Execute()
	return apiErr("create tag "+b.cfg.Tag, resp, err)
}

func (b *Backend) ensureCustomField(ctx context.Context) error {
	c, err := b.api()
	if err != nil {
		return err
	}
	page, resp, err := c.ExtrasAPI.ExtrasCustomFieldsList(ctx).Name([]string{b.cfg.CustomField}).Execute()
	if err != nil {
		return apiErr("custom field "+b.cfg.CustomField, resp, err)
	}
	if len(page.Results) == 0 {
		req := nb.WritableCustomFieldRequest{ObjectTypes: cfObjectTypes, Name: b.cfg.CustomField,
			Type:        ptr(nb.PATCHEDWRITABLECUSTOMFIELDREQUESTTYPE_TEXT),
			FilterLogic: ptr(nb.PATCHEDWRITABLECUSTOMFIELDREQUESTFILTERLOGIC_LOOSE),
			Label:       ptr("Hedgehog object"),
			Description: ptr("Hedgehog object that owns this record (terraform-provider-hedgehog)")}
		_, resp, err = c.ExtrasAPI.ExtrasCustomFieldsCreate(ctx).WritableCustomFieldRequest(req).Execute()
		return apiErr("create custom field "+b.cfg.CustomField, resp, err)
	}
	cf := page.Results[0]
	if cf.Type.Value != nil && *cf.Type.Value != nb.CUSTOMFIELDTYPEVALUE_TEXT {
		return fmt.Errorf("custom field %s has type %s, want text", b.cfg.CustomField, *cf.Type.Value)
	}
	types := append([]string(nil), cf.ObjectTypes...)
	// The cf_ filter this backend sends is a "loose" (contains) match.
	missing := cf.FilterLogic == nil || cf.FilterLogic.Value == nil || *cf.FilterLogic.Value != nb.CUSTOMFIELDFILTERLOGICVALUE_LOOSE
	for _, t := range cfObjectTypes {
		if !has(types, t) {
			types = append(types, t)
			missing = true
		}
	}
	if !missing {
		return nil
	}
	_, resp, err = c.ExtrasAPI.ExtrasCustomFieldsPartialUpdate(ctx, cf.Id).
		PatchedWritableCustomFieldRequest(nb.PatchedWritableCustomFieldRequest{ObjectTypes: types,
			FilterLogic: ptr(nb.PATCHEDWRITABLECUSTOMFIELDREQUESTFILTERLOGIC_LOOSE)}).Execute()
	return apiErr("update custom field "+b.cfg.CustomField, resp, err)
}

func (b *Backend) findSite(ctx context.Context) (int32, error) {
	c, err := b.api()
	if err != nil {
		return 0, err
	}
	page, resp, err := c.DcimAPI.DcimSitesList(ctx).Slug([]string{b.cfg.Site}).Execute()
	if err != nil {
		return 0, apiErr("site "+b.cfg.Site, resp, err)
	}
	if len(page.Results) == 0 {
		page, resp, err = c.DcimAPI.DcimSitesList(ctx).Name([]string{b.cfg.Site}).Execute()
		if err != nil {
			return 0, apiErr("site "+b.cfg.Site, resp, err)
		}
	}
	if len(page.Results) == 0 {
		return 0, fmt.Errorf("site %q does not exist in NetBox", b.cfg.Site)
	}
	return page.Results[0].Id, nil
}

// owned reads every record marked as part of ref.
func (b *Backend) owned(ctx context.Context, ref backend.Ref) ([]record, error) {
	mp := markPrefix(ref)
	var out []record
	for _, m := range modelsOf(ref.Kind) {
		recs, err := b.list(ctx, m, filter{MarkPrefix: mp})
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

// flagStrandedVLANs marks ungrouped VPC VLANs whose namespace now has a VLAN group (one list call).
func (b *Backend) flagStrandedVLANs(ctx context.Context, recs []record) error {
	var names []string
	for _, r := range recs {
		if r.Model == modelVLAN && r.Group == 0 {
			if ns := namespaceFromVLANDescription(r.Description); ns != "" && !has(names, ns) {
				names = append(names, ns)
			}
		}
	}
	if len(names) == 0 {
		return nil
	}
	groups, err := b.list(ctx, modelVLANGroup, filter{Names: names})
	if err != nil {
		return err
	}
	exists := map[string]bool{}
	for _, g := range groups {
		exists[g.Name] = true
	}
	for i, r := range recs {
		if r.Model == modelVLAN && r.Group == 0 {
			recs[i].GroupAvailable = exists[namespaceFromVLANDescription(r.Description)]
		}
	}
	return nil
}

func (b *Backend) stateOf(kind string, recs []record) backend.State {
	if len(recs) == 0 {
		return backend.State{Restore: &restoreData{Kind: kind}}
	}
	return backend.State{Exists: true, Owned: true, Digest: backend.HashJSON(projectRecords(kind, recs)),
		Checkpoint: checkpointOf(recs), Restore: &restoreData{Kind: kind, Records: recs}}
}

// Get implements backend.Backend.
func (b *Backend) Get(ctx context.Context, ref backend.Ref) (backend.State, error) {
	if !b.Handles(ref.Kind) {
		return backend.State{}, nil
	}
	recs, err := b.owned(ctx, ref)
	if err != nil {
		return backend.State{}, wrap("get", ref, err)
	}
	if err := b.flagStrandedVLANs(ctx, recs); err != nil {
		return backend.State{}, wrap("get", ref, err)
	}
	st := b.stateOf(ref.Kind, recs)
	if st.Exists {
		return st, nil
	}
	// Nothing owned: report a foreign record holding the object's name (import / conflict).
	var foreign []record
	switch ref.Kind {
	case kindVPC:
		foreign, err = b.list(ctx, modelVRF, filter{Names: []string{ref.Name}})
	case kindVLANNamespace:
		foreign, err = b.list(ctx, modelVLANGroup, filter{Slugs: []string{"hh-" + ref.Name}})
	}
	if err != nil {
		return backend.State{}, wrap("get", ref, err)
	}
	if len(foreign) > 0 {
		st.Exists = true
	}
	return st, nil
}

// List implements backend.Backend: one paginated, tag-filtered list per model, grouped by object name.
func (b *Backend) List(ctx context.Context, kind string) (map[string]backend.State, error) {
	out := map[string]backend.State{}
	if !b.Handles(kind) {
		return out, nil
	}
	c, err := b.api()
	if err != nil {
		return nil, wrap("list", backend.Ref{Kind: kind}, err)
	}
	// NetBox rejects a filter on a tag that does not exist: no tag, nothing owned.
	tags, resp, err := c.ExtrasAPI.ExtrasTagsList(ctx).Slug([]string{b.cfg.Tag}).Execute()
	if err != nil {
		return nil, wrap("list", backend.Ref{Kind: kind}, apiErr("tag "+b.cfg.Tag, resp, err))
	}
	if len(tags.Results) == 0 {
		return out, nil
	}
	groups := map[string][]record{}
	for _, m := range modelsOf(kind) {
		recs, err := b.list(ctx, m, filter{Tagged: true, MarkPrefix: kind + "/"})
		if err != nil {
			return nil, wrap("list", backend.Ref{Kind: kind}, err)
		}
		for _, r := range recs {
			ref, _, ok := refOfMark(r.Mark)
			if !ok || ref.Kind != kind {
				continue
			}
			groups[ref.Name] = append(groups[ref.Name], r)
		}
	}
	var all []record
	for _, recs := range groups {
		all = append(all, recs...)
	}
	if err := b.flagStrandedVLANs(ctx, all); err != nil {
		return nil, wrap("list", backend.Ref{Kind: kind}, err)
	}
	groups = map[string][]record{}
	for _, r := range all {
		ref, _, _ := refOfMark(r.Mark)
		groups[ref.Name] = append(groups[ref.Name], r)
	}
	for name, recs := range groups {
		out[name] = b.stateOf(kind, recs)
	}
	return out, nil
}

// resolve fills in the ids a desired object needs from NetBox (VLAN group of a VPC, site of a group).
func (b *Backend) resolve(ctx context.Context, obj backend.Object, d *desired) error {
	switch obj.Kind {
	case kindVPC:
		groups, err := b.list(ctx, modelVLANGroup, filter{Names: []string{d.VLANNamespace}})
		if err != nil {
			return err
		}
		var gid int32
		for _, g := range groups {
			if g.Name != d.VLANNamespace {
				continue
			}
			if gid == 0 || g.Slug == "hh-"+d.VLANNamespace {
				gid = g.ID
			}
		}
		for i := range d.Records {
			if d.Records[i].Model == modelVLAN {
				d.Records[i].Group = gid
			}
		}
	case kindVLANNamespace:
		for i := range d.Records {
			d.Records[i].Site = b.siteID
		}
	}
	return nil
}

// conflicts finds records that hold want's natural key (name, prefix in VRF, vid in group).
func (b *Backend) conflicts(ctx context.Context, want record) ([]record, error) {
	var cands []record
	var err error
	switch want.Model {
	case modelVRF:
		cands, err = b.list(ctx, modelVRF, filter{Names: []string{want.Name}})
	case modelVLANGroup:
		cands, err = b.list(ctx, modelVLANGroup, filter{Slugs: []string{want.Slug}})
	case modelPrefix:
		cands, err = b.list(ctx, modelPrefix, filter{Prefix: want.Prefix})
	case modelVLAN:
		if want.Group != 0 {
			cands, err = b.list(ctx, modelVLAN, filter{VIDs: []int32{want.VID}})
		} else {
			cands, err = b.list(ctx, modelVLAN, filter{Names: []string{want.Name}})
		}
	}
	if err != nil {
		return nil, err
	}
	var out []record
	for _, c := range cands {
		switch want.Model {
		case modelVRF:
			if c.Name != want.Name {
				continue
			}
		case modelVLANGroup:
			if c.Slug != want.Slug {
				continue
			}
		case modelPrefix:
			if canonicalCIDR(c.Prefix) != want.Prefix || c.VRF != want.VRF {
				continue
			}
		case modelVLAN:
			if c.Group != want.Group || (want.Group != 0 && c.VID != want.VID) || (want.Group == 0 && c.Name != want.Name) {
				continue
			}
		}
		out = append(out, c)
	}
	return out, nil
}

func byModel(recs []record, model string) []record {
	var out []record
	for _, r := range recs {
		if r.Model == model {
			out = append(out, r)
		}
	}
	return out
}

// withOurTag returns tags plus the ownership tag.
func (b *Backend) withOurTag(tags []tagRef) []tagRef {
	out := append([]tagRef(nil), tags...)
	if !hasTag(out, b.cfg.Tag) {
		out = append(out, b.ourTag())
	}
	return out
}

// Put implements backend.Backend.
func (b *Backend) Put(ctx context.Context, obj backend.Object, adopt bool) (backend.State, backend.State, error) {
	ref := obj.Ref
	fail := func(prior backend.State, err error) (backend.State, backend.State, error) {
		return prior, backend.State{}, wrap("put", ref, err)
	}
	if !b.Handles(obj.Kind) {
		return fail(untouched(obj.Kind), fmt.Errorf("kind %s is not stored in NetBox", obj.Kind))
	}
	if err := b.setup(ctx); err != nil {
		return fail(untouched(obj.Kind), err)
	}
	d := desiredRecords(obj)
	if err := b.resolve(ctx, obj, &d); err != nil {
		return fail(untouched(obj.Kind), err)
	}
	cur, err := b.owned(ctx, ref)
	if err != nil {
		return fail(untouched(obj.Kind), err)
	}
	// Until the first write, a failure leaves NetBox as it was.
	pre := b.stateOf(obj.Kind, cur)
	pre.Restore.(*restoreData).Untouched = true
	curBy := map[string]record{}
	sort.Slice(cur, func(i, j int) bool { return cur[i].ID < cur[j].ID })
	for _, r := range cur {
		if _, dup := curBy[r.key()]; !dup && r.Part != "" {
			curBy[r.key()] = r
		}
	}
	wanted := map[string]bool{}
	for _, r := range d.Records {
		wanted[r.key()] = true
	}
	// extras: records of parts the object no longer has, duplicates and unparsable marks.
	var extras []record
	for _, r := range cur {
		if first, ok := curBy[r.key()]; ok && first.ID == r.ID && wanted[r.key()] {
			continue
		}
		extras = append(extras, r)
	}

	// Find foreign records holding the natural keys of records this object does not own yet.
	ids := map[string]int32{}
	for k, r := range curBy {
		ids[k] = r.ID
	}
	adopted := map[string]record{}
	for _, model := range writeOrder {
		for _, want := range byModel(d.Records, model) {
			if _, ok := curBy[want.key()]; ok {
				continue
			}
			if want.VRFPart != "" {
				want.VRF = ids[modelVRF+"/"+want.VRFPart]
				if want.VRF == 0 {
					continue // the VRF is new, so nothing in it can conflict
				}
			}
			cands, err := b.conflicts(ctx, want)
			if err != nil {
				return fail(pre, err)
			}
			for _, c := range cands {
				if c.Mark != "" && !strings.HasPrefix(c.Mark, markPrefix(ref)) {
					return fail(pre, fmt.Errorf("%w: %s %d belongs to %s", backend.ErrNotOwned, c.Model, c.ID, c.Mark))
				}
			}
			if len(cands) == 0 {
				continue
			}
			if !adopt {
				return fail(pre, fmt.Errorf("%w: %s %d (%s)", backend.ErrNotOwned, cands[0].Model, cands[0].ID, labelOf(cands[0])))
			}
			adopted[want.key()] = cands[0]
			ids[want.key()] = cands[0].ID
		}
	}

	prior := b.stateOf(obj.Kind, cur)
	if len(adopted) > 0 {
		rd := prior.Restore.(*restoreData)
		for _, r := range adopted {
			rd.Records = append(rd.Records, r)
		}
		prior.Exists = true
	}

	// Delete records the object no longer has (references first).
	for i := len(writeOrder) - 1; i >= 0; i-- {
		for _, r := range byModel(extras, writeOrder[i]) {
			if err := b.remove(ctx, r.Model, r.ID); err != nil {
				return fail(prior, err)
			}
		}
	}
	// Patch and create, referenced records first.
	for _, model := range writeOrder {
		for _, want := range byModel(d.Records, model) {
			if want.VRFPart != "" {
				want.VRF = ids[modelVRF+"/"+want.VRFPart]
			}
			if want.VLANPart != "" {
				want.VLAN = ids[modelVLAN+"/"+want.VLANPart]
			}
			have, ok := curBy[want.key()]
			if !ok {
				have, ok = adopted[want.key()]
			}
			if ok {
				if model == modelVLANGroup && b.cfg.Site == "" {
					want.Site = have.Site // scope is managed only when a site is configured
				}
				want.Tags = b.withOurTag(have.Tags)
				if err := b.patch(ctx, have.ID, want, diff(have, want)); err != nil {
					return fail(prior, err)
				}
				continue
			}
			want.Tags = []tagRef{b.ourTag()}
			id, err := b.create(ctx, want)
			if err != nil {
				return fail(prior, err)
			}
			ids[want.key()] = id
		}
	}
	after, err := b.owned(ctx, ref)
	if err == nil {
		err = b.flagStrandedVLANs(ctx, after)
	}
	if err != nil {
		return fail(prior, err)
	}
	return prior, b.stateOf(obj.Kind, after), nil
}

func labelOf(r record) string {
	switch r.Model {
	case modelPrefix:
		return r.Prefix
	case modelVLAN:
		return fmt.Sprintf("%d %s", r.VID, r.Name)
	}
	return r.Name
}

// Delete implements backend.Backend.
func (b *Backend) Delete(ctx context.Context, ref backend.Ref) (backend.State, error) {
	if !b.Handles(ref.Kind) {
		return backend.State{}, nil
	}
	cur, err := b.owned(ctx, ref)
	if err != nil {
		return untouched(ref.Kind), wrap("delete", ref, err)
	}
	prior := b.stateOf(ref.Kind, cur)
	for i := len(writeOrder) - 1; i >= 0; i-- {
		for _, r := range byModel(cur, writeOrder[i]) {
			if err := b.remove(ctx, r.Model, r.ID); err != nil {
				return prior, wrap("delete", ref, err)
			}
		}
	}
	return prior, nil
}

// restoreOf extracts restore data from State.Restore (also after a JSON round trip).
func restoreOf(v any) (*restoreData, error) {
	switch rd := v.(type) {
	case *restoreData:
		return rd, nil
	case restoreData:
		return &rd, nil
	case nil:
		return nil, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var rd restoreData
	if err := json.Unmarshal(data, &rd); err != nil {
		return nil, fmt.Errorf("restore data: %w", err)
	}
	return &rd, nil
}

// Restore implements backend.Backend: it deletes records prior did not have, re-creates deleted ones and
// patches changed ones back to the exact prior values, tags and marks.
func (b *Backend) Restore(ctx context.Context, ref backend.Ref, prior backend.State) error {
	if !b.Handles(ref.Kind) {
		return nil
	}
	rd, err := restoreOf(prior.Restore)
	if err != nil {
		return wrap("restore", ref, err)
	}
	if rd != nil && rd.Untouched {
		return nil
	}
	if rd == nil {
		if prior.Exists {
			return wrap("restore", ref, errors.New("prior state carries no restore data"))
		}
		rd = &restoreData{Kind: ref.Kind}
	}
	cur, err := b.owned(ctx, ref)
	if err != nil {
		return wrap("restore", ref, err)
	}
	// Ids are per model, so records are keyed by model and id.
	priorIDs := map[string]bool{}
	for _, r := range rd.Records {
		priorIDs[r.idKey()] = true
	}
	curByID := map[string]record{}
	for _, r := range cur {
		curByID[r.idKey()] = r
	}
	for i := len(writeOrder) - 1; i >= 0; i-- {
		for _, r := range byModel(cur, writeOrder[i]) {
			if !priorIDs[r.idKey()] {
				if err := b.remove(ctx, r.Model, r.ID); err != nil {
					return wrap("restore", ref, err)
				}
			}
		}
	}
	idMap := map[string]int32{}
	mapped := func(model string, id int32) int32 {
		if n, ok := idMap[record{Model: model, ID: id}.idKey()]; ok {
			return n
		}
		return id
	}
	for _, model := range writeOrder {
		for _, want := range byModel(rd.Records, model) {
			want.VRF = mapped(modelVRF, want.VRF)
			want.VLAN = mapped(modelVLAN, want.VLAN)
			have, ok := curByID[want.idKey()]
			if ok {
				if err := b.patch(ctx, have.ID, want, diff(have, want)); err != nil {
					return wrap("restore", ref, err)
				}
				continue
			}
			if want.Mark == "" {
				continue // a foreign record that was never adopted is untouched
			}
			id, err := b.create(ctx, want)
			if err != nil {
				return wrap("restore", ref, err)
			}
			idMap[want.idKey()] = id
		}
	}
	return nil
}

// Check implements backend.Backend.
func (b *Backend) Check(ctx context.Context) error {
	ref := backend.Ref{}
	c, err := b.api()
	if err != nil {
		return wrap("check", ref, err)
	}
	status, resp, err := c.StatusAPI.StatusRetrieve(ctx).Execute()
	if err != nil && resp != nil && (resp.StatusCode == 401 || resp.StatusCode == 403) {
		return wrap("check", ref, apiErr("API token rejected by "+b.cfg.ServerURL, resp, err))
	}
	if err != nil {
		return wrap("check", ref, apiErr("GET /api/status/ ("+b.cfg.ServerURL+")", resp, err))
	}
	version, _ := status["netbox-version"].(string)
	if version == "" {
		return wrap("check", ref, errors.New("GET /api/status/ did not report a netbox-version"))
	}
	if _, resp, err := c.IpamAPI.IpamVrfsList(ctx).Limit(1).Execute(); err != nil {
		if resp != nil && (resp.StatusCode == 401 || resp.StatusCode == 403) {
			return wrap("check", ref, apiErr("API token rejected (NetBox "+version+")", resp, err))
		}
		return wrap("check", ref, apiErr("list VRFs (NetBox "+version+")", resp, err))
	}
	if err := b.setup(ctx); err != nil {
		return wrap("check", ref, fmt.Errorf("NetBox %s: %w", version, err))
	}
	return nil
}
