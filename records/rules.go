package records

// Level is one certification level and what it takes, on the four
// dimensions of 睢宁县's graded certification (政治素质、任职年限、业务水平、
// 工作实绩) as the seed describes them. Each criterion left zero is not
// required.
type Level struct {
	Name string // 初级, 中级, 高级, 特级 (泉山区's four levels)
	// Years in post, from the profile's start year.
	MinYears int
	// Professional level: the best exam score in the period, of ExamID ("" any paper).
	MinExamScore int
	ExamID       string
	// Results: 学时 in the period, attendance rate of the events signed up
	// for (percent), responsibility-list items done on time (percent).
	MinHours      float64
	MinAttendance int
	MinDuties     int
	// Political quality and results from the yearly assessment: the
	// lowest rating accepted (优秀 > 合格 > 基本合格 > 不合格), "" none needed.
	MinRating Rating
	// Years of assessments counted (the latest N must all meet MinRating).
	RatingYears int
}

// Rating is a yearly assessment's result.
type Rating string

// The ratings, best first.
const (
	Excellent Rating = "优秀"
	Competent Rating = "合格"
	Basic     Rating = "基本合格"
	Failed    Rating = "不合格"
)

// Ratings lists the ratings, best first.
var Ratings = []Rating{Excellent, Competent, Basic, Failed}

// Rank orders ratings: higher is better; -1 for an unknown one.
func (r Rating) Rank() int {
	for i, x := range Ratings {
		if x == r {
			return len(Ratings) - 1 - i
		}
	}
	return -1
}

// Target is the yearly 学时 a post needs, with its source.
type Target struct {
	Post   string // a post of the profile ("" every post not listed)
	Hours  float64
	Source string
}

// Rules are one district's (or the city's) certification levels, 学时
// targets and exam credits.
type Rules struct {
	Levels  []Level  // lowest first
	Targets []Target // by post
	// ExamHours credits a passed exam paper, by paper id ("" any paper).
	ExamHours map[string]float64
	// Source says where the levels come from: a district's certification
	// measures, or that they are this system's defaults to adjust.
	Source string
}

// PayRule is a district's pay reference: a multiple of the city minimum
// wage by education.
type PayRule struct {
	District  string
	Multiples map[string]float64 // education → multiple of the minimum wage
	Note      string             // e.g. 每年调整一次
	Source    string
}
