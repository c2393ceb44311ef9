package netx

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParseCanonicalPrefix(t *testing.T) {
	for in, ok := range map[string]bool{
		"10.0.0.0/24": true, "10.0.0.1/24": false, "0.0.0.0/0": true, "10.0.0.1/32": true,
		"10.0.0.0": false, "10.0.0.0/33": false, "fd00::/64": true, "fd00::1/64": false, "": false,
	} {
		p, err := ParseCanonicalPrefix(in)
		if (err == nil) != ok {
			t.Errorf("%q: err %v, want ok=%v", in, err, ok)
		}
		if ok && p.String() != in {
			t.Errorf("%q: round trip %q", in, p)
		}
	}
	if _, err := ParseIPv4Prefix("fd00::/64"); err == nil {
		t.Error("ParseIPv4Prefix accepted IPv6")
	}
	if p, err := ParseIPv4Prefix("10.0.0.0/8"); err != nil || p.Bits() != 8 {
		t.Error("ParseIPv4Prefix rejected IPv4")
	}
}

func TestHosts(t *testing.T) {
	cases := []struct{ p, first, last, bcast string }{
		{"10.0.0.0/24", "10.0.0.1", "10.0.0.254", "10.0.0.255"},
		{"10.0.0.0/13", "10.0.0.1", "10.7.255.254", "10.7.255.255"},
		{"10.0.0.0/30", "10.0.0.1", "10.0.0.2", "10.0.0.3"},
		{"10.0.0.0/31", "10.0.0.0", "10.0.0.1", "10.0.0.1"},
		{"10.0.0.5/32", "10.0.0.5", "10.0.0.5", "10.0.0.5"},
		{"0.0.0.0/0", "0.0.0.1", "255.255.255.254", "255.255.255.255"},
		{"fd00::/120", "fd00::1", "fd00::fe", "fd00::ff"},
	}
	for _, c := range cases {
		p := netip.MustParsePrefix(c.p)
		if g := FirstHost(p).String(); g != c.first {
			t.Errorf("FirstHost(%s) = %s", c.p, g)
		}
		if g := LastHost(p).String(); g != c.last {
			t.Errorf("LastHost(%s) = %s", c.p, g)
		}
		if g := Broadcast(p).String(); g != c.bcast {
			t.Errorf("Broadcast(%s) = %s", c.p, g)
		}
	}
}

func TestContainsOverlaps(t *testing.T) {
	a, b, c := netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("11.0.0.0/8")
	if !PrefixContains(a, b) || PrefixContains(b, a) || PrefixContains(a, c) {
		t.Error("PrefixContains")
	}
	if !PrefixOverlaps(a, b) || !PrefixOverlaps(b, a) || PrefixOverlaps(a, c) {
		t.Error("PrefixOverlaps")
	}
	if !PrefixContainsAddr(b, netip.MustParseAddr("10.1.2.3")) || PrefixContainsAddr(b, netip.MustParseAddr("10.2.0.0")) {
		t.Error("PrefixContainsAddr")
	}
}

func TestPrefixSet(t *testing.T) {
	var s PrefixSet
	ins := func(p, owner string) (string, string, bool) {
		o, prev, ok := s.Insert(netip.MustParsePrefix(p), owner)
		return o, prev.String(), ok
	}
	for _, c := range []struct{ p, owner string }{{"10.0.0.0/24", "a"}, {"10.0.2.0/24", "b"}, {"192.168.0.0/16", "c"}, {"0.0.0.0/32", "z"}} {
		if _, _, ok := ins(c.p, c.owner); !ok {
			t.Fatalf("insert %s failed", c.p)
		}
	}
	if o, prev, ok := ins("10.0.0.0/16", "x"); ok || o != "a" || prev != "10.0.0.0/24" {
		t.Errorf("overlap: %s %s %v", o, prev, ok)
	}
	if o, prev, ok := ins("10.0.2.128/25", "x"); ok || o != "b" || prev != "10.0.2.0/24" {
		t.Errorf("overlap: %s %s %v", o, prev, ok)
	}
	if _, _, ok := ins("10.0.1.0/24", "d"); !ok {
		t.Error("gap insert failed")
	}
	if o, p, ok := s.Lookup(netip.MustParseAddr("192.168.5.5")); !ok || o != "c" || p.String() != "192.168.0.0/16" {
		t.Errorf("lookup %s %s", o, p)
	}
	if _, _, ok := s.Lookup(netip.MustParseAddr("10.0.3.0")); ok {
		t.Error("lookup in gap")
	}
	if _, _, ok := s.Insert(netip.MustParsePrefix("fd00::/64"), "v6"); ok {
		t.Error("IPv6 insert must fail")
	}
	if s.Len() != 5 {
		t.Errorf("len %d", s.Len())
	}
}

func TestVLAN(t *testing.T) {
	for in, want := range map[string]VLANRange{"1": {1, 1}, "100-200": {100, 200}, "4094": {4094, 4094}} {
		r, err := ParseVLANRange(in)
		if err != nil || r != want || r.String() != in {
			t.Errorf("%q: %v %v", in, r, err)
		}
	}
	for _, bad := range []string{"0", "4095", "200-100", "01", "-", "1-", "a", "", "1-2-3", "+5"} {
		if _, err := ParseVLANRange(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	var s VLANSet
	if _, _, ok := s.Insert(VLANRange{1000, 1999}, "ns1"); !ok {
		t.Fatal("insert")
	}
	if _, _, ok := s.Insert(VLANRange{3000, 3899}, "irb"); !ok {
		t.Fatal("insert")
	}
	if o, r, ok := s.Insert(VLANRange{1999, 2500}, "x"); ok || o != "ns1" || r != (VLANRange{1000, 1999}) {
		t.Errorf("overlap %s %v", o, r)
	}
	if _, _, ok := s.Insert(VLANRange{2000, 2999}, "ns2"); !ok {
		t.Error("adjacent insert failed")
	}
	if o, _, ok := s.Lookup(3500); !ok || o != "irb" {
		t.Errorf("lookup %s", o)
	}
	if _, _, ok := s.Insert(VLANRange{5, 4}, "bad"); ok {
		t.Error("inverted range accepted")
	}
	if !(VLANRange{1, 5}).Overlaps(VLANRange{5, 9}) || (VLANRange{1, 4}).Overlaps(VLANRange{5, 9}) {
		t.Error("Overlaps")
	}
}

func TestPorts(t *testing.T) {
	d, p, err := ParsePort("leaf-1/E1/4/1")
	if err != nil || d != "leaf-1" || p != "E1/4/1" {
		t.Errorf("%s %s %v", d, p, err)
	}
	for _, bad := range []string{"", "leaf", "/E1/1", "leaf/", "le af/E1/1"} {
		if _, _, err := ParsePort(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if PortBase("E1/4/1") != "E1/4" || PortBase("E1/4") != "E1/4" || PortBase("eth0") != "eth0" {
		t.Error("PortBase")
	}
	if !IsBreakoutLane("E1/4/1") || IsBreakoutLane("E1/4") {
		t.Error("IsBreakoutLane")
	}
	sp, err := ParseSwitchPort("E1/55/3")
	if err != nil || sp != (SwitchPort{"E", 1, 55, 3}) {
		t.Errorf("%+v %v", sp, err)
	}
	if sp, err := ParseSwitchPort("M1"); err != nil || sp.String() != "M1" {
		t.Errorf("M1: %+v %v", sp, err)
	}
	for _, bad := range []string{"E", "1/1", "E0/1", "E1/01", "E1/", "E1/2/3/4", "E1/x", "E-1", "E1/+1"} {
		if _, err := ParseSwitchPort(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestMACAndCommunity(t *testing.T) {
	for in, want := range map[string]string{"AA:BB:CC:DD:EE:FF": "aa:bb:cc:dd:ee:ff", "aa-bb-cc-dd-ee-0f": "aa:bb:cc:dd:ee:0f", "0011.2233.4455": "00:11:22:33:44:55"} {
		if g, err := NormalizeMAC(in); err != nil || g != want {
			t.Errorf("%q: %q %v", in, g, err)
		}
	}
	if _, err := NormalizeMAC("aa:bb"); err == nil {
		t.Error("short MAC accepted")
	}
	if hi, lo, err := ParseCommunity("65535:0"); err != nil || hi != 65535 || lo != 0 {
		t.Errorf("%d %d %v", hi, lo, err)
	}
	for _, bad := range []string{"65536:1", "01:1", "1:01", "1", ":1", "1:", "-1:1", "1:1:1", "a:b", " 1:1"} {
		if _, _, err := ParseCommunity(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseCanonicalPrefix(f *testing.F) {
	for _, s := range []string{"10.0.0.0/24", "10.0.0.1/24", "::/0", "fd00::1/128", "1.2.3.4/33"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseCanonicalPrefix(s)
		if err != nil {
			return
		}
		q, err := ParseCanonicalPrefix(p.String())
		if err != nil || q != p || p.Masked() != p {
			t.Fatalf("%q: not stable: %v %v", s, q, err)
		}
		if !p.Contains(FirstHost(p)) || !p.Contains(Broadcast(p)) || !p.Contains(LastHost(p)) {
			t.Fatalf("%q: hosts outside prefix", s)
		}
		if FirstHost(p).Compare(LastHost(p)) > 0 || LastHost(p).Compare(Broadcast(p)) > 0 {
			t.Fatalf("%q: host order", s)
		}
		if !PrefixContains(p, p) || !PrefixOverlaps(p, p) {
			t.Fatalf("%q: self containment", s)
		}
	})
}

func FuzzVLAN(f *testing.F) {
	f.Add("100-200", uint16(150), uint16(250))
	f.Add("1", uint16(0), uint16(1))
	f.Fuzz(func(t *testing.T, s string, a, b uint16) {
		r, err := ParseVLANRange(s)
		if err == nil {
			if !r.Valid() {
				t.Fatalf("%q: invalid range %v accepted", s, r)
			}
			if r2, err := ParseVLANRange(r.String()); err != nil || r2 != r {
				t.Fatalf("%q: round trip %v %v", s, r2, err)
			}
		}
		var set VLANSet
		set.Insert(VLANRange{1000, 1999}, "x")
		o := VLANRange{a, b}
		owner, _, ok := set.Insert(o, "y")
		overl := a <= b && o.Overlaps(VLANRange{1000, 1999})
		if a <= b && ok == overl {
			t.Fatalf("%v: ok=%v overlap=%v owner=%q", o, ok, overl, owner)
		}
		if ok {
			if got, _, found := set.Lookup(a); !found || got != "y" {
				t.Fatalf("lookup %d after insert: %q", a, got)
			}
		}
	})
}

func FuzzPorts(f *testing.F) {
	for _, s := range []string{"leaf-1/E1/4/1", "srv/eth0", "E1/4", "/", "a/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, p, err := ParsePort(s); err == nil {
			if d == "" || p == "" || d+"/"+p != s || strings.Contains(d, "/") {
				t.Fatalf("%q -> %q %q", s, d, p)
			}
		}
		if sp, err := ParseSwitchPort(s); err == nil {
			if sp.String() != s {
				t.Fatalf("%q: round trip %q", s, sp.String())
			}
			if (sp.Lane > 0) != IsBreakoutLane(s) {
				t.Fatalf("%q: lane mismatch", s)
			}
		}
		b := PortBase(s)
		if !strings.HasPrefix(s, b) || PortBase(b) != b && IsBreakoutLane(b) {
			t.Fatalf("%q: base %q", s, b)
		}
	})
}

func FuzzNormalizeMAC(f *testing.F) {
	for _, s := range []string{"AA:BB:CC:DD:EE:FF", "aabb.ccdd.eeff", "00-11-22-33-44-55", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := NormalizeMAC(s)
		if err != nil {
			return
		}
		m2, err := NormalizeMAC(m)
		if err != nil || m2 != m || strings.ToLower(m) != m {
			t.Fatalf("%q -> %q -> %q %v", s, m, m2, err)
		}
	})
}

func FuzzParseCommunity(f *testing.F) {
	for _, s := range []string{"65535:65535", "0:0", "01:1", "1:", "70000:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		hi, lo, err := ParseCommunity(s)
		if err != nil {
			return
		}
		if got := itoa(hi) + ":" + itoa(lo); got != s {
			t.Fatalf("%q: round trip %q", s, got)
		}
	})
}

func itoa(v uint16) string {
	if v == 0 {
		return "0"
	}
	var b [5]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[i:])
}
