package bot

import "context"

func (b *Bot) cmdQuizTemplate(ctx context.Context, r *request) error { return b.staleButton(ctx, r) }

func (b *Bot) onQuizImportButton(ctx context.Context, r *request, payload string) error {
	return b.staleButton(ctx, r)
}
