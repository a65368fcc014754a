// Package records keeps what certification, assessment and pay rest on:
// the 学时 ledger (event attendance, passed exams, credits by hand; each
// activity once, corrections as new entries), annual targets by post,
// yearly assessments, responsibility lists (责任清单) with progress reports,
// certification levels with their criteria and applications, vacancies
// left by workers who leave, and the pay reference by education. The
// rules — targets, levels, pay — are content (levels.yaml, pay.yaml), city
// defaults overridden per district. It knows nothing of Telegram.
package records
