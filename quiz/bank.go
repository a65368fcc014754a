package quiz

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/dangwu/dangwu/internal/yamlbound"
)

// Dir is the folder of question banks in a content folder.
const Dir = "quiz"

// ExamsFile is the exam papers file inside Dir.
const ExamsFile = "exams.yaml"

// Bank limits: a bank file is read whole, so it is bounded first.
const (
	MaxBankFile      = 4 << 20 // bytes of one YAML bank
	MaxBankQuestions = 5000    // questions in one file
)

// ErrBankTooLarge means a bank file is over MaxBankFile or MaxBankQuestions.
var ErrBankTooLarge = errors.New("question bank too large")

// yamlQuestion is one entry of a YAML bank as written.
type yamlQuestion struct {
	ID          string    `yaml:"id"`
	Type        string    `yaml:"type"`
	Topic       string    `yaml:"topic"`
	Difficulty  int       `yaml:"difficulty"`
	Question    string    `yaml:"question"`
	Options     []string  `yaml:"options"`
	Answer      yaml.Node `yaml:"answer"`
	Explanation string    `yaml:"explanation"`
	Doc         string    `yaml:"doc"`
	Section     string    `yaml:"section"`
	District    string    `yaml:"district"`
}

// maxYAMLKeys bounds the keys of a mapping of a bank or of the exam papers
// (a question has 11 fields), checked before it is decoded (see
// yamlbound).
const maxYAMLKeys = 32

var yamlFields = []string{"id", "type", "topic", "difficulty", "question", "options", "answer", "explanation", "doc", "section", "district"}

// ErrUnknownField is a YAML entry's key that is not a question field.
var ErrUnknownField = errors.New("unknown field")

// ErrYAML is a bank that is not valid YAML, or not a list of questions.
var ErrYAML = errors.New("not a YAML list of questions")

// maxBankMarkers bounds the list items, keys and commas of a YAML bank,
// counted before it is parsed: yaml.v3 holds a tree of about 250 bytes a
// node, so 4 MB of "1," would take 500 MB. A question has about 17.
const maxBankMarkers = 32 * MaxBankQuestions

// yamlMarkers counts the bytes that may start a YAML node (, - : ? [ {):
// a tree has at most twice as many nodes, and one more.
func yamlMarkers(data []byte) int {
	n := 0
	for _, c := range data {
		switch c {
		case ',', '-', ':', '?', '[', '{':
			n++
		}
	}
	return n
}

// ParseYAML reads a YAML bank: a list of questions. Each entry is checked
// with c; the good ones are returned and the others reported with their
// line. A file that is not a YAML list is one problem at its line.
func ParseYAML(file string, data []byte, c Checker) ([]Question, []Problem) {
	qs, ps, _ := parseYAML(file, data, c)
	return qs, ps
}

// parseYAML is ParseYAML that also counts the entries of the list (0 when
// the file is not one).
func parseYAML(file string, data []byte, c Checker) ([]Question, []Problem, int) {
	if len(data) > MaxBankFile {
		return nil, []Problem{{File: file, Line: 1, Err: fmt.Errorf("%w: %d bytes, limit %d", ErrBankTooLarge, len(data), MaxBankFile)}}, 0
	}
	if n := yamlMarkers(data); n > maxBankMarkers {
		return nil, []Problem{{File: file, Line: 1, Err: fmt.Errorf("%w: %d list items, keys and commas, limit %d (%d questions)", ErrBankTooLarge, n, maxBankMarkers, MaxBankQuestions)}}, 0
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, []Problem{{File: file, Line: yamlLine(err), Err: fmt.Errorf("%w: %v", ErrYAML, err)}}, 0
	}
	if root.Kind == 0 {
		return nil, nil, 0 // an empty file
	}
	list := &root
	if list.Kind == yaml.DocumentNode && len(list.Content) == 1 {
		list = list.Content[0]
	}
	if list.Kind != yaml.SequenceNode {
		return nil, []Problem{{File: file, Line: list.Line, Err: ErrYAML}}, 0
	}
	if len(list.Content) > MaxBankQuestions {
		return nil, []Problem{{File: file, Line: 1, Err: fmt.Errorf("%w: %d questions, limit %d", ErrBankTooLarge, len(list.Content), MaxBankQuestions)}}, len(list.Content)
	}
	var out []Question
	var problems []Problem
	for _, n := range list.Content {
		q, ps := yamlEntry(file, n, c)
		if len(ps) > 0 {
			problems = append(problems, ps...)
			continue
		}
		out = append(out, q)
	}
	return out, problems, len(list.Content)
}

func yamlEntry(file string, n *yaml.Node, c Checker) (Question, []Problem) {
	if n.Kind != yaml.MappingNode {
		return Question{}, []Problem{{File: file, Line: n.Line, Err: ErrYAML}}
	}
	if err := yamlbound.Check(n, maxYAMLKeys); err != nil {
		return Question{}, []Problem{{File: file, Line: yamlLine(err), Err: fmt.Errorf("%w: %v", ErrYAML, err)}}
	}
	var problems []Problem
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !contains(yamlFields, k.Value) {
			problems = append(problems, Problem{File: file, Line: k.Line, Err: ErrUnknownField, Value: clip(k.Value)})
		}
	}
	var y yamlQuestion
	if err := n.Decode(&y); err != nil {
		return Question{}, append(problems, Problem{File: file, Line: n.Line, Err: fmt.Errorf("%w: %v", ErrYAML, err)})
	}
	q := Question{
		ID: y.ID, Kind: Kind(strings.ToLower(strings.TrimSpace(y.Type))), Topic: y.Topic, Difficulty: y.Difficulty,
		Text: y.Question, Options: y.Options, Explanation: y.Explanation,
		Doc: y.Doc, Section: y.Section, District: y.District, Bank: file, Line: n.Line,
	}
	options := len(q.Options)
	if q.Kind == Judge {
		options = len(JudgeOptions)
	}
	answer := y.Answer.Value
	if y.Answer.Kind == yaml.SequenceNode {
		var parts []string
		for _, a := range y.Answer.Content {
			parts = append(parts, a.Value)
		}
		answer = strings.Join(parts, ",")
	}
	var err error
	if q.Answer, err = ParseAnswer(q.Kind, answer, options); err != nil {
		problems = append(problems, Problem{File: file, Line: n.Line, ID: q.ID, Err: err, Value: clip(answer)})
	}
	ps := c.Check(&q)
	if q.Answer == nil {
		// ParseAnswer has said why; Check would repeat it as "no answer".
		ps = dropErr(ps, ErrNoAnswer)
	}
	return q, append(problems, ps...)
}

func dropErr(ps []Problem, err error) []Problem {
	out := ps[:0]
	for _, p := range ps {
		if !errors.Is(p.Err, err) {
			out = append(out, p)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// yamlLine is the line a YAML error names, or 1.
func yamlLine(err error) int {
	var line int
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i+len("line "):], "%d", &line)
	}
	return max(line, 1)
}

// Content is the quiz part of a content folder.
type Content struct {
	Questions []Question
	Exams     []Exam
}

// LoadContent reads every bank in the folder quiz/ of fsys (quiz/*.yaml
// but exams.yaml) and the exam papers, checking each question with c and
// ids across files, and each paper against the banks. A folder without
// quiz/ has no questions, which is valid.
func LoadContent(fsys fs.FS, c Checker) (Content, []Problem, error) {
	entries, err := fs.ReadDir(fsys, Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return Content{}, nil, nil
	}
	if err != nil {
		return Content{}, nil, err
	}
	var out Content
	var problems []Problem
	firstLine := map[string]Problem{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || name == ExamsFile || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
			continue
		}
		file := path.Join(Dir, name)
		data, err := readLimited(fsys, file, MaxBankFile)
		if err != nil {
			problems = append(problems, Problem{File: file, Line: 1, Err: err})
			continue
		}
		qs, ps := ParseYAML(file, data, c)
		problems = append(problems, ps...)
		for _, q := range qs {
			if first, dup := firstLine[q.ID]; dup {
				problems = append(problems, Problem{File: q.Bank, Line: q.Line, ID: q.ID, Err: ErrDuplicateID, Value: fmt.Sprintf("%s:%d", first.File, first.Line)})
				continue
			}
			firstLine[q.ID] = Problem{File: q.Bank, Line: q.Line}
			out.Questions = append(out.Questions, q)
		}
	}
	sort.SliceStable(out.Questions, func(i, j int) bool { return out.Questions[i].ID < out.Questions[j].ID })
	data, err := readLimited(fsys, path.Join(Dir, ExamsFile), MaxBankFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		problems = append(problems, Problem{File: path.Join(Dir, ExamsFile), Line: 1, Err: err})
	default:
		exams, ps := ParseExams(path.Join(Dir, ExamsFile), data, out.Questions)
		out.Exams = exams
		problems = append(problems, ps...)
	}
	return out, problems, nil
}

func readLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: over %d bytes", ErrBankTooLarge, limit)
	}
	return data, nil
}
