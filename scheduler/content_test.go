package scheduler_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dangwu/dangwu/member"
	"github.com/dangwu/dangwu/scheduler"
)

func testDistricts(tb testing.TB) member.Districts {
	tb.Helper()
	d, err := member.NewDistricts([]member.District{
		{Name: "鼓楼区", Aliases: []string{"鼓楼"}},
		{Name: "云龙区", Aliases: []string{"云龙"}},
		{Name: "丰县"},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// refusal is one bad entry: the problem it must give, at which line.
type refusal struct {
	name string
	yaml string
	want error
	line int
}

// checkRefusals parses each case alone and wants exactly its problem among
// those reported (at its line), and the entry left out.
func checkRefusals(t *testing.T, cases []refusal, parse func(data []byte) (int, []scheduler.Problem)) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, problems := parse([]byte(tc.yaml))
			found := false
			for _, p := range problems {
				if errors.Is(p, tc.want) && (tc.line == 0 || p.Line == tc.line) {
					found = true
				}
			}
			if !found {
				t.Errorf("problems %v, want %v at line %d", problems, tc.want, tc.line)
			}
			if n != 0 && !strings.Contains(tc.name, "second") {
				t.Errorf("%d entries accepted, want none", n)
			}
		})
	}
}

func TestParseVenues(t *testing.T) {
	d := testDistricts(t)
	data := `# 场所
- id: fengxian-kaifaqu
  name: 丰县县经济开发区党建工作站
  kind: 党建工作站
  district: 丰县
- id: yunlong-post
  name: 云龙区商圈红色驿站
  kind: 红色驿站
  district: 云龙      # an alias
  address: ""
- id: city
  name: 市级活动场所
  kind: 其他
  address: 某路1号
`
	vs, problems := scheduler.ParseVenues("venues.yaml", []byte(data), d)
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	want := []scheduler.Venue{
		{Key: "fengxian-kaifaqu", Name: "丰县县经济开发区党建工作站", Kind: "党建工作站", District: "丰县", Line: 2},
		{Key: "yunlong-post", Name: "云龙区商圈红色驿站", Kind: "红色驿站", District: "云龙区", Line: 6},
		{Key: "city", Name: "市级活动场所", Kind: "其他", Address: "某路1号", Line: 11},
	}
	if len(vs) != len(want) {
		t.Fatalf("venues %+v", vs)
	}
	for i := range want {
		if vs[i] != want[i] {
			t.Errorf("venue %d = %+v, want %+v", i, vs[i], want[i])
		}
	}
	for _, empty := range []string{"", "# nothing\n", "[]\n", "~\n"} {
		if vs, ps := scheduler.ParseVenues("venues.yaml", []byte(empty), d); len(vs) != 0 || len(ps) != 0 {
			t.Errorf("ParseVenues(%q) = %v, %v", empty, vs, ps)
		}
	}
}

func TestParseVenuesRefusals(t *testing.T) {
	d := testDistricts(t)
	good := "  name: 驿站\n  kind: 红色驿站\n"
	cases := []refusal{
		{"not YAML", "- id: a\n  name: [\n", scheduler.ErrYAML, 0},
		{"not a list", "id: a\nname: b\n", scheduler.ErrYAML, 1},
		{"an entry not a mapping", "- just text\n", scheduler.ErrYAML, 1},
		{"no id", "- name: 驿站\n  kind: 红色驿站\n", scheduler.ErrBadID, 1},
		{"id with capitals", "- id: Post\n" + good, scheduler.ErrBadID, 1},
		{"id too long", "- id: " + strings.Repeat("a", 41) + "\n" + good, scheduler.ErrBadID, 1},
		{"second entry with the same id", "- id: a\n" + good + "- id: a\n" + good, scheduler.ErrDuplicateID, 4},
		{"unknown field", "- id: a\n" + good + "  phone: 123\n", scheduler.ErrUnknownField, 4},
		{"field given twice", "- id: a\n" + good + "  name: 又一个\n", scheduler.ErrDuplicateField, 4},
		{"no name", "- id: a\n  kind: 红色驿站\n", scheduler.ErrNoName, 1},
		{"blank name", "- id: a\n  name: '  '\n  kind: 红色驿站\n", scheduler.ErrNoName, 2},
		{"name too long", "- id: a\n  name: " + strings.Repeat("驿", 41) + "\n  kind: 红色驿站\n", scheduler.ErrNameTooLong, 2},
		{"name a list", "- id: a\n  name: [a, b]\n  kind: 红色驿站\n", scheduler.ErrFieldType, 2},
		{"name with a control character", "- id: a\n  name: \"驿\\x07站\"\n  kind: 红色驿站\n", scheduler.ErrBadText, 2},
		{"no kind", "- id: a\n  name: 驿站\n", scheduler.ErrUnknownVenueKind, 1},
		{"unknown kind", "- id: a\n  name: 驿站\n  kind: 咖啡馆\n", scheduler.ErrUnknownVenueKind, 3},
		{"unknown district", "- id: a\n" + good + "  district: 朝阳区\n", scheduler.ErrUnknownDistrict, 4},
		{"address too long", "- id: a\n" + good + "  address: " + strings.Repeat("路", 101) + "\n", scheduler.ErrAddressTooLong, 4},
		{"address with a line break", "- id: a\n" + good + "  address: \"一路\\n二路\"\n", scheduler.ErrBadText, 4},
	}
	checkRefusals(t, cases, func(data []byte) (int, []scheduler.Problem) {
		vs, ps := scheduler.ParseVenues("venues.yaml", data, d)
		return len(vs), ps
	})

	// Every problem of an entry is reported, and the entry is left out whole.
	vs, ps := scheduler.ParseVenues("venues.yaml", []byte("- id: A\n  kind: 咖啡馆\n  district: 朝阳区\n- id: ok\n"+good), d)
	if len(vs) != 1 || vs[0].Key != "ok" || len(ps) != 4 {
		t.Errorf("venues %+v, problems %v; want the good one and 4 problems (id, name, kind, district)", vs, ps)
	}
}

func TestVenueValidate(t *testing.T) {
	d := testDistricts(t)
	ok := scheduler.Venue{Name: "新的驿站", Kind: scheduler.VenuePost, District: "鼓楼区"}
	if err := ok.Validate(d); err != nil {
		t.Errorf("Validate(%+v): %v", ok, err)
	}
	city := scheduler.Venue{Name: "全市场所", Kind: scheduler.VenueOther}
	if err := city.Validate(d); err != nil {
		t.Errorf("a city-wide venue: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*scheduler.Venue)
		want error
	}{
		{"no name", func(v *scheduler.Venue) { v.Name = "" }, scheduler.ErrNoName},
		{"name too long", func(v *scheduler.Venue) { v.Name = strings.Repeat("站", scheduler.MaxVenueNameRunes+1) }, scheduler.ErrNameTooLong},
		{"name not UTF-8", func(v *scheduler.Venue) { v.Name = "站\xff" }, scheduler.ErrBadText},
		{"unknown kind", func(v *scheduler.Venue) { v.Kind = "驿站" }, scheduler.ErrUnknownVenueKind},
		{"no kind", func(v *scheduler.Venue) { v.Kind = "" }, scheduler.ErrUnknownVenueKind},
		{"an alias, not the district's name", func(v *scheduler.Venue) { v.District = "鼓楼" }, scheduler.ErrUnknownDistrict},
		{"unknown district", func(v *scheduler.Venue) { v.District = "朝阳区" }, scheduler.ErrUnknownDistrict},
		{"address too long", func(v *scheduler.Venue) { v.Address = strings.Repeat("路", scheduler.MaxVenueAddressRunes+1) }, scheduler.ErrAddressTooLong},
		{"bad key", func(v *scheduler.Venue) { v.Key = "a b" }, scheduler.ErrBadID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := ok
			tc.edit(&v)
			if err := v.Validate(d); !errors.Is(err, tc.want) {
				t.Errorf("Validate = %v, want %v", err, tc.want)
			}
		})
	}
	// At the limits.
	v := ok
	v.Name = strings.Repeat("站", scheduler.MaxVenueNameRunes)
	v.Address = strings.Repeat("路", scheduler.MaxVenueAddressRunes)
	if err := v.Validate(d); err != nil {
		t.Errorf("at the limits: %v", err)
	}
}

func TestParseSchedules(t *testing.T) {
	d := testDistricts(t)
	data := `- id: dues
  title: 党费提醒
  text: |
    本月党费请按时交纳。
  every: month
  monthday: 5
  at: "09:00"
- id: study
  title: 学习提醒
  text: 本周学习提醒。
  every: 每周
  weekday: 周一
  at: 9:30
  districts: [鼓楼, 云龙区, 鼓楼区]
- id: raw
  title: 原始表达式
  text: 每个工作日。
  spec: "0 8 * * 1-5"
  district: 丰县
  districts: [丰县]
  paused: true
- id: daily
  title: 每日一练
  text: 今天的练习。
  every: day
  at: 20:00
- id: sunday
  title: 周日
  text: 周日。
  every: week
  weekday: 7
  at: "21:05"
`
	ss, problems := scheduler.ParseSchedules("schedules.yaml", []byte(data), d)
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	if len(ss) != 5 {
		t.Fatalf("schedules %+v", ss)
	}
	for i, want := range []struct {
		key, spec, district string
		audience            []string
		paused              bool
		line                int
	}{
		{"dues", "0 9 5 * *", "", nil, false, 1},
		{"study", "30 9 * * 1", "", []string{"云龙区", "鼓楼区"}, false, 8},
		{"raw", "0 8 * * 1-5", "丰县", []string{"丰县"}, true, 15},
		{"daily", "0 20 * * *", "", nil, false, 22},
		{"sunday", "5 21 * * 0", "", nil, false, 27},
	} {
		s := ss[i]
		if s.Key != want.key || s.Spec != want.spec || s.District != want.district || s.Paused != want.paused || s.Line != want.line ||
			strings.Join(s.Audience.Districts, ",") != strings.Join(want.audience, ",") {
			t.Errorf("schedule %d = %+v, want %+v", i, s, want)
		}
	}
	if ss[0].Text != "本月党费请按时交纳。" || ss[0].Title != "党费提醒" {
		t.Errorf("text %q, title %q: want them trimmed", ss[0].Text, ss[0].Title)
	}
}

func TestParseSchedulesRefusals(t *testing.T) {
	d := testDistricts(t)
	head := "- id: a\n  title: 提醒\n  text: 内容。\n" // lines 1–3
	cases := []refusal{
		{"no title", "- id: a\n  text: 内容。\n  spec: 0 9 * * *\n", scheduler.ErrNoTitle, 1},
		{"title too long", "- id: a\n  title: " + strings.Repeat("题", 61) + "\n  text: 内容。\n  spec: 0 9 * * *\n", scheduler.ErrTitleTooLong, 2},
		{"no text", "- id: a\n  title: 提醒\n  spec: 0 9 * * *\n", scheduler.ErrNoText, 1},
		{"text too long", "- id: a\n  title: 提醒\n  text: " + strings.Repeat("字", 2001) + "\n  spec: 0 9 * * *\n", scheduler.ErrTextTooLong, 3},
		{"bad id", "- id: 党费\n  title: 提醒\n  text: 内容。\n  spec: 0 9 * * *\n", scheduler.ErrBadID, 1},
		{"second entry with the same id", head + "  spec: 0 9 * * *\n" + head + "  spec: 0 9 * * *\n", scheduler.ErrDuplicateID, 5},
		{"unknown field", head + "  spec: 0 9 * * *\n  cron: x\n", scheduler.ErrUnknownField, 5},
		{"no times", head, scheduler.ErrNoSpec, 1},
		{"spec and every", head + "  spec: 0 9 * * *\n  every: day\n  at: \"09:00\"\n", scheduler.ErrSpecAndRecurrence, 5},
		{"spec and at", head + "  spec: 0 9 * * *\n  at: \"09:00\"\n", scheduler.ErrSpecAndRecurrence, 5},
		{"bad spec", head + "  spec: 0 9 * *\n", scheduler.ErrBadSpec, 4},
		{"spec with seconds", head + "  spec: 0 0 9 * * *\n", scheduler.ErrSpecSeconds, 4},
		{"spec @every", head + "  spec: \"@every 1h\"\n", scheduler.ErrSpecEvery, 4},
		{"spec with a time zone", head + "  spec: TZ=UTC 0 9 * * *\n", scheduler.ErrSpecTimeZone, 4},
		{"spec that never runs", head + "  spec: 0 9 30 2 *\n", scheduler.ErrNeverRuns, 4},
		{"every minute of nine o'clock", head + "  spec: \"* 9 * * 1\"\n", scheduler.ErrTooFrequent, 4},
		{"every half hour", head + "  spec: \"*/30 * * * *\"\n", scheduler.ErrTooFrequent, 4},
		{"every year", head + "  every: year\n  at: \"09:00\"\n", scheduler.ErrBadRecurrence, 4},
		{"at without every", head + "  at: \"09:00\"\n", scheduler.ErrBadRecurrence, 1},
		{"every week without a weekday", head + "  every: week\n  at: \"09:00\"\n", scheduler.ErrBadRecurrence, 4},
		{"every day with a weekday", head + "  every: day\n  weekday: 周一\n  at: \"09:00\"\n", scheduler.ErrBadRecurrence, 5},
		{"every week with a monthday", head + "  every: week\n  weekday: 周一\n  monthday: 5\n  at: \"09:00\"\n", scheduler.ErrBadRecurrence, 6},
		{"unknown weekday", head + "  every: week\n  weekday: 周八\n  at: \"09:00\"\n", scheduler.ErrBadRecurrence, 5},
		{"every month without a day", head + "  every: month\n  at: \"09:00\"\n", scheduler.ErrBadRecurrence, 4},
		{"monthday 29", head + "  every: month\n  monthday: 29\n  at: \"09:00\"\n", scheduler.ErrBadRecurrence, 5},
		{"monthday 0", head + "  every: month\n  monthday: 0\n  at: \"09:00\"\n", scheduler.ErrBadRecurrence, 5},
		{"monthday not a number", head + "  every: month\n  monthday: 五号\n  at: \"09:00\"\n", scheduler.ErrFieldType, 5},
		{"no time of day", head + "  every: day\n", scheduler.ErrBadRecurrence, 4},
		{"hour 24", head + "  every: day\n  at: \"24:00\"\n", scheduler.ErrBadRecurrence, 5},
		{"minute 60", head + "  every: day\n  at: \"09:60\"\n", scheduler.ErrBadRecurrence, 5},
		{"time without minutes", head + "  every: day\n  at: \"9\"\n", scheduler.ErrBadRecurrence, 5},
		{"time as words", head + "  every: day\n  at: 上午九点\n", scheduler.ErrBadRecurrence, 5},
		{"unknown audience district", head + "  spec: 0 9 * * *\n  districts: [鼓楼区, 朝阳区]\n", scheduler.ErrUnknownDistrict, 5},
		{"unknown owner district", head + "  spec: 0 9 * * *\n  district: 朝阳区\n", scheduler.ErrUnknownDistrict, 5},
		{"audience outside the owner", head + "  spec: 0 9 * * *\n  district: 丰县\n  districts: [鼓楼区]\n", scheduler.ErrAudienceOutsideDistrict, 6},
		{"paused not true or false", head + "  spec: 0 9 * * *\n  paused: sometimes\n", scheduler.ErrFieldType, 5},
	}
	checkRefusals(t, cases, func(data []byte) (int, []scheduler.Problem) {
		ss, ps := scheduler.ParseSchedules("schedules.yaml", data, d)
		return len(ss), ps
	})
}

func TestScheduleValidate(t *testing.T) {
	d := testDistricts(t)
	ok := scheduler.Schedule{Title: "提醒", Text: "内容。", Spec: "0 9 * * 1", District: "鼓楼区", Audience: scheduler.Audience{Districts: []string{"鼓楼区"}}}
	if err := ok.Validate(d); err != nil {
		t.Errorf("Validate(%+v): %v", ok, err)
	}
	for _, tc := range []struct {
		name string
		edit func(*scheduler.Schedule)
		want error
	}{
		{"no title", func(s *scheduler.Schedule) { s.Title = "" }, scheduler.ErrNoTitle},
		{"no text", func(s *scheduler.Schedule) { s.Text = "" }, scheduler.ErrNoText},
		{"text too long", func(s *scheduler.Schedule) { s.Text = strings.Repeat("字", scheduler.MaxScheduleTextRunes+1) }, scheduler.ErrTextTooLong},
		{"no spec", func(s *scheduler.Schedule) { s.Spec = "" }, scheduler.ErrNoSpec},
		{"bad spec", func(s *scheduler.Schedule) { s.Spec = "每周一" }, scheduler.ErrBadSpec},
		{"too frequent", func(s *scheduler.Schedule) { s.Spec = "0,30 9 * * *" }, scheduler.ErrTooFrequent},
		{"an alias as owner", func(s *scheduler.Schedule) { s.District = "鼓楼" }, scheduler.ErrUnknownDistrict},
		{"audience outside the owner", func(s *scheduler.Schedule) { s.Audience.Districts = []string{"云龙区"} }, scheduler.ErrAudienceOutsideDistrict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			tc.edit(&s)
			if err := s.Validate(d); !errors.Is(err, tc.want) {
				t.Errorf("Validate = %v, want %v", err, tc.want)
			}
		})
	}
	hourly := ok
	hourly.Spec = "0 * * * *"
	if err := hourly.Validate(d); err != nil {
		t.Errorf("an hourly notice is at the limit: %v", err)
	}
}

func testVenues() []scheduler.Venue {
	return []scheduler.Venue{
		{ID: 7, Key: "gulou-post", Name: "驿站", Kind: scheduler.VenuePost, District: "鼓楼区"},
		{Key: "unsaved", Name: "未入库", Kind: scheduler.VenueOther},
	}
}

func TestParseEvents(t *testing.T) {
	d := testDistricts(t)
	sh := mustLoc(t, "Asia/Shanghai")
	data := `- id: spring-course
  kind: 培训班
  title: 党务知识培训班
  description: |
    第一天：党费。
    第二天：发展党员。
  start: 2027-03-01 09:00
  end: "2027-03-02 17:00"
  venue: gulou-post
  district: 鼓楼
  districts: [鼓楼区]
  capacity: 50
  hours: 12.5
- id: forum
  kind: forum
  title: 先锋论坛
  start: 2027-04-01 14:00
  end: 2027-04-01 16:30:00
  place: 区政务中心三楼
- id: trip
  kind: 学习考察
  title: 现场观摩
  start: 2027-05-01 08:00
  end: 2027-05-03 18:00
  venue: unsaved
  capacity: 0
`
	es, problems := scheduler.ParseEvents("events.yaml", []byte(data), testVenues(), d, sh)
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	if len(es) != 3 {
		t.Fatalf("events %+v", es)
	}
	e := es[0]
	if e.Key != "spring-course" || e.Kind != scheduler.Course || e.VenueID != 7 || e.Place != "" || e.District != "鼓楼区" ||
		e.Capacity != 50 || e.Hours != 12.5 || e.State != scheduler.Open || e.Line != 1 ||
		e.Description != "第一天：党费。\n第二天：发展党员。" || strings.Join(e.Audience.Districts, ",") != "鼓楼区" {
		t.Errorf("event 0 = %+v", e)
	}
	if !e.Start.Equal(at(sh, "2027-03-01 09:00")) || !e.End.Equal(at(sh, "2027-03-02 17:00")) || e.Start.Location() != sh {
		t.Errorf("times %s – %s, want in Shanghai", e.Start, e.End)
	}
	if e := es[1]; e.Kind != scheduler.Forum || e.Place != "区政务中心三楼" || e.VenueID != 0 || e.Capacity != 0 || !e.End.Equal(at(sh, "2027-04-01 16:30")) {
		t.Errorf("event 1 = %+v", e)
	}
	if e := es[2]; e.Kind != scheduler.Trip || e.VenueID != 0 || e.Place != "" {
		t.Errorf("event 2 (at a venue not yet stored) = %+v", e)
	}
}

func TestParseEventsRefusals(t *testing.T) {
	d := testDistricts(t)
	sh := mustLoc(t, "Asia/Shanghai")
	head := "- id: e\n  kind: course\n  title: 培训\n" // lines 1–3
	when := "  start: 2027-03-01 09:00\n  end: 2027-03-01 17:00\n"
	good := head + when + "  place: 会议室\n" // place on line 6
	cases := []refusal{
		{"unknown kind", "- id: e\n  kind: 讲座\n  title: 培训\n" + when + "  place: 会议室\n", scheduler.ErrUnknownKind, 2},
		{"no kind", "- id: e\n  title: 培训\n" + when + "  place: 会议室\n", scheduler.ErrUnknownKind, 1},
		{"no title", "- id: e\n  kind: course\n" + when + "  place: 会议室\n", scheduler.ErrNoTitle, 1},
		{"title too long", "- id: e\n  kind: course\n  title: " + strings.Repeat("训", 61) + "\n" + when + "  place: 会议室\n", scheduler.ErrTitleTooLong, 3},
		{"description too long", good + "  description: " + strings.Repeat("述", 1001) + "\n", scheduler.ErrDescriptionTooLong, 7},
		{"place too long", head + when + "  place: " + strings.Repeat("地", 101) + "\n", scheduler.ErrPlaceTooLong, 6},
		{"no start", head + "  end: 2027-03-01 17:00\n  place: 会议室\n", scheduler.ErrBadTime, 1},
		{"no end", head + "  start: 2027-03-01 09:00\n  place: 会议室\n", scheduler.ErrBadTime, 1},
		{"bad start", head + "  start: 2027年3月1日\n  end: 2027-03-01 17:00\n  place: 会议室\n", scheduler.ErrBadTime, 4},
		{"start without a time", head + "  start: 2027-03-01\n  end: 2027-03-01 17:00\n  place: 会议室\n", scheduler.ErrBadTime, 4},
		{"no such day", head + "  start: 2027-02-30 09:00\n  end: 2027-03-01 17:00\n  place: 会议室\n", scheduler.ErrBadTime, 4},
		{"end at the start", head + "  start: 2027-03-01 09:00\n  end: 2027-03-01 09:00\n  place: 会议室\n", scheduler.ErrEndBeforeStart, 5},
		{"end before the start", head + "  start: 2027-03-01 09:00\n  end: 2027-02-28 17:00\n  place: 会议室\n", scheduler.ErrEndBeforeStart, 5},
		{"longer than a month", head + "  start: 2027-03-01 09:00\n  end: 2027-04-02 09:00\n  place: 会议室\n", scheduler.ErrEventTooLong, 5},
		{"unknown venue", head + when + "  venue: nowhere\n", scheduler.ErrUnknownVenue, 6},
		{"venue and place", head + when + "  venue: gulou-post\n  place: 会议室\n", scheduler.ErrVenueAndPlace, 1},
		{"neither venue nor place", head + when, scheduler.ErrNoPlace, 1},
		{"negative capacity", good + "  capacity: -1\n", scheduler.ErrBadCapacity, 7},
		{"capacity too large", good + "  capacity: 100001\n", scheduler.ErrBadCapacity, 7},
		{"capacity not a number", good + "  capacity: 很多\n", scheduler.ErrFieldType, 7},
		{"capacity a fraction", good + "  capacity: 2.5\n", scheduler.ErrFieldType, 7},
		{"negative hours", good + "  hours: -2\n", scheduler.ErrBadHours, 7},
		{"too many hours", good + "  hours: 201\n", scheduler.ErrBadHours, 7},
		{"hours not a number", good + "  hours: .nan\n", scheduler.ErrFieldType, 7},
		{"unknown owner district", good + "  district: 朝阳区\n", scheduler.ErrUnknownDistrict, 7},
		{"unknown audience district", good + "  districts: [朝阳区]\n", scheduler.ErrUnknownDistrict, 7},
		{"audience outside the owner", good + "  district: 丰县\n  districts: [鼓楼区]\n", scheduler.ErrAudienceOutsideDistrict, 8},
		{"unknown field", good + "  teacher: 张三\n", scheduler.ErrUnknownField, 7},
		{"bad id", "- id: E 1\n  kind: course\n  title: 培训\n" + when + "  place: 会议室\n", scheduler.ErrBadID, 1},
		{"no id", "- kind: course\n  title: 培训\n" + when + "  place: 会议室\n", scheduler.ErrBadID, 1},
		{"second entry with the same id", good + good, scheduler.ErrDuplicateID, 7},
	}
	checkRefusals(t, cases, func(data []byte) (int, []scheduler.Problem) {
		es, ps := scheduler.ParseEvents("events.yaml", data, testVenues(), d, sh)
		return len(es), ps
	})

	// Accepted at the limits.
	limits := head + "  start: 2027-03-01 09:00\n  end: 2027-04-01 09:00\n  place: " + strings.Repeat("地", 100) +
		"\n  capacity: 100000\n  hours: 200\n  description: " + strings.Repeat("述", 1000) + "\n"
	if es, ps := scheduler.ParseEvents("events.yaml", []byte(limits), nil, d, sh); len(es) != 1 || len(ps) != 0 {
		t.Errorf("at the limits: %v", ps)
	}
}

func TestEventValidate(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	now := at(sh, "2027-03-01 12:00")
	ok := scheduler.Event{
		Kind: scheduler.Forum, Title: "先锋论坛", Start: at(sh, "2027-03-02 14:00"), End: at(sh, "2027-03-02 16:00"),
		Place: "会议室", Capacity: 30, Hours: 2, State: scheduler.Open,
	}
	if err := ok.Validate(now); err != nil {
		t.Fatalf("Validate(%+v): %v", ok, err)
	}
	atVenue := ok
	atVenue.Place, atVenue.VenueID = "", 3
	if err := atVenue.Validate(now); err != nil {
		t.Errorf("at a venue: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*scheduler.Event)
		want error
	}{
		{"starts in the past", func(e *scheduler.Event) { e.Start = now.Add(-time.Minute) }, scheduler.ErrEventInPast},
		{"started long ago", func(e *scheduler.Event) { e.Start, e.End = at(sh, "2026-01-01 09:00"), at(sh, "2026-01-01 10:00") }, scheduler.ErrEventInPast},
		{"ends when it starts", func(e *scheduler.Event) { e.End = e.Start }, scheduler.ErrEndBeforeStart},
		{"ends before it starts", func(e *scheduler.Event) { e.End = e.Start.Add(-time.Hour) }, scheduler.ErrEndBeforeStart},
		{"too long", func(e *scheduler.Event) { e.End = e.Start.Add(scheduler.MaxEventLength + time.Minute) }, scheduler.ErrEventTooLong},
		{"no start", func(e *scheduler.Event) { e.Start = time.Time{} }, scheduler.ErrBadTime},
		{"negative capacity", func(e *scheduler.Event) { e.Capacity = -1 }, scheduler.ErrBadCapacity},
		{"capacity too large", func(e *scheduler.Event) { e.Capacity = scheduler.MaxCapacity + 1 }, scheduler.ErrBadCapacity},
		{"negative hours", func(e *scheduler.Event) { e.Hours = -0.5 }, scheduler.ErrBadHours},
		{"too many hours", func(e *scheduler.Event) { e.Hours = scheduler.MaxHours + 1 }, scheduler.ErrBadHours},
		{"hours NaN", func(e *scheduler.Event) { e.Hours = math.NaN() }, scheduler.ErrBadHours},
		{"no title", func(e *scheduler.Event) { e.Title = "" }, scheduler.ErrNoTitle},
		{"title too long", func(e *scheduler.Event) { e.Title = strings.Repeat("题", scheduler.MaxTitleRunes+1) }, scheduler.ErrTitleTooLong},
		{"title with a line break", func(e *scheduler.Event) { e.Title = "先锋\n论坛" }, scheduler.ErrBadText},
		{"description too long", func(e *scheduler.Event) { e.Description = strings.Repeat("述", scheduler.MaxDescriptionRunes+1) }, scheduler.ErrDescriptionTooLong},
		{"no place", func(e *scheduler.Event) { e.Place = "" }, scheduler.ErrNoPlace},
		{"venue and place", func(e *scheduler.Event) { e.VenueID = 3 }, scheduler.ErrVenueAndPlace},
		{"place too long", func(e *scheduler.Event) { e.Place = strings.Repeat("地", scheduler.MaxPlaceRunes+1) }, scheduler.ErrPlaceTooLong},
		{"unknown kind", func(e *scheduler.Event) { e.Kind = "lecture" }, scheduler.ErrUnknownKind},
		{"unknown state", func(e *scheduler.Event) { e.State = "maybe" }, scheduler.ErrBadState},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := ok
			tc.edit(&e)
			if err := e.Validate(now); !errors.Is(err, tc.want) {
				t.Errorf("Validate = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestLoadContent(t *testing.T) {
	d := testDistricts(t)
	sh := mustLoc(t, "Asia/Shanghai")
	fsys := fstest.MapFS{
		"venues.yaml":    {Data: []byte("- id: post\n  name: 驿站\n  kind: 红色驿站\n  district: 云龙\n- id: broken\n  name: 坏的\n  kind: 咖啡馆\n")},
		"schedules.yaml": {Data: []byte("- id: dues\n  title: 党费\n  text: 本月党费请按时交纳。\n  every: month\n  monthday: 5\n  at: \"09:00\"\n")},
		"events.yaml": {Data: []byte("- id: a\n  kind: forum\n  title: 论坛\n  start: 2027-03-01 09:00\n  end: 2027-03-01 11:00\n  venue: post\n" +
			"- id: b\n  kind: forum\n  title: 论坛\n  start: 2027-03-01 09:00\n  end: 2027-03-01 11:00\n  venue: broken\n")},
	}
	c, problems, err := scheduler.LoadContent(fsys, d, sh)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Venues) != 1 || len(c.Schedules) != 1 || len(c.Events) != 1 {
		t.Errorf("content %+v", c)
	}
	if c.EventVenues["a"] != "post" || len(c.EventVenues) != 1 {
		t.Errorf("event venues %v, want a → post only", c.EventVenues)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.Error())
	}
	want := []string{
		`venues.yaml:7: venue "broken": unknown kind of venue (党建工作站, 红色驿站, 红色加油站, 红色堡垒 or 其他): "咖啡馆"`,
		`events.yaml:12: event "b": no such venue: "broken"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Each file is optional.
	c, problems, err = scheduler.LoadContent(fstest.MapFS{}, d, sh)
	if err != nil || len(problems) > 0 || len(c.Venues)+len(c.Schedules)+len(c.Events) > 0 {
		t.Errorf("empty folder: %+v, %v, %v", c, problems, err)
	}
	// A file too large is a problem, not an error.
	big := fstest.MapFS{"events.yaml": {Data: []byte("# " + strings.Repeat("x", scheduler.MaxContentFile) + "\n")}}
	_, problems, err = scheduler.LoadContent(big, d, sh)
	if err != nil || len(problems) != 1 || !errors.Is(problems[0], scheduler.ErrTooLarge) {
		t.Errorf("a file too large: %v, %v", problems, err)
	}
	many := "[" + strings.Repeat("{},", scheduler.MaxContentEntries) + "{}]"
	if _, ps := scheduler.ParseVenues("venues.yaml", []byte(many), d); len(ps) != 1 || !errors.Is(ps[0], scheduler.ErrTooLarge) {
		t.Errorf("too many entries: %v", ps)
	}
	if _, _, err := scheduler.LoadContent(fsys, d, nil); err == nil {
		t.Error("LoadContent without a time zone: no error")
	}
}

func TestProblemError(t *testing.T) {
	for _, tc := range []struct {
		p    scheduler.Problem
		want string
	}{
		{scheduler.Problem{File: "events.yaml", Line: 3, ID: "x", Err: scheduler.ErrUnknownVenue, Value: "v"}, `events.yaml:3: event "x": no such venue: "v"`},
		{scheduler.Problem{File: "schedules.yaml", Line: 1, ID: "s", Err: scheduler.ErrNoSpec}, `schedules.yaml:1: schedule "s": no times: give spec, or every and at`},
		{scheduler.Problem{File: "venues.yaml", Line: 2, Err: scheduler.ErrYAML}, `venues.yaml:2: not a YAML list of entries`},
	} {
		if got := tc.p.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}
