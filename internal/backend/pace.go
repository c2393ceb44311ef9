package backend

import "time"

// CachePace is the size beyond which a cache that is read again whole every so often is read proportionally
// less often (Paced): the run caches of the engine (one list per kind and backend) and of the NetBox backend.
const CachePace = 250

// Paced returns how long a cached whole read of n items is trusted: every, and for more than CachePace items
// proportionally longer. A whole read costs what it returns, so reading it again at a fixed rate made a long
// run's cost grow with the square of its size; paced, a run reads about CachePace items per cache every
// every, whatever its size (DECISIONS 44). Caches paced this way are kept current by our own writes, and no
// write is judged against them alone.
func Paced(every time.Duration, n int) time.Duration {
	if n > CachePace {
		return every * time.Duration(n) / CachePace
	}
	return every
}
