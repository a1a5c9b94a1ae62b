package storyindex

import (
	"sync"

	"github.com/retold/retold/verify"
)

// profileCache keeps the profiles of recently used stored documents:
// profiling costs about a millisecond, and a story's original is the
// partner of many later versions. Eviction is first in, first out.
type profileCache struct {
	mu    sync.Mutex
	max   int
	m     map[int64]*verify.Profile
	order []int64
}

func newProfileCache(max int) *profileCache {
	return &profileCache{max: max, m: make(map[int64]*verify.Profile, max)}
}

func (c *profileCache) get(seq int64) *verify.Profile {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[seq]
}

func (c *profileCache) put(seq int64, p *verify.Profile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[seq]; ok {
		return
	}
	for len(c.order) >= c.max {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	c.m[seq] = p
	c.order = append(c.order, seq)
}
