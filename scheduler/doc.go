// Package scheduler is dangwu's third job, the notices: events (courses,
// 先锋论坛 forums, rotation classes, study trips) with sign-ups, waiting
// lists, reminders and check-ins; the venues where they happen; recurring
// notices on cron schedules; and broadcasts to an audience with
// acknowledgements. It knows nothing of Telegram: every message it causes
// is queued in the outbox in the transaction of the change that causes it,
// and the bot renders and sends them. What a coordinator leaves to go
// later (a scheduled broadcast, a recurring notice made in chat) asks for
// its author's access again when it goes, and is cancelled or paused, with
// word to the author, when they no longer cover its district.
package scheduler
