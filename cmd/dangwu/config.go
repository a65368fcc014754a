package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
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

	Location *time.Location // TZ, loaded by Validate
}

// defaultConfig returns the built-in defaults.
func defaultConfig() Config {
	return Config{Data: "./data", TZ: "Asia/Shanghai", Rate: 25}
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
}

// Validate checks the settings and loads the time zone.
func (c *Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Data) == "" {
		errs = append(errs, errors.New("--data must not be empty"))
	}
	if c.Rate <= 0 || c.Rate > 30 {
		errs = append(errs, fmt.Errorf("--rate %g: must be more than 0 and at most 30 (Telegram's limit)", c.Rate))
	}
	if c.APIURL != "" {
		if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("--api-url %q: must be an http(s) URL", c.APIURL))
		}
	}
	loc, err := time.LoadLocation(c.TZ)
	if err != nil {
		errs = append(errs, fmt.Errorf("--tz %q: %w", c.TZ, err))
	}
	c.Location = loc
	return errors.Join(errs...)
}

// String prints the configuration with secrets redacted.
func (c Config) String() string {
	return fmt.Sprintf("data=%s content=%s token=%s api_url=%s admins=%v tz=%s rate=%g",
		c.Data, orEmbedded(c.Content), redact(c.Token), c.APIURL, c.Admins, c.TZ, c.Rate)
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
