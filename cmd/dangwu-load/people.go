package main

// The simulated people of the load and soak modes. Each acts like a
// person on a phone: it does one thing at a time (asks a question, takes
// a practice quiz by pressing its buttons, signs up for an event or
// withdraws, looks at /me, presses 收到 under a notice) and each step
// waits for the bot's reply before the next. A driver hands steps to idle
// people at a steady rate (open loop), so a slow bot shows as latency.
//
// The reply to a message is the bot's first message (or poll) in the chat
// after it was queued; the reply to a pressed button is the bot's answer
// to the callback query, which it sends once the handler is done. Latency
// is from queueing the update in internal/botapi to the reply logged
// there, both by the same clock.

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dangwu/dangwu/internal/botapi"
)

// Step kinds, as reported.
const (
	kindQuestion   = "question"
	kindMe         = "/me"
	kindQuiz       = "/quiz"
	kindQuizMenu   = "quiz menu"   // a topic, a length, 继续
	kindQuizAnswer = "quiz answer" // an option, a toggle, 提交
	kindQuizNext   = "quiz next"
	kindEvents     = "/events"
	kindEventCard  = "event card"
	kindSignUp     = "sign-up"
	kindAck        = "收到"
)

var stepKinds = []string{kindQuestion, kindMe, kindQuiz, kindQuizMenu, kindQuizAnswer, kindQuizNext, kindEvents, kindEventCard, kindSignUp, kindAck}

// Activities, and the updates each takes (for -mix, which is by update).
const (
	actAsk    = "ask"
	actQuiz   = "quiz"
	actSignUp = "signup"
	actMe     = "me"
)

var activityUpdates = map[string]float64{actAsk: 1, actMe: 1, actSignUp: 3, actQuiz: 12}

// mix is the share of updates of each activity.
type mix map[string]float64

func parseMix(s string) (mix, error) {
	m := mix{}
	for _, part := range strings.Split(s, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		var v float64
		if _, err := fmt.Sscan(value, &v); !ok || err != nil || v < 0 {
			return nil, fmt.Errorf("-mix %q: want activity=share,... (ask, quiz, signup, me)", s)
		}
		if _, known := activityUpdates[name]; !known {
			return nil, fmt.Errorf("-mix: unknown activity %q (ask, quiz, signup, me)", name)
		}
		m[name] = v
	}
	return m, nil
}

// pick chooses an activity so that, in the long run, updates follow m.
func (m mix) pick(rng *rand.Rand) string {
	var total float64
	names := []string{actAsk, actQuiz, actSignUp, actMe}
	for _, n := range names {
		total += m[n] / activityUpdates[n]
	}
	x := rng.Float64() * total
	for _, n := range names {
		x -= m[n] / activityUpdates[n]
		if x < 0 {
			return n
		}
	}
	return actAsk
}

// askQuestions reads the spoken questions of knowledge/testdata/eval*.yaml
// (the labelled and the unanswerable ones), from the module root above the
// working directory.
func askQuestions() ([]string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, fmt.Errorf("no go.mod above the working directory: run the tool from the repository")
		}
		dir = parent
	}
	files, _ := filepath.Glob(filepath.Join(dir, "knowledge", "testdata", "eval*.yaml"))
	var qs []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		// A labelled question is {q, doc, section}; an unanswerable one a string.
		var entries []yaml.Node
		if err := yaml.Unmarshal(data, &entries); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, e := range entries {
			var q struct {
				Q string `yaml:"q"`
			}
			switch {
			case e.Kind == yaml.ScalarNode && e.Value != "":
				qs = append(qs, e.Value)
			case e.Kind == yaml.MappingNode && e.Decode(&q) == nil && q.Q != "":
				qs = append(qs, q.Q)
			}
		}
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("no questions in %s", filepath.Join(dir, "knowledge", "testdata", "eval*.yaml"))
	}
	return qs, nil
}

// step is one update a person sends: a text, or a press of a button.
type step struct {
	kind  string
	text  string
	msgID int    // the message whose button is pressed
	data  string // its callback data
}

// result is what became of one step.
type result struct {
	person  int64
	kind    string
	queued  time.Time
	latency time.Duration
	replied bool
	// errorText: the reply was the bot's apology for an internal error;
	// flooded: its flood-control notice.
	errorText, flooded bool
}

// person is one simulated person and what they see of the chat.
type person struct {
	id     int64
	user   botapi.User
	chat   botapi.Chat
	rng    *rand.Rand
	events chan botapi.Event
	kick   chan struct{}

	msgs     map[int]botapi.Message // the bot's messages, as last sent or edited
	activity string
	cur      int // the message the activity goes on from; 0 at its start
	steps    int // in the activity
	lastText string
	acked    map[int]bool // notices whose 收到 was pressed
	stepped  []time.Time  // when each step was queued (duplicate checks)
	readyAt  time.Time    // in the middle of an activity: when the next step is due
	answered bool         // the quiz of this activity has had an answer
}

// thinkTime is the mean time a person takes between the steps of a quiz or
// a sign-up (half of it to one and a half).
const thinkTime = 3 * time.Second

// maxSteps ends an activity that goes on longer than any should.
const maxSteps = 40

// apology is the start of the bot's reply to an internal error, and
// floodNotice of its flood-control notice (error.internal and flood.notice
// in bot/catalog.go).
const (
	apology     = "抱歉，处理您的消息时出了问题"
	floodNotice = "您发得太快了"
)

// next chooses the person's next step from what the chat shows.
func (p *person) next(d *driver) step {
	for {
		if p.activity == "" {
			p.activity, p.cur, p.steps, p.answered = d.mix.pick(p.rng), 0, 0, false
			if id := p.unacked(d); id != 0 && p.rng.IntN(2) == 0 {
				p.acked[id] = true
				return step{kind: kindAck, msgID: id, data: ackData(p.msgs[id])}
			}
		}
		s, ok := p.stepOf(d)
		if ok {
			p.steps++
			return s
		}
		p.activity = "" // done: start another
	}
}

func (p *person) stepOf(d *driver) (step, bool) {
	if p.steps >= maxSteps {
		return step{}, false
	}
	m, seen := p.msgs[p.cur]
	switch p.activity {
	case actAsk:
		if p.steps > 0 {
			return step{}, false
		}
		q := d.asks[p.rng.IntN(len(d.asks))]
		for q == p.lastText && len(d.asks) > 1 {
			q = d.asks[p.rng.IntN(len(d.asks))]
		}
		return step{kind: kindQuestion, text: q}, true
	case actMe:
		if p.steps > 0 {
			return step{}, false
		}
		return step{kind: kindMe, text: "/me"}, true
	case actQuiz:
		if p.steps == 0 {
			return step{kind: kindQuiz, text: "/quiz"}, true
		}
		if !seen {
			return step{}, false
		}
		if b := buttons(m, "qz:n:"); len(b) > 0 {
			return step{kind: kindQuizNext, msgID: m.MessageID, data: b[0]}, true
		}
		if b := buttons(m, "qz:a:"); len(b) > 0 {
			p.answered = true
			return step{kind: kindQuizAnswer, msgID: m.MessageID, data: b[p.rng.IntN(len(b))]}, true
		}
		if b := buttons(m, "qz:x:"); len(b) > 0 {
			p.answered = true
			if !strings.Contains(buttonTexts(m), "☑") {
				return step{kind: kindQuizAnswer, msgID: m.MessageID, data: b[p.rng.IntN(len(b))]}, true
			}
			if s := buttons(m, "qz:s:"); len(s) > 0 {
				return step{kind: kindQuizAnswer, msgID: m.MessageID, data: s[0]}, true
			}
		}
		if p.answered {
			// The quiz is over: its result's buttons (another round) are
			// a new activity's business.
			return step{}, false
		}
		if b := buttons(m, "qz:len:"); len(b) > 0 {
			for _, data := range b {
				if strings.HasSuffix(data, ":5") {
					return step{kind: kindQuizMenu, msgID: m.MessageID, data: data}, true
				}
			}
			return step{kind: kindQuizMenu, msgID: m.MessageID, data: b[0]}, true
		}
		if b := buttons(m, "qz:tp:"); len(b) > 0 {
			return step{kind: kindQuizMenu, msgID: m.MessageID, data: b[p.rng.IntN(len(b))]}, true
		}
		if b := buttons(m, "qz:c"); len(b) > 0 {
			return step{kind: kindQuizMenu, msgID: m.MessageID, data: b[0]}, true
		}
		return step{}, false
	case actSignUp:
		if p.steps == 0 {
			return step{kind: kindEvents, text: "/events"}, true
		}
		if !seen {
			return step{}, false
		}
		if b := append(buttons(m, "ev:in:"), buttons(m, "ev:out:")...); len(b) > 0 && p.steps == 2 {
			return step{kind: kindSignUp, msgID: m.MessageID, data: b[0]}, true
		}
		if p.steps == 1 {
			if b := buttons(m, "ev:v:"); len(b) > 0 {
				return step{kind: kindEventCard, msgID: m.MessageID, data: b[p.rng.IntN(len(b))]}, true
			}
		}
		return step{}, false
	}
	return step{}, false
}

// unacked returns a notice with a 收到 button not yet pressed, or 0.
func (p *person) unacked(d *driver) int {
	for id, m := range p.msgs {
		if !p.acked[id] && d.marker != "" && strings.Contains(m.Text, d.marker) && ackData(m) != "" {
			return id
		}
	}
	return 0
}

// ackData is the callback data of a notice's 收到 button, or "".
func ackData(m botapi.Message) string {
	if m.ReplyMarkup == nil {
		return ""
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if strings.Contains(b.Text, "收到") && b.CallbackData != "" {
				return b.CallbackData
			}
		}
	}
	return ""
}

// buttons returns the callback data of m's buttons that start with prefix.
func buttons(m botapi.Message, prefix string) []string {
	if m.ReplyMarkup == nil {
		return nil
	}
	var out []string
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, prefix) {
				out = append(out, b.CallbackData)
			}
		}
	}
	return out
}

func buttonTexts(m botapi.Message) string {
	if m.ReplyMarkup == nil {
		return ""
	}
	var sb strings.Builder
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			sb.WriteString(b.Text)
		}
	}
	return sb.String()
}

// see applies an event to what the person sees.
func (p *person) see(e botapi.Event) {
	if (e.Kind == botapi.EventSend || e.Kind == botapi.EventEdit || e.Kind == botapi.EventPoll) && e.Message != nil {
		p.msgs[e.Message.MessageID] = *e.Message
	}
}

// catchUp applies the events that arrived while the person was idle.
func (p *person) catchUp() {
	for {
		select {
		case e := <-p.events:
			p.see(e)
		default:
			return
		}
	}
}

// do sends one step and waits for its reply, at most timeout.
func (p *person) do(d *driver, s step, timeout time.Duration) result {
	r := result{person: p.id, kind: s.kind}
	p.stepped = append(p.stepped, time.Now())
	var queryID string
	r.queued = time.Now()
	if s.text != "" {
		d.srv.SendText(p.user, p.chat, s.text)
		p.lastText = s.text
	} else {
		queryID = d.srv.Press(p.user, p.chat, s.msgID, s.data)
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	newest := 0 // the newest message the bot sent since the step
	for {
		select {
		case e := <-p.events:
			p.see(e)
			fresh := !e.Time.Before(r.queued)
			notice := e.Message != nil && d.marker != "" && strings.Contains(e.Message.Text, d.marker)
			if fresh && !notice && (e.Kind == botapi.EventSend || e.Kind == botapi.EventPoll) && e.Message != nil {
				newest = e.Message.MessageID
			}
			var done bool
			switch {
			case queryID != "":
				done = e.Kind == botapi.EventAnswerCallback && e.QueryID == queryID
			default:
				done = fresh && !notice && (e.Kind == botapi.EventSend || e.Kind == botapi.EventPoll)
				if done {
					r.errorText = strings.HasPrefix(e.Message.Text, apology)
					r.flooded = strings.HasPrefix(e.Message.Text, floodNotice)
				}
			}
			if done {
				r.replied, r.latency = true, e.Time.Sub(r.queued)
				switch {
				case newest != 0:
					p.cur = newest
				case queryID != "":
					p.cur = s.msgID
				}
				return r
			}
		case <-timer.C:
			p.activity = "" // give it up
			return r
		case <-d.stop:
			p.activity = ""
			return r
		}
	}
}

// driver hands steps to idle people at a steady rate and collects results.
type driver struct {
	srv    *botapi.Server
	mix    mix
	asks   []string
	marker string // the text of a broadcast's copies: not replies
	people map[int64]*person
	idle   chan *person // people between activities
	// going are people in the middle of an activity, a heap ordered by
	// when they are ready for their next step (guarded by mu).
	going readyHeap
	stop  chan struct{}
	// closeOnce guards the closing of stop.
	closeOnce sync.Once

	mu      sync.Mutex
	results []result
	busy    int // steps handed out and not finished
	noIdle  int // ticks with nobody idle
	wg      sync.WaitGroup
}

func newDriver(srv *botapi.Server, ids []int64, m mix, asks []string, seed uint64) *driver {
	d := &driver{srv: srv, mix: m, asks: asks, people: map[int64]*person{}, idle: make(chan *person, len(ids)), stop: make(chan struct{})}
	for i, id := range ids {
		u := botapi.DefaultUser(id)
		p := &person{
			id: id, user: u, chat: botapi.PrivateChat(u), rng: rand.New(rand.NewPCG(seed, uint64(i))),
			events: make(chan botapi.Event, 1024), kick: make(chan struct{}, 1), msgs: map[int]botapi.Message{}, acked: map[int]bool{},
		}
		d.people[id] = p
		d.idle <- p
	}
	return d
}

// run starts the people and the dispatch of events to them; it returns
// when Close is called.
func (d *driver) start(timeout time.Duration) {
	events, unsubscribe := d.srv.Subscribe(1 << 16)
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer unsubscribe()
		for {
			select {
			case e, ok := <-events:
				if !ok {
					return
				}
				if p := d.people[e.ChatID]; p != nil {
					select {
					case p.events <- e:
					case <-d.stop:
						return
					}
				}
			case <-d.stop:
				return
			}
		}
	}()
	for _, p := range d.people {
		d.wg.Add(1)
		go func(p *person) {
			defer d.wg.Done()
			for {
				select {
				case <-p.kick:
				case <-d.stop:
					return
				}
				p.catchUp()
				r := p.do(d, p.next(d), timeout)
				d.mu.Lock()
				d.results = append(d.results, r)
				d.busy--
				if r.replied && (p.activity == actQuiz || p.activity == actSignUp) {
					// Mid-quiz or mid-sign-up: the next press comes after a
					// few seconds of reading, before anyone starts afresh.
					p.readyAt = time.Now().Add(thinkTime/2 + time.Duration(p.rng.Int64N(int64(thinkTime))))
					heap.Push(&d.going, p)
					d.mu.Unlock()
					continue
				}
				d.mu.Unlock()
				select {
				case d.idle <- p:
				case <-d.stop:
					return
				}
			}
		}(p)
	}
}

// drive hands out steps at rate a second until until; a tick that finds
// nobody idle is counted and skipped.
func (d *driver) drive(rate float64, until time.Time) {
	interval := time.Duration(float64(time.Second) / rate)
	next := time.Now()
	for {
		now := time.Now()
		if !now.Before(until) {
			return
		}
		if wait := next.Sub(now); wait > 0 {
			time.Sleep(min(wait, until.Sub(now)))
			continue
		}
		next = next.Add(interval)
		d.mu.Lock()
		if len(d.going) > 0 && !d.going[0].readyAt.After(now) {
			p := heap.Pop(&d.going).(*person)
			d.busy++
			d.mu.Unlock()
			p.kick <- struct{}{}
			continue
		}
		d.mu.Unlock()
		select {
		case p := <-d.idle:
			d.mu.Lock()
			d.busy++
			d.mu.Unlock()
			p.kick <- struct{}{}
		default:
			d.mu.Lock()
			d.noIdle++
			d.mu.Unlock()
		}
	}
}

// readyHeap is a min-heap of people by readyAt (container/heap).
type readyHeap []*person

func (h readyHeap) Len() int           { return len(h) }
func (h readyHeap) Less(i, j int) bool { return h[i].readyAt.Before(h[j].readyAt) }
func (h readyHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *readyHeap) Push(x any)        { *h = append(*h, x.(*person)) }
func (h *readyHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return p
}

// drain waits up to wait for the steps handed out to finish.
func (d *driver) drain(wait time.Duration) int {
	deadline := time.Now().Add(wait)
	for {
		d.mu.Lock()
		busy := d.busy
		// Those in the middle of an activity stay there for the next drive.
		d.mu.Unlock()
		if busy == 0 || time.Now().After(deadline) {
			return busy
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (d *driver) close() {
	d.closeOnce.Do(func() { close(d.stop) })
	d.wg.Wait()
}

// take returns the results collected so far and starts afresh.
func (d *driver) take() []result {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := d.results
	d.results, d.noIdle = nil, 0
	return out
}

// latencyStats are quantiles of replied steps.
type latencyStats struct {
	n, unanswered, errors, flooded int
	p50, p90, p99, max             time.Duration
}

func statsOf(rs []result, kind string) latencyStats {
	var st latencyStats
	var lat []time.Duration
	for _, r := range rs {
		if kind != "" && r.kind != kind {
			continue
		}
		st.n++
		if !r.replied {
			st.unanswered++
			continue
		}
		if r.errorText {
			st.errors++
		}
		if r.flooded {
			st.flooded++
		}
		lat = append(lat, r.latency)
	}
	if len(lat) == 0 {
		return st
	}
	slices.Sort(lat)
	q := func(f float64) time.Duration { return lat[int(f*float64(len(lat)-1))] }
	st.p50, st.p90, st.p99, st.max = q(.5), q(.9), q(.99), lat[len(lat)-1]
	return st
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
