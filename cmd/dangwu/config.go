package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dangwu/dangwu/bot"
)

// Config is everything an operator can set. Defaults come first, then the
// environment, then flags; Validate checks the result once.
type Config struct {
	Data    string
	Content string // empty: the embedded content
	Token   string
	APIURL  string
	Admins  []int64
	TZ      string
	Rate    float64
	Quiet   string // quiet hours, "22:00-07:00" or "off"
	// Flood is how many updates a minute one person may send, or "off".
	Flood string
	// HTTP is the address of /healthz and /metrics ("" off); Validate
	// binds an address without a host to the loopback interface.
	HTTP string
	// Webhook is the public URL Telegram posts updates to ("" long polling);
	// Listen is where the webhook server listens.
	Webhook string
	Listen  string
	// WebhookSecret is the secret Telegram echoes in each webhook request;
	// Validate generates one when it is unset. Never printed.
	WebhookSecret   string
	secretGenerated bool

	Location    *time.Location  // TZ, loaded by Validate
	QuietHours  bot.QuietHours  // Quiet, read by Validate
	FloodLimits bot.FloodLimits // Flood, read by Validate
}

// defaultConfig returns the built-in defaults.
func defaultConfig() Config {
	return Config{Data: "./data", TZ: "Asia/Shanghai", Rate: 25, Quiet: "22:00-07:00", Listen: ":8443",
		Flood: strconv.Itoa(bot.DefaultFloodPerMinute)}
}

// fromEnv overrides c with the environment variables that are set.
func (c *Config) fromEnv(getenv func(string) string) error {
	str := func(key string, dst *string) {
		if v := getenv(key); v != "" {
			*dst = v
		}
	}
	str("DANGWU_DATA", &c.Data)
	str("DANGWU_CONTENT", &c.Content)
	str("TELEGRAM_BOT_TOKEN", &c.Token)
	str("TELEGRAM_API_URL", &c.APIURL)
	str("DANGWU_TZ", &c.TZ)
	str("DANGWU_QUIET", &c.Quiet)
	str("DANGWU_FLOOD", &c.Flood)
	str("DANGWU_HTTP", &c.HTTP)
	str("DANGWU_WEBHOOK_URL", &c.Webhook)
	str("DANGWU_LISTEN", &c.Listen)
	str("DANGWU_WEBHOOK_SECRET", &c.WebhookSecret)
	if v := getenv("DANGWU_ADMINS"); v != "" {
		ids, err := parseIDs(v)
		if err != nil {
			return fmt.Errorf("DANGWU_ADMINS: %w", err)
		}
		c.Admins = ids
	}
	if v := getenv("DANGWU_SEND_RATE"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("DANGWU_SEND_RATE: %q is not a number", v)
		}
		c.Rate = r
	}
	return nil
}

// bindFlags registers the flags that override c.
func (c *Config) bindFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Data, "data", c.Data, "folder for the database and the search index (DANGWU_DATA)")
	fs.StringVar(&c.Content, "content", c.Content, "content folder used instead of the embedded one (DANGWU_CONTENT)")
	fs.StringVar(&c.APIURL, "api-url", c.APIURL, "Bot API server URL (TELEGRAM_API_URL)")
	fs.Func("admins", "comma-separated Telegram user ids of administrators (DANGWU_ADMINS)", func(v string) error {
		ids, err := parseIDs(v)
		c.Admins = ids
		return err
	})
	fs.StringVar(&c.TZ, "tz", c.TZ, "time zone for schedules and display (DANGWU_TZ)")
	fs.Float64Var(&c.Rate, "rate", c.Rate, "messages a second the bot sends in all (DANGWU_SEND_RATE)")
	fs.StringVar(&c.Quiet, "quiet", c.Quiet, "quiet hours in the time zone, when pushes that can wait are held, or off (DANGWU_QUIET)")
	fs.StringVar(&c.Flood, "flood", c.Flood, "updates a minute one person may send (coordinators and admins three times as many), or off (DANGWU_FLOOD)")
	fs.StringVar(&c.HTTP, "http", c.HTTP, "address for /healthz and /metrics, empty for none; a bare :PORT binds 127.0.0.1 (DANGWU_HTTP)")
	fs.StringVar(&c.Webhook, "webhook", c.Webhook, "public HTTPS URL for webhook mode instead of long polling (DANGWU_WEBHOOK_URL)")
	fs.StringVar(&c.Listen, "listen", c.Listen, "where the webhook server listens (DANGWU_LISTEN)")
}

// maxRate is the highest --rate: Telegram's about 30 messages a second.
// Only the binary the load tool measures lifts it (loadtest.go).
var maxRate = 30.0

// Validate checks the settings and loads the time zone.
func (c *Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Data) == "" {
		errs = append(errs, errors.New("--data must not be empty"))
	}
	if c.Rate <= 0 || c.Rate > maxRate {
		errs = append(errs, fmt.Errorf("--rate %g: must be more than 0 and at most %g (Telegram's limit)", c.Rate, maxRate))
	}
	if c.APIURL != "" {
		if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("--api-url %q: must be an http(s) URL", redactURLs(c.APIURL)))
		}
	}
	loc, err := time.LoadLocation(c.TZ)
	if err != nil {
		errs = append(errs, fmt.Errorf("--tz %q: %w", c.TZ, err))
	}
	c.Location = loc
	q, err := bot.ParseQuietHours(c.Quiet)
	if err != nil {
		errs = append(errs, fmt.Errorf("--quiet: %w", err))
	}
	c.QuietHours = q
	f, err := parseFlood(c.Flood)
	if err != nil {
		errs = append(errs, fmt.Errorf("--flood: %w", err))
	}
	c.FloodLimits = f
	errs = append(errs, c.validateServing()...)
	return errors.Join(errs...)
}

// maxFlood is the highest --flood: beyond it flood control means nothing.
const maxFlood = 10000

// parseFlood reads --flood: a number of updates a minute, or off.
func parseFlood(v string) (bot.FloodLimits, error) {
	if strings.EqualFold(strings.TrimSpace(v), "off") {
		return bot.FloodLimits{Off: true}, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > maxFlood {
		return bot.FloodLimits{}, fmt.Errorf("%q: must be a number of updates a minute from 1 to %d, or off", v, maxFlood)
	}
	return bot.FloodLimits{PerMinute: n, StaffPerMinute: n * bot.DefaultFloodStaffPerMinute / bot.DefaultFloodPerMinute}, nil
}

// String prints the configuration with secrets redacted.
func (c Config) String() string {
	s := fmt.Sprintf("data=%s content=%s token=%s api_url=%s admins=%v tz=%s rate=%g quiet=%s flood=%s http=%s",
		c.Data, orEmbedded(c.Content), redact(c.Token), redactURLs(c.APIURL), c.Admins, c.TZ, c.Rate, c.Quiet, c.Flood, orOff(c.HTTP))
	if c.Webhook != "" {
		s += fmt.Sprintf(" webhook=%s listen=%s webhook_secret=%s", redactURLs(c.Webhook), c.Listen, c.secretState())
	}
	return s
}

func orEmbedded(dir string) string {
	if dir == "" {
		return "(embedded)"
	}
	return dir
}

// redact shows whether a secret is set, never its value.
func redact(secret string) string {
	if secret == "" {
		return "(unset)"
	}
	return "(set)"
}

var (
	// urlUserinfo matches the scheme and user:password@ of a URL in any text,
	// quoted or not, parsable or not.
	urlUserinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s"'<>]*@`)
	// botToken matches the /bot<token> path segment of a Bot API URL.
	botToken = regexp.MustCompile(`/bot[0-9]+:[A-Za-z0-9_-]+`)
)

// redactURLs hides the user information and the bot token of every URL in s:
// "https://user:secret@host/bot123:AA/getMe" becomes "https://***@host/bot***/getMe".
func redactURLs(s string) string {
	s = urlUserinfo.ReplaceAllString(s, "${1}***@")
	return botToken.ReplaceAllString(s, "/bot***")
}

// redactSecrets hides c's secrets in s: the token wherever it appears, and the
// user information and tokens of URLs.
func (c Config) redactSecrets(s string) string {
	if c.Token != "" {
		s = strings.ReplaceAll(s, c.Token, "***")
	}
	if c.WebhookSecret != "" {
		s = strings.ReplaceAll(s, c.WebhookSecret, "***")
	}
	return redactURLs(s)
}

// redactingHandler passes records on with c's secrets hidden from the message
// and from every attribute, so that no log line, not even an error from an
// HTTP call that quotes its URL, shows the token or the API URL's password.
type redactingHandler struct {
	slog.Handler
	redact func(string) string
}

// redactLog wraps h so that it never writes c's secrets.
func (c Config) redactLog(h slog.Handler) slog.Handler {
	return redactingHandler{Handler: h, redact: c.redactSecrets}
}

func (h redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.attr(a)
	}
	return redactingHandler{Handler: h.Handler.WithAttrs(clean), redact: h.redact}
}

func (h redactingHandler) WithGroup(name string) slog.Handler {
	return redactingHandler{Handler: h.Handler.WithGroup(name), redact: h.redact}
}

// attr hides secrets in a's value: strings, errors, anything printed as text.
func (h redactingHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.redact(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]any, len(group))
		for i, g := range group {
			clean[i] = h.attr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, h.redact(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, h.redact(x.String()))
		default:
			return slog.String(a.Key, h.redact(fmt.Sprint(x)))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func parseIDs(s string) ([]int64, error) {
	var ids []int64
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("%q is not a Telegram user id", f)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// loadConfig applies defaults, the environment and args, and validates.
func loadConfig(name string, args []string, getenv func(string) string, extra func(*flag.FlagSet)) (Config, *flag.FlagSet, error) {
	c := defaultConfig()
	if err := c.fromEnv(getenv); err != nil {
		return c, nil, err
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	c.bindFlags(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return c, fs, err
	}
	return c, fs, c.Validate()
}
