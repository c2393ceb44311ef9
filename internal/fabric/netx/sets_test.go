package netx

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// TestPrefixSetMatchesBruteForce compares PrefixSet with a pairwise check on
// random prefixes.
func TestPrefixSetMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var s PrefixSet
	var stored []netip.Prefix
	for i := 0; i < 3000; i++ {
		a := netip.AddrFrom4([4]byte{10, byte(r.IntN(4)), byte(r.IntN(256)), byte(r.IntN(256))})
		p := netip.PrefixFrom(a, 14+r.IntN(19)).Masked()
		var want netip.Prefix
		for _, q := range stored {
			if q.Overlaps(p) && (!want.IsValid() || q.Addr().Less(want.Addr())) {
				want = q
			}
		}
		_, got, ok := s.Insert(p, p.String())
		if ok == want.IsValid() || (!ok && got != want) {
			t.Fatalf("insert %s: ok=%v got %s, brute force %s", p, ok, got, want)
		}
		if ok {
			stored = append(stored, p)
		}
	}
	if s.Len() != len(stored) || len(stored) < 10 {
		t.Fatalf("len %d vs %d", s.Len(), len(stored))
	}
}

func TestPrefixSetLarge(t *testing.T) {
	var s PrefixSet
	for i := 0; i < 1<<13; i++ {
		// insert in descending order to exercise the sorted insertion path
		j := (1<<13 - 1) - i
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(j >> 8), byte(j), 0}), 24)
		if _, _, ok := s.Insert(p, "x"); !ok {
			t.Fatalf("insert %s", p)
		}
	}
	if _, _, found := s.Overlapping(netip.MustParsePrefix("10.20.0.0/16")); !found {
		t.Fatal("overlap not found")
	}
	if _, _, found := s.Overlapping(netip.MustParsePrefix("11.0.0.0/8")); found {
		t.Fatal("false overlap")
	}
}

func BenchmarkPrefixSetOverlapping(b *testing.B) {
	var s PrefixSet
	for j := 0; j < 1<<16; j++ {
		s.Insert(netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(j >> 8), byte(j), 0}), 24), "x")
	}
	q := netip.MustParsePrefix("10.123.45.0/25")
	b.ReportAllocs()
	for b.Loop() {
		s.Overlapping(q)
	}
}
