package bot

import "context"

// AddDuesQuestionCommand registers /duesq <question>, which answers the
// question as the free-text path would with answerDues, or replies
// "not a dues question".
func (b *Bot) AddDuesQuestionCommand() {
	b.byName["duesq"] = &command{name: "duesq", desc: "cmd.help", group: true, run: func(ctx context.Context, r *request) error {
		r.text = r.args
		ok, err := b.answerDues(ctx, r, r.args)
		if err != nil || ok {
			return err
		}
		return b.reply(ctx, r, "not a dues question")
	}}
}
