package cascade

import (
	"fmt"
	"iter"
	"maps"
	"sort"
	"strings"
)

// maxSuggestions caps the "did you mean" names of one finding; maxListed caps the names listed as what
// exists (e.g. a VPC's subnets).
const (
	maxSuggestions = 3
	maxListed      = 10
)

// suggest returns a "did you mean" hint (with a leading "; ") naming up to maxSuggestions objects of kind
// whose names are close to name, or "" when none is. exclude (e.g. the referring object) is never named.
// It runs only when a finding is reported, so a valid fabric does not pay for it.
func (v *View) suggest(kind, name string, exclude ...string) string {
	return didYouMean(name, maps.Keys(v.objs[kind]), exclude...)
}

// didYouMean returns "; did you mean …?" (to end a detail) naming the candidates closest to name, or "".
func didYouMean(name string, candidates iter.Seq[string], exclude ...string) string {
	near := closestNames(name, candidates, exclude...)
	if len(near) == 0 {
		return ""
	}
	return "; did you mean " + quotedList(near, "or") + "?"
}

// closestNames returns up to maxSuggestions candidates within a reasonable edit distance of name,
// ignoring case (transposing two letters counts as one edit): at most a third of the name's length,
// between 1 and 3; only the closest of them are kept (one distance), ties broken by the nearest length,
// then by name.
func closestNames(name string, candidates iter.Seq[string], exclude ...string) []string {
	if name == "" {
		return nil
	}
	limit := max(1, min(3, len(name)/3))
	lname := strings.ToLower(name)
	type cand struct {
		name     string
		dist, dl int
	}
	var found []cand
	for c := range candidates {
		if c == name || containsString(exclude, c) {
			continue
		}
		dl := len(c) - len(name)
		if dl < 0 {
			dl = -dl
		}
		if dl > limit {
			continue
		}
		if d := editDistance(lname, strings.ToLower(c), limit); d <= limit {
			found = append(found, cand{c, d, dl})
			limit = d // farther names are not kept
		}
	}
	sort.Slice(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if a.dist != b.dist {
			return a.dist < b.dist
		}
		if a.dl != b.dl {
			return a.dl < b.dl
		}
		return a.name < b.name
	})
	out := make([]string, 0, min(len(found), maxSuggestions))
	for i := 0; i < len(found) && i < maxSuggestions && found[i].dist == found[0].dist; i++ {
		out = append(out, found[i].name)
	}
	return out
}

// editDistance returns the optimal string alignment distance of a and b (bytes; insertions, deletions,
// substitutions and transpositions of adjacent bytes), or limit+1 once it must exceed limit.
func editDistance(a, b string, limit int) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// quotedList returns the names quoted and joined: `"a"`, `"a" or "b"`, `"a", "b" or "c"` (conj "or" or
// "and").
func quotedList(names []string, conj string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " " + conj + " " + q[len(q)-1]
}

// existingList says what exists of a part of an object, e.g. `; its subnets are "a" and "b"`: what
// names the parts ("subnets"), names are listed sorted, at most maxListed of them.
func existingList(what string, names []string) string {
	if len(names) == 0 {
		return "; it has no " + what
	}
	sort.Strings(names)
	if len(names) > maxListed {
		q := make([]string, maxListed)
		for i, n := range names[:maxListed] {
			q[i] = fmt.Sprintf("%q", n)
		}
		return fmt.Sprintf("; its %s are %s and %d more", what, strings.Join(q, ", "), len(names)-maxListed)
	}
	if len(names) == 1 {
		return fmt.Sprintf("; its only %s is %q", strings.TrimSuffix(what, "s"), names[0])
	}
	return "; its " + what + " are " + quotedList(names, "and")
}
