package main

// The data set of the load and soak modes: a content folder and a data
// folder, generated from a seed, the same every time for the same
// parameters (but for the events' dates, which follow the day it is made).
//
// The content folder is the embedded content with generated knowledge
// documents (internal/corpus: the real sentences, headings and titles
// recombined) up to -passages passages, question banks of questions built
// from those passages up to -bank questions, and events to sign up for. The
// binary loads it as it loads any content folder (--content), building its
// index. Then -people people are written into its database through SQL, as
// the store keeps them: registered and approved, with finished practice
// sessions, their answers and notebook cards, daily sets, questions they
// asked, and sign-ups. Each run works on a copy of the data folder.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/internal/botapi"
	"github.com/dangwu/dangwu/internal/corpus"
	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/store"
)

// datasetParams say what to generate.
type datasetParams struct {
	Seed      uint64 `json:"seed"`
	Passages  int    `json:"passages"`
	Questions int    `json:"questions"`
	People    int    `json:"people"`
	Events    int    `json:"events"`
}

// datasetInfo is what was generated, kept in dataset.json beside it. The
// file is written last: a folder without it is incomplete.
type datasetInfo struct {
	Params datasetParams `json:"params"`
	Made   time.Time     `json:"made"`
	// Counted in the database once the binary had loaded the content.
	Passages  int `json:"passages"`
	FAQ       int `json:"faq"`
	Questions int `json:"questions"`
	Events    int `json:"events"`
	// Written into the database for the people.
	People     int     `json:"people"`
	Sessions   int     `json:"sessions"`
	Answers    int     `json:"answers"`
	Cards      int     `json:"cards"`
	Signups    int     `json:"signups"`
	Asked      int     `json:"asked"`
	FirstID    int64   `json:"first_id"`
	GenSeconds float64 `json:"gen_seconds"`
}

// firstPerson is the Telegram user id of the first generated person.
const firstPerson = 1_000_001

const datasetFile = "dataset.json"

// openDataset returns the data set in dir, generating it first when dir
// holds none for these parameters.
func openDataset(ctx context.Context, bin, dir string, p datasetParams) (datasetInfo, error) {
	var info datasetInfo
	if data, err := os.ReadFile(filepath.Join(dir, datasetFile)); err == nil {
		if json.Unmarshal(data, &info) == nil && info.Params == p {
			return info, nil
		}
	}
	fmt.Fprintf(os.Stderr, "generating the data set in %s (seed %d, %d passages, %d questions, %d people)\n",
		dir, p.Seed, p.Passages, p.Questions, p.People)
	started := time.Now()
	if err := os.RemoveAll(dir); err != nil {
		return info, err
	}
	info = datasetInfo{Params: p, Made: time.Now().UTC().Truncate(time.Second), FirstID: firstPerson}
	rng := rand.New(rand.NewPCG(p.Seed, p.Seed^0x5eed))
	contentDir, dataDir := filepath.Join(dir, "content"), filepath.Join(dir, "data")
	if err := writeContent(contentDir, p, rng, info.Made); err != nil {
		return info, fmt.Errorf("write the content: %w", err)
	}
	if err := loadOnce(ctx, bin, contentDir, dataDir); err != nil {
		return info, fmt.Errorf("load the content with the binary: %w", err)
	}
	db, err := store.Open(ctx, filepath.Join(dataDir, "dangwu.db"))
	if err != nil {
		return info, err
	}
	defer db.Close()
	for _, c := range []struct {
		n     *int
		query string
	}{
		{&info.Passages, `SELECT COUNT(*) FROM kb_passages`},
		{&info.FAQ, `SELECT COUNT(*) FROM kb_faqs`},
		{&info.Questions, `SELECT COUNT(*) FROM quiz_questions WHERE retired = 0`},
		{&info.Events, `SELECT COUNT(*) FROM events WHERE state = 'open'`},
	} {
		if err := db.SQL().QueryRowContext(ctx, c.query).Scan(c.n); err != nil {
			return info, err
		}
	}
	if err := seedPeople(ctx, db.SQL(), p, rng, &info); err != nil {
		return info, fmt.Errorf("write the people: %w", err)
	}
	if err := db.Close(); err != nil {
		return info, err
	}
	info.GenSeconds = time.Since(started).Seconds()
	data, _ := json.MarshalIndent(info, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, datasetFile), data, 0o644); err != nil {
		return info, err
	}
	fmt.Fprintf(os.Stderr, "data set ready in %.0f s: %d passages, %d FAQ entries, %d questions, %d events, %d people with %d answers and %d sign-ups\n",
		info.GenSeconds, info.Passages, info.FAQ, info.Questions, info.Events, info.People, info.Answers, info.Signups)
	return info, nil
}

// writeContent writes the embedded content with the generated documents,
// banks and events added.
func writeContent(dir string, p datasetParams, rng *rand.Rand, made time.Time) error {
	emb := content.Embedded()
	if err := fs.WalkDir(emb, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(emb, name)
		if err != nil {
			return err
		}
		return writeFile(filepath.Join(dir, filepath.FromSlash(name)), data)
	}); err != nil {
		return err
	}
	// The embedded documents' passages count towards -passages.
	have := 0
	files, _ := fs.Glob(emb, "knowledge/*.md")
	for _, f := range files {
		data, _ := fs.ReadFile(emb, f)
		d, _ := knowledge.ParseMarkdown(f, strings.TrimSuffix(path.Base(f), ".md"), data)
		have += len(d.Passages)
	}
	need := max(p.Passages-have, 0)
	docs, err := corpus.Generate(emb, (need+9)/10, 10, p.Seed)
	if err != nil {
		return err
	}
	if len(docs) > 0 && need%10 != 0 {
		last := &docs[len(docs)-1]
		last.Passages = last.Passages[:need%10]
	}
	for _, d := range docs {
		if err := writeFile(filepath.Join(dir, "knowledge", d.ID+".md"), corpus.Markdown(d)); err != nil {
			return err
		}
	}
	if err := writeBanks(dir, docs, p, rng); err != nil {
		return err
	}
	return writeEvents(dir, docs, p, rng, made)
}

func writeFile(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, data, 0o644)
}

// bankQuestion is one question of a YAML bank, as content/quiz writes it.
type bankQuestion struct {
	ID          string   `yaml:"id"`
	Type        string   `yaml:"type"`
	Topic       string   `yaml:"topic"`
	Difficulty  int      `yaml:"difficulty"`
	Question    string   `yaml:"question"`
	Options     []string `yaml:"options,omitempty"`
	Answer      string   `yaml:"answer"`
	Explanation string   `yaml:"explanation"`
	Doc         string   `yaml:"doc"`
	Section     string   `yaml:"section"`
}

// bankFileSize is how many generated questions go in one bank file (the
// limit is 5,000 a file and 4 MB).
const bankFileSize = 2000

// writeBanks writes banks of generated questions, made from sentences of
// the generated passages, up to p.Questions with the embedded ones: true
// or false statements (a sentence, or one with 应当 turned into 不必) and
// single choices of which sentence a section holds.
func writeBanks(dir string, docs []knowledge.Document, p datasetParams, rng *rand.Rand) error {
	emb := content.Embedded()
	have := 0
	var topics []string
	seenTopic := map[string]bool{}
	banks, _ := fs.Glob(emb, "quiz/*.yaml")
	for _, b := range banks {
		if path.Base(b) == "exams.yaml" {
			continue
		}
		data, _ := fs.ReadFile(emb, b)
		var qs []bankQuestion
		if err := yaml.Unmarshal(data, &qs); err != nil {
			return fmt.Errorf("%s: %w", b, err)
		}
		have += len(qs)
		for _, q := range qs {
			if !seenTopic[q.Topic] {
				seenTopic[q.Topic] = true
				topics = append(topics, q.Topic)
			}
		}
	}
	need := max(p.Questions-have, 0)
	if need > 0 && len(docs) == 0 {
		return errors.New("no generated documents to make questions of")
	}
	type sentence struct{ doc, section, text string }
	var pool []sentence
	for _, d := range docs {
		for _, ps := range d.Passages {
			for _, s := range strings.SplitAfter(ps.Text, "。") {
				if n := utf8.RuneCountInString(s); n >= 12 && n <= 90 {
					pool = append(pool, sentence{d.ID, ps.Section, s})
				}
			}
		}
	}
	if need > 0 && len(pool) < 4 {
		return errors.New("too few sentences to make questions of")
	}
	var out []bankQuestion
	for i := range need {
		s := pool[rng.IntN(len(pool))]
		q := bankQuestion{
			ID: fmt.Sprintf("gen-%05d", i), Topic: topics[rng.IntN(len(topics))], Difficulty: 1 + rng.IntN(3),
			Doc: s.doc, Section: s.section,
		}
		switch {
		case i%2 == 0:
			q.Type, q.Question, q.Answer, q.Explanation = "judge", "判断：“"+s.text+"”", "正确", "原文：“"+s.text+"”"
			if strings.Contains(s.text, "应当") && rng.IntN(2) == 0 {
				q.Question, q.Answer = "判断：“"+strings.Replace(s.text, "应当", "不必", 1)+"”", "错误"
			}
		default:
			q.Type, q.Question = "single", "下列哪一句出自“"+s.section+"”部分？"
			q.Options = []string{s.text}
			for len(q.Options) < 4 {
				o := pool[rng.IntN(len(pool))]
				if o.section != s.section && !contains(q.Options, o.text) {
					q.Options = append(q.Options, o.text)
				}
			}
			right := rng.IntN(4)
			q.Options[0], q.Options[right] = q.Options[right], q.Options[0]
			q.Answer = string(rune('A' + right))
			q.Explanation = "这一句出自“" + s.section + "”。"
		}
		out = append(out, q)
	}
	for start := 0; start < len(out); start += bankFileSize {
		data, err := yaml.Marshal(out[start:min(start+bankFileSize, len(out))])
		if err != nil {
			return err
		}
		name := filepath.Join(dir, "quiz", fmt.Sprintf("gen-%02d.yaml", start/bankFileSize+1))
		if err := writeFile(name, append([]byte("# 生成的压测题库\n"), data...)); err != nil {
			return err
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// contentEvent is one entry of events.yaml.
type contentEvent struct {
	ID          string `yaml:"id"`
	Kind        string `yaml:"kind"`
	Title       string `yaml:"title"`
	Description string `yaml:"description"`
	Start       string `yaml:"start"`
	End         string `yaml:"end"`
	Place       string `yaml:"place"`
	District    string `yaml:"district,omitempty"`
	Capacity    int    `yaml:"capacity"`
	Hours       int    `yaml:"hours"`
}

// writeEvents writes p.Events upcoming events, 20 to 140 days after made,
// open to everyone and without a limit of places (a full event would queue
// wait-list notices, which a person would take for a reply).
func writeEvents(dir string, docs []knowledge.Document, p datasetParams, rng *rand.Rand, made time.Time) error {
	districts, err := member.LoadDistricts(content.Embedded())
	if err != nil {
		return err
	}
	names := districts.Names()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return err
	}
	kinds := []struct{ kind, suffix string }{{"course", "专题培训班"}, {"forum", "先锋论坛"}, {"rotation", "轮训班"}, {"trip", "学习考察"}}
	day := time.Date(made.In(loc).Year(), made.In(loc).Month(), made.In(loc).Day(), 0, 0, 0, 0, loc)
	var out []contentEvent
	for i := range p.Events {
		k := kinds[rng.IntN(len(kinds))]
		topic := "党建工作"
		if len(docs) > 0 {
			d := docs[rng.IntN(len(docs))]
			topic = d.Passages[rng.IntN(len(d.Passages))].Section
		}
		start := day.AddDate(0, 0, 20+rng.IntN(120)).Add(time.Duration(9+5*rng.IntN(2)) * time.Hour)
		e := contentEvent{
			ID: fmt.Sprintf("gen-event-%03d", i), Kind: k.kind,
			Title:       truncateRunes("“"+topic+"”"+k.suffix, 60),
			Description: "围绕“" + topic + "”开展学习交流，请提前报名。",
			Start:       start.Format("2006-01-02 15:04"), End: start.Add(150 * time.Minute).Format("2006-01-02 15:04"),
			Place: "党群服务中心" + fmt.Sprint(1+rng.IntN(9)) + "楼会议室", Hours: 2,
		}
		if rng.IntN(3) > 0 {
			e.District = names[rng.IntN(len(names))]
		}
		out = append(out, e)
	}
	data, err := yaml.Marshal(out)
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "events.yaml"), append([]byte("# 生成的压测活动\n"), data...))
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// loadOnce runs the binary on the content until it polls — content loaded
// into the database, index built — and stops it.
func loadOnce(ctx context.Context, bin, contentDir, dataDir string) error {
	srv := botapi.New(botapi.Options{Token: "load:token"})
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Close()
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "run", "--data", dataDir, "--content", contentDir)
	cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN=load:token", "TELEGRAM_API_URL="+srv.URL())
	logPath := filepath.Join(filepath.Dir(dataDir), "load.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	polled := make(chan error, 1)
	go func() { polled <- srv.WaitPolling(ctx) }()
	select {
	case err := <-exited:
		return fmt.Errorf("the binary stopped (%v) before it polled:\n%s", err, tail(logPath, 20))
	case err := <-polled:
		if err != nil {
			return err
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := <-exited; err != nil {
		return fmt.Errorf("the binary stopped with %v:\n%s", err, tail(logPath, 20))
	}
	if problems := strings.Count(readFile(logPath), "problem"); problems > 0 {
		fmt.Fprintf(os.Stderr, "warning: the binary logged %d content problems (see %s)\n", problems, logPath)
	}
	return nil
}

func readFile(name string) string {
	data, _ := os.ReadFile(name)
	return string(data)
}

// Names of generated people: a surname and one or two given characters.
var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	given    = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建文辉力永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰楠榕风航弘")
	orgs     = []string{"科技有限公司", "物流有限公司", "建设工程有限公司", "商贸有限公司", "律师事务所", "会计师事务所", "行业协会", "社会工作服务中心", "电子商务产业园", "食品有限公司", "机械制造有限公司", "新材料有限公司"}
	places   = []rune("彭城淮海云龙泉山鼓楼金山汉源徐工铜山九里潘安大龙湖")
)

func personName(rng *rand.Rand) string {
	n := string(surnames[rng.IntN(len(surnames))]) + string(given[rng.IntN(len(given))])
	if rng.IntN(3) > 0 {
		n += string(given[rng.IntN(len(given))])
	}
	return n
}

func orgName(rng *rand.Rand) string {
	i := rng.IntN(len(places) - 1)
	return "徐州" + string(places[i:i+2]) + orgs[rng.IntN(len(orgs))] + "党支部"
}

// seedPeople writes p.People approved workers with a history into db, in
// one transaction.
func seedPeople(ctx context.Context, db *sql.DB, p datasetParams, rng *rand.Rand, info *datasetInfo) error {
	districts, err := member.LoadDistricts(content.Embedded())
	if err != nil {
		return err
	}
	names := districts.Names()
	var qids []string
	qtopic := map[string]string{}
	rows, err := db.QueryContext(ctx, `SELECT id, topic FROM quiz_questions WHERE retired = 0 ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, topic string
		if err := rows.Scan(&id, &topic); err != nil {
			rows.Close()
			return err
		}
		qids = append(qids, id)
		qtopic[id] = topic
	}
	rows.Close()
	var events []int64
	rows, err = db.QueryContext(ctx, `SELECT id FROM events WHERE state = 'open' ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		events = append(events, id)
	}
	rows.Close()
	if len(qids) == 0 {
		return errors.New("no questions in the database")
	}
	asks, _ := askQuestions()

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = tx.PrepareContext(ctx, q)
		return st
	}
	users := prep(`INSERT INTO users (id, username, first_name, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)`)
	members := prep(`INSERT INTO members (user_id, name, phone, phone_verified, district, org, post, education, start_year,
		status, status_at, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, 'approved', ?, ?, ?)`)
	history := prep(`INSERT INTO member_history (member_id, at, kind, actor, to_district) VALUES (?, ?, ?, ?, ?)`)
	session := prep(`INSERT INTO quiz_sessions (user_id, kind, topic, state, started_at, finished_at, pos, score)
		VALUES (?, 'practice', ?, 'done', ?, ?, ?, ?)`)
	item := prep(`INSERT INTO quiz_items (session_id, pos, question_id, topic, selected, answered, correct, answered_at)
		VALUES (?, ?, ?, ?, ?, 1, ?, ?)`)
	answer := prep(`INSERT INTO quiz_answers (user_id, question_id, session_id, correct, points, at) VALUES (?, ?, ?, ?, ?, ?)`)
	card := prep(`INSERT INTO quiz_cards (user_id, question_id, wrong, right_count, box, due_at, last_at) VALUES (?, ?, 1, 0, 1, ?, ?)
		ON CONFLICT (user_id, question_id) DO UPDATE SET wrong = wrong + 1, last_at = excluded.last_at`)
	daily := prep(`INSERT OR IGNORE INTO quiz_daily (user_id, day) VALUES (?, ?)`)
	signup := prep(`INSERT INTO event_signups (event_id, user_id, status, at, seq)
		VALUES (?1, ?2, 'registered', ?3, (SELECT COALESCE(MAX(seq), 0) + 1 FROM event_signups WHERE event_id = ?1))`)
	asked := prep(`INSERT INTO kb_questions (user_id, chat_id, district, text, asked_at, confident, confidence, open)
		VALUES (?, ?, ?, ?, ?, 1, 0.9, 0)`)
	if err != nil {
		return err
	}
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	now := info.Made
	for i := range p.People {
		uid := int64(firstPerson + i)
		name := personName(rng)
		district := names[rng.IntN(len(names))]
		joined := now.Add(-time.Duration(30+rng.IntN(600)) * 24 * time.Hour)
		if _, err := users.ExecContext(ctx, uid, fmt.Sprintf("worker%d", uid), name, ts(joined), ts(now.Add(-time.Duration(rng.IntN(72))*time.Hour))); err != nil {
			return err
		}
		res, err := members.ExecContext(ctx, uid, name, fmt.Sprintf("139%08d", i+1), district, orgName(rng),
			member.Posts()[rng.IntN(len(member.Posts()))], member.Educations()[rng.IntN(len(member.Educations()))],
			2010+rng.IntN(15), ts(joined.Add(time.Hour)), ts(joined), ts(joined.Add(time.Hour)))
		if err != nil {
			return err
		}
		mid, _ := res.LastInsertId()
		if _, err := history.ExecContext(ctx, mid, ts(joined), "joined", nil, district); err != nil {
			return err
		}
		if _, err := history.ExecContext(ctx, mid, ts(joined.Add(time.Hour)), "approved", nil, ""); err != nil {
			return err
		}
		// 2 to 10 finished practice sessions of 5 or 10 questions.
		for range 2 + rng.IntN(9) {
			at := now.Add(-time.Duration(1+rng.IntN(60*24)) * time.Minute * 60)
			n := 5 + 5*rng.IntN(2)
			first := qids[rng.IntN(len(qids))]
			topic := qtopic[first]
			res, err := session.ExecContext(ctx, uid, topic, ts(at), ts(at.Add(time.Duration(n)*time.Minute)), n-1, 0)
			if err != nil {
				return err
			}
			sid, _ := res.LastInsertId()
			info.Sessions++
			used := map[string]bool{}
			for pos := range n {
				qid := qids[rng.IntN(len(qids))]
				for used[qid] {
					qid = qids[rng.IntN(len(qids))]
				}
				used[qid] = true
				right := rng.IntN(10) < 7
				answeredAt := ts(at.Add(time.Duration(pos) * time.Minute))
				if _, err := item.ExecContext(ctx, sid, pos, qid, qtopic[qid], "[0]", right, answeredAt); err != nil {
					return err
				}
				if _, err := answer.ExecContext(ctx, uid, qid, sid, right, map[bool]int{true: 1}[right], answeredAt); err != nil {
					return err
				}
				info.Answers++
				if !right {
					if _, err := card.ExecContext(ctx, uid, qid, ts(at.Add(24*time.Hour)), answeredAt); err != nil {
						return err
					}
					info.Cards++
				}
			}
			if _, err := daily.ExecContext(ctx, uid, at.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)); err != nil {
				return err
			}
		}
		for k := range rng.IntN(4) {
			if len(events) == 0 {
				break
			}
			e := events[(i*7+k*13)%len(events)]
			if _, err := signup.ExecContext(ctx, e, uid, ts(now.Add(-time.Duration(1+rng.IntN(200))*time.Hour))); err != nil {
				return err
			}
			info.Signups++
		}
		for range rng.IntN(6) {
			if len(asks) == 0 {
				break
			}
			if _, err := asked.ExecContext(ctx, uid, uid, district, asks[rng.IntN(len(asks))], ts(now.Add(-time.Duration(1+rng.IntN(2000))*time.Hour))); err != nil {
				return err
			}
			info.Asked++
		}
		info.People++
	}
	return tx.Commit()
}

// copyDir copies the files of src into dst, which must not exist.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, name)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o750)
		}
		in, err := os.Open(name)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
