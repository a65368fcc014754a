package knowledge

// SetParam changes a search weight (for tuning).
func (b *Base) SetParam(name string, v float64) {
	w := &b.params
	switch name {
	case "section":
		w.section = v
	case "question":
		w.question = v
	case "body":
		w.body = v
	case "uniHead":
		w.uniHead = v
	case "uniBody":
		w.uniBody = v
	case "uniClause":
		w.uniClause = v
	case "alt":
		w.alt = v
	case "synUnit":
		w.synUnit = v
	case "altChars":
		w.altChars = v
	case "maxPostings":
		w.maxPostings = v
	case "threshold":
		w.threshold = v
	default:
		panic("unknown param " + name)
	}
}
