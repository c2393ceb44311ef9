package backend

import (
	"testing"
	"time"
)

func TestPaced(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{{0, time.Minute}, {CachePace, time.Minute}, {2 * CachePace, 2 * time.Minute}, {8 * CachePace, 8 * time.Minute}} {
		if got := Paced(time.Minute, tc.n); got != tc.want {
			t.Errorf("Paced(1m, %d) = %s, want %s", tc.n, got, tc.want)
		}
	}
}
