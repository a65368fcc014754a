package knowledge

import (
	"container/list"
	"sync"
)

// AnswerCacheBytes is the memory the answers of recent questions may take
// (about; the texts of their results): a question asked again — the same
// once normalized, by an asker of the same district where that decides —
// is answered from memory until the index or the synonyms change. 0 turns
// the cache off. Read by Open.
var AnswerCacheBytes = 16 << 20

// answerCache keeps the answers of recent questions, least recently used
// out first. A search is a function of the normalized question, the
// results wanted, the index and the synonyms — and of the asker's
// district only where a candidate is a district's rule and the question
// names no district: then the askers of those districts each get their
// own answer and everyone else one more. Every change of the index or the
// synonyms empties the cache (reset), and an answer computed before a
// change is not kept after it (the epoch).
type answerCache struct {
	mu    sync.Mutex
	max   int // bytes
	size  int
	epoch uint64
	lru   *list.List // of *cachedQuestion, most recent first
	byKey map[string]*list.Element
}

// cachedQuestion holds the answers of one question.
type cachedQuestion struct {
	key string
	// districts whose askers get answers of their own; nil when the
	// asker's district changes nothing.
	districts map[string]bool
	answers   map[string]Answer // by the asker's district, or "" for everyone else
	size      int
}

func newAnswerCache(maxBytes int) *answerCache {
	return &answerCache{max: maxBytes, lru: list.New(), byKey: map[string]*list.Element{}}
}

// current returns the epoch an answer computed now belongs to.
func (c *answerCache) current() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

// reset forgets every answer: the index or the synonyms changed.
func (c *answerCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.lru.Init()
	clear(c.byKey)
	c.size = 0
}

// get returns the answer kept for key and an asker of district.
func (c *answerCache) get(key, district string) (Answer, bool) {
	if c.max <= 0 {
		return Answer{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return Answer{}, false
	}
	q := el.Value.(*cachedQuestion)
	if !q.districts[district] {
		district = ""
	}
	ans, ok := q.answers[district]
	if !ok {
		return Answer{}, false
	}
	c.lru.MoveToFront(el)
	ans.Results = append([]Result(nil), ans.Results...)
	return ans, true
}

// put keeps ans, computed in epoch for key and an asker of district;
// districts are those whose askers get answers of their own.
func (c *answerCache) put(epoch uint64, key string, districts map[string]bool, district string, ans Answer) {
	if c.max <= 0 {
		return
	}
	if !districts[district] {
		district = ""
	}
	ans.Query = ""
	ans.Results = append([]Result(nil), ans.Results...)
	size := answerSize(ans)
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch || size > c.max/16 {
		return
	}
	var q *cachedQuestion
	if el, ok := c.byKey[key]; ok {
		q = el.Value.(*cachedQuestion)
		c.lru.MoveToFront(el)
	} else {
		q = &cachedQuestion{key: key, districts: districts, answers: map[string]Answer{}, size: len(key) + 64}
		c.byKey[key] = c.lru.PushFront(q)
		c.size += q.size
	}
	if old, ok := q.answers[district]; ok {
		q.size -= answerSize(old)
		c.size -= answerSize(old)
	}
	q.answers[district] = ans
	q.size += size
	c.size += size
	for c.size > c.max && c.lru.Len() > 1 {
		last := c.lru.Back()
		lq := last.Value.(*cachedQuestion)
		c.lru.Remove(last)
		delete(c.byKey, lq.key)
		c.size -= lq.size
	}
}

// answerSize is about the memory an answer holds.
func answerSize(a Answer) int {
	n := 64
	for _, r := range a.Results {
		n += 256 + len(r.DocID) + len(r.Title) + len(r.Source) + len(r.Date) + len(r.District) + len(r.Section) +
			len(r.Text) + len(r.Snippet) + len(r.FAQID) + len(r.Answer) + len(r.question)
	}
	return n
}
