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

// marked reads every record marked as part of ref, whoever the owner. On the write paths (cached) a VPC's
// come from the run's cache (index.go), which the preflight and the Put of one saga, and all sagas of a
// run, share; Get reads them from NetBox and the cache learns what it read.
func (b *Backend) marked(ctx context.Context, ref backend.Ref, cached bool) ([]record, error) {
	if ref.Kind == kindVPC && cached {
		return b.cachedMarked(ctx, ref)
	}
	mp := markPrefix(ref)
	var out []record
	for _, m := range modelsOf(ref.Kind) {
		recs, err := b.list(ctx, m, filter{MarkPrefix: mp})
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	if ref.Kind == kindVPC {
		b.learn(ref, out)
	}
	return out, nil
}

// owned reads the records of ref marked with this backend's owner (cached: see marked).
func (b *Backend) owned(ctx context.Context, ref backend.Ref, cached bool) ([]record, error) {
	all, err := b.marked(ctx, ref, cached)
	if err != nil {
		return nil, err
	}
	mine, _ := b.split(all)
	return mine, nil
}

// split parts records into this backend's owner's and other owners'.
func (b *Backend) split(recs []record) (mine, theirs []record) {
	for _, r := range recs {
		if ownerOfMark(r.Mark) == b.owner() {
			mine = append(mine, r)
		} else {
			theirs = append(theirs, r)
		}
	}
	return mine, theirs
}

func (b *Backend) owner() string { return backend.OwnerOrDefault(b.cfg.Owner) }

// foundRecord describes one record for backend.Intent.Authorize.
func foundRecord(r record, same backend.Sameness) backend.Found {
	f := backend.Found{Exists: true, Marked: r.Mark != "", Owner: ownerOfMark(r.Mark), Same: same,
		What: fmt.Sprintf("%s %s (id %d)", modelLabel(r.Model), labelOf(r), r.ID)}
	if !f.Marked && len(r.Tags) > 0 {
		var tags []string
		for _, t := range r.Tags {
			tags = append(tags, t.Slug)
		}
		f.Note = "tags: " + strings.Join(tags, ", ")
	}
	return f
}

func modelLabel(model string) string {
	switch model {
	case modelVRF:
		return "VRF"
	case modelPrefix:
		return "prefix"
	case modelVLAN:
		return "VLAN"
	case modelVLANGroup:
		return "VLAN group"
	}
	return model
}

// sameness is whether r is a record the state's checkpoint names (ids nil: the state names none).
func sameness(ids map[string]bool, r record) backend.Sameness {
	switch {
	case ids == nil:
		return backend.SameUnknown
	case ids[r.idKey()]:
		return backend.SameMatch
	}
	return backend.SameMismatch
}

// expectedIDs is the set of record ids (model#id) the state's checkpoint names; nil when it names none.
func expectedIDs(kind string, expect map[string]string, recs []record) map[string]bool {
	if len(expect) == 0 {
		return nil
	}
	byKey := map[string]string{}
	for k, v := range expect {
		byKey[k] = v
	}
	out := map[string]bool{}
	for _, r := range recs {
		cp := checkpointOf([]record{r})
		for k, v := range cp {
			if byKey[k] == v {
				out[r.idKey()] = true
			}
		}
	}
	return out
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
	groups, err := b.cachedGroups(ctx)
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
	recs, err := b.owned(ctx, ref, false)
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
			if !ok || ref.Kind != kind || ownerOfMark(r.Mark) != b.owner() {
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
		groups, err := b.cachedGroups(ctx)
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
		site, err := b.site(ctx)
		if err != nil {
			return err
		}
		for i := range d.Records {
			d.Records[i].Site = site
		}
	}
	return nil
}

// site resolves the configured site once (a read; 0 when no site is configured).
func (b *Backend) site(ctx context.Context) (int32, error) {
	if b.cfg.Site == "" {
		return 0, nil
	}
	b.setupMu.Lock()
	defer b.setupMu.Unlock()
	if b.siteID != 0 {
		return b.siteID, nil
	}
	id, err := b.findSite(ctx)
	if err != nil {
		return 0, err
	}
	b.siteID = id
	return id, nil
}

// conflicts finds records that hold want's natural key (name, prefix in VRF, vid in group).
func (b *Backend) conflicts(ctx context.Context, want record) ([]record, error) {
	var cands []record
	var err error
	switch want.Model {
	case modelVRF:
		cands, err = b.cachedVRFs(ctx, want.Name)
	case modelVLANGroup:
		cands, err = b.list(ctx, modelVLANGroup, filter{Slugs: []string{want.Slug}})
	case modelPrefix:
		cands, err = b.list(ctx, modelPrefix, filter{Prefix: want.Prefix})
	case modelVLAN:
		if want.Group != 0 {
			cands, err = b.cachedGroupVLANs(ctx, want.Group, want.VID)
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

func idsOf(recs []record) []int32 {
	var out []int32
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
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

// judge decides, before any write, whether a Put (obj non-nil) or Delete may touch the records marked as
// ref's: this owner's records must be the ones the state recorded (or, without a checkpoint, be marked
// with this owner on an update), and other owners' records of the same object are never touched unless
// in.Adopt. It returns this owner's records, and the other owners' records an adoption takes over.
func (b *Backend) judge(ctx context.Context, ref backend.Ref, in backend.Intent) (mine, adopted []record, err error) {
	all, err := b.marked(ctx, ref, true)
	if err != nil {
		return nil, nil, err
	}
	mine, theirs := b.split(all)
	for _, r := range theirs {
		if err := in.Authorize(backend.NetBox, ref, foundRecord(r, backend.SameMismatch)); err != nil {
			return nil, nil, err
		}
		adopted = append(adopted, r)
	}
	if len(mine) == 0 {
		return mine, adopted, nil
	}
	ids := expectedIDs(ref.Kind, in.Expect, mine)
	for _, r := range mine {
		if err := in.Authorize(backend.NetBox, ref, foundRecord(r, sameness(ids, r))); err != nil {
			return nil, nil, err
		}
	}
	return mine, adopted, nil
}

// Preflight implements backend.Backend: the records marked as ref's are judged (Put also checks the natural
// keys of records it would create, at write time, before its first write).
func (b *Backend) Preflight(ctx context.Context, ref backend.Ref, obj *backend.Object, in backend.Intent) error {
	if !b.Handles(ref.Kind) {
		return nil
	}
	if obj == nil && in.Op != backend.OpRecover {
		in.Op = backend.OpDelete
	}
	if in.Op == backend.OpDelete {
		return nil // a delete leaves what is not ours alone; nothing to refuse
	}
	_, _, err := b.judge(ctx, ref, in)
	if _, ok := backend.AsOwnership(err); ok || err == nil {
		return err
	}
	return wrap("preflight", ref, err)
}

// Put implements backend.Backend.
func (b *Backend) Put(ctx context.Context, obj backend.Object, in backend.Intent) (backend.State, backend.State, error) {
	defer b.busy()()
	ref := obj.Ref
	fail := func(prior backend.State, err error) (backend.State, backend.State, error) {
		return prior, backend.State{}, wrap("put", ref, err)
	}
	if !b.Handles(obj.Kind) {
		return fail(untouched(obj.Kind), fmt.Errorf("kind %s is not stored in NetBox", obj.Kind))
	}
	d := desiredRecords(obj)
	if err := b.resolve(ctx, obj, &d); err != nil {
		return fail(untouched(obj.Kind), err)
	}
	cur, takeover, err := b.judge(ctx, ref, in)
	if oe, ok := backend.AsOwnership(err); ok {
		return untouched(obj.Kind), backend.State{}, oe
	}
	if err != nil {
		return fail(untouched(obj.Kind), err)
	}
	// An adoption takes over other owners' records of this object: they are patched (mark and tags) like
	// ours, and restored exactly on rollback.
	prior0 := append([]record(nil), cur...)
	cur = append(cur, takeover...)
	// Until the first write, a failure leaves NetBox as it was.
	pre := b.stateOf(obj.Kind, prior0)
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
			if len(cands) == 0 {
				continue
			}
			c := cands[0]
			if r, _, ok := refOfMark(c.Mark); ok && markPrefix(r) != markPrefix(ref) {
				// A record of another Hedgehog object is never taken over, not even on adoption.
				return untouched(obj.Kind), backend.State{}, &backend.OwnershipError{Backend: backend.NetBox, Ref: ref, Op: in.Op,
					Found: foundRecord(c, backend.SameMismatch), Owner: in.Owner}
			}
			if err := in.Authorize(backend.NetBox, ref, foundRecord(c, backend.SameMismatch)); err != nil {
				return untouched(obj.Kind), backend.State{}, err
			}
			adopted[want.key()] = c
			ids[want.key()] = cands[0].ID
		}
	}

	prior := b.stateOf(obj.Kind, prior0)
	if len(takeover) > 0 {
		rd := prior.Restore.(*restoreData)
		rd.Records = append(rd.Records, takeover...)
		prior.Exists = true
	}
	if len(adopted) > 0 {
		rd := prior.Restore.(*restoreData)
		for _, r := range adopted {
			rd.Records = append(rd.Records, r)
		}
		prior.Exists = true
	}

	// Everything is judged: the first write may go ahead. The tag and custom field are made now, never at plan.
	if err := b.setup(ctx); err != nil {
		return fail(pre, err)
	}
	// Delete records the object no longer has (references first).
	wrote := false
	for i := len(writeOrder) - 1; i >= 0; i-- {
		if ids := idsOf(byModel(extras, writeOrder[i])); len(ids) > 0 {
			if err := b.removeAll(ctx, writeOrder[i], ids); err != nil {
				return fail(prior, err)
			}
			wrote = true
		}
	}
	// Patch and create, referenced records first; the records of one model this object lacks are created
	// with one bulk POST (merged with other sagas', bulk.go).
	for _, model := range writeOrder {
		var news []record
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
				ch := diff(have, want)
				if err := b.patch(ctx, have.ID, want, ch); err != nil {
					return fail(prior, err)
				}
				wrote = wrote || !ch.empty()
				continue
			}
			want.Tags = []tagRef{b.ourTag()}
			news = append(news, want)
		}
		if len(news) == 0 {
			continue
		}
		made, err := b.createAll(ctx, news)
		if err != nil && !wrote {
			// Nothing is written yet: NetBox may have refused a key someone took after the run's cache
			// was read (createAll dropped the cache). Judged again, that is a refusal like any other.
			for _, want := range news {
				if oe := b.rejudge(ctx, ref, want, in); oe != nil {
					return untouched(obj.Kind), backend.State{}, oe
				}
			}
		}
		if err != nil {
			return fail(prior, err)
		}
		wrote = true
		for i, want := range news {
			ids[want.key()] = made[i].ID
		}
	}
	after, err := b.owned(ctx, ref, true)
	if err == nil {
		err = b.flagStrandedVLANs(ctx, after)
	}
	if err != nil {
		return fail(prior, err)
	}
	// The audit trail: one NetBox journal entry per write, on the object's primary record. A failure is an
	// error, not a warning: the saga then compensates this step (UndoOnFailure), so no record is left
	// behind without saying who wrote it (DECISIONS.md).
	if p, ok := primary(obj.Kind, d.Records, after); ok && wrote {
		if err := b.journal(ctx, ref, p, in.Audit); err != nil {
			return fail(prior, err)
		}
	}
	return prior, b.stateOf(obj.Kind, after), nil
}

// rejudge looks again, after a failed create, for a record holding want's key that another party made;
// it returns the refusal (nil when there is none or the intent may take it).
func (b *Backend) rejudge(ctx context.Context, ref backend.Ref, want record, in backend.Intent) error {
	cands, err := b.conflicts(ctx, want)
	if err != nil || len(cands) == 0 {
		return nil
	}
	c := cands[0]
	if r, _, ok := refOfMark(c.Mark); ok && markPrefix(r) != markPrefix(ref) {
		return &backend.OwnershipError{Backend: backend.NetBox, Ref: ref, Op: in.Op, Found: foundRecord(c, backend.SameMismatch), Owner: in.Owner}
	}
	if err := in.Authorize(backend.NetBox, ref, foundRecord(c, backend.SameMismatch)); err != nil {
		return err
	}
	return nil
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

// Delete implements backend.Backend: it removes this owner's records of ref that the state recorded; a
// record of ours that the state did not record is left alone (reported with an *OwnershipError, Left).
func (b *Backend) Delete(ctx context.Context, ref backend.Ref, in backend.Intent) (backend.State, error) {
	if !b.Handles(ref.Kind) {
		return backend.State{}, nil
	}
	defer b.busy()()
	cur, err := b.owned(ctx, ref, true)
	if err != nil {
		return untouched(ref.Kind), wrap("delete", ref, err)
	}
	if in.Op != backend.OpRecover {
		in.Op = backend.OpDelete
	}
	var doomed []record
	var left error
	ids := expectedIDs(ref.Kind, in.Expect, cur)
	for _, r := range cur {
		if err := in.Authorize(backend.NetBox, ref, foundRecord(r, sameness(ids, r))); err != nil {
			if left == nil {
				left = err
			}
			continue
		}
		doomed = append(doomed, r)
	}
	prior := b.stateOf(ref.Kind, doomed)
	// One bulk DELETE per model (references first), merged with other sagas' (bulk.go).
	for i := len(writeOrder) - 1; i >= 0; i-- {
		if err := b.removeAll(ctx, writeOrder[i], idsOf(byModel(doomed, writeOrder[i]))); err != nil {
			return prior, wrap("delete", ref, err)
		}
	}
	if left != nil && len(doomed) == 0 {
		return untouched(ref.Kind), left
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
	cur, err := b.owned(ctx, ref, true)
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
	// Read-only: the tag and custom field are created (or the field's object types completed) by the
	// first write of an apply, never by a plan.
	if err := b.checkSetup(ctx); err != nil {
		return wrap("check", ref, fmt.Errorf("NetBox %s: %w", version, err))
	}
	return nil
}

// checkSetup reads what setup would write and reports only what setup could not fix: a custom field of the
// wrong type, or a site that does not exist.
func (b *Backend) checkSetup(ctx context.Context) error {
	c, err := b.api()
	if err != nil {
		return err
	}
	page, resp, err := c.ExtrasAPI.ExtrasCustomFieldsList(ctx).Name([]string{b.cfg.CustomField}).Execute()
	if err != nil {
		return apiErr("custom field "+b.cfg.CustomField, resp, err)
	}
	if len(page.Results) > 0 {
		cf := page.Results[0]
		if cf.Type.Value != nil && *cf.Type.Value != nb.CUSTOMFIELDTYPEVALUE_TEXT {
			return fmt.Errorf("custom field %s has type %s, want text (rename it, or set netbox.custom_field to another name)", b.cfg.CustomField, *cf.Type.Value)
		}
	}
	if b.cfg.Site != "" {
		if _, err := b.findSite(ctx); err != nil {
			return err
		}
	}
	return nil
}
