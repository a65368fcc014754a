package metrics

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// storeCollector counts from the database when scraped, so the figures are
// the database's own and nothing is counted twice. One scrape's figures are
// reused for MinInterval.
type storeCollector struct {
	o Options

	outbox, running, bcSent, bcTotal, up *prometheus.Desc

	mu      sync.Mutex
	at      time.Time // when cached was gathered; zero: never
	metrics []prometheus.Metric
}

func newStoreCollector(o Options) *storeCollector {
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.MinInterval <= 0 {
		o.MinInterval = 2 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	name := func(n string) string { return prometheus.BuildFQName(namespace, "", n) }
	return &storeCollector{
		o: o,
		outbox: prometheus.NewDesc(name("outbox_messages"),
			"Messages in the outbox, by status; failed leaves out those to people who blocked the bot (blocked).",
			[]string{"status"}, nil),
		running: prometheus.NewDesc(name("broadcasts_running"),
			"Broadcasts with messages still to send.", nil, nil),
		bcSent: prometheus.NewDesc(name("broadcast_messages_sent"),
			"Messages of a running broadcast that Telegram accepted.", []string{"broadcast"}, nil),
		bcTotal: prometheus.NewDesc(name("broadcast_messages"),
			"All the messages of a running broadcast: its progress is broadcast_messages_sent / broadcast_messages.",
			[]string{"broadcast"}, nil),
		up: prometheus.NewDesc(name("metrics_source_up"),
			"1 when the database answered the scrape's query for source, 0 when it failed.", []string{"source"}, nil),
	}
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.outbox, c.running, c.bcSent, c.bcTotal, c.up} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.o.Now()
	if c.at.IsZero() || now.Sub(c.at) >= c.o.MinInterval || now.Before(c.at) {
		c.metrics, c.at = c.gather(), now
	}
	for _, m := range c.metrics {
		ch <- m
	}
}

// gather queries the database.
func (c *storeCollector) gather() []prometheus.Metric {
	ctx, cancel := context.WithTimeout(context.Background(), c.o.Timeout)
	defer cancel()
	var out []prometheus.Metric
	up := func(source string, err error) {
		v := 1.0
		if err != nil {
			v = 0
			c.o.Log.Warn("metrics: query failed", "source", source, "err", err)
		}
		out = append(out, prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, v, source))
	}
	if c.o.Outbox != nil {
		counts, err := c.o.Outbox(ctx)
		if err == nil {
			for _, s := range OutboxStatuses {
				out = append(out, prometheus.MustNewConstMetric(c.outbox, prometheus.GaugeValue, float64(counts[s]), s))
			}
		}
		up("outbox", err)
	}
	if c.o.Broadcasts != nil {
		bs, err := c.o.Broadcasts(ctx)
		if err == nil {
			out = append(out, prometheus.MustNewConstMetric(c.running, prometheus.GaugeValue, float64(len(bs))))
			for _, b := range bs {
				id := strconv.FormatInt(b.ID, 10)
				out = append(out,
					prometheus.MustNewConstMetric(c.bcSent, prometheus.GaugeValue, float64(b.Sent), id),
					prometheus.MustNewConstMetric(c.bcTotal, prometheus.GaugeValue, float64(b.Total), id))
			}
		}
		up("broadcasts", err)
	}
	return out
}
