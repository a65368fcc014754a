package knowledge_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/internal/corpus"
	"github.com/dangwu/dangwu/knowledge"
	"github.com/dangwu/dangwu/store"
)

const (
	benchDocs     = 1000
	benchSections = 10 // passages per document: 10,000 in all
)

// benchCorpus fills a fresh store with a generated corpus of 10,000
// passages: sentences of the real content recombined, deterministically.
func benchCorpus(b *testing.B) (*store.KnowledgeStore, string) {
	b.Helper()
	ctx := context.Background()
	docs, err := corpus.Generate(content.Embedded(), benchDocs, benchSections, 1)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	st := store.NewKnowledgeStore(db)
	if err := st.SyncContent(ctx, knowledge.ContentSync{PutDocuments: docs}); err != nil {
		b.Fatal(err)
	}
	return st, dir
}

func dirSize(tb testing.TB, dir string) int64 {
	tb.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// BenchmarkIndexBuild builds the index of 10,000 passages from the store.
func BenchmarkIndexBuild(b *testing.B) {
	st, dir := benchCorpus(b)
	ctx := context.Background()
	var size int64
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		idx := filepath.Join(dir, fmt.Sprintf("index-%d", i))
		base, err := knowledge.Open(ctx, st, idx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := base.Close(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		// reopening drops the files of segments merged away
		if base, err = knowledge.Open(ctx, st, idx, nil); err != nil {
			b.Fatal(err)
		}
		if err := base.Close(); err != nil {
			b.Fatal(err)
		}
		size = dirSize(b, idx)
		b.StartTimer()
		os.RemoveAll(idx)
	}
	b.ReportMetric(float64(benchDocs*benchSections)/(b.Elapsed().Seconds()/float64(b.N)), "passages/s")
	b.ReportMetric(float64(size), "index-bytes")
}

// BenchmarkSearch answers the evaluation questions over 10,000 passages
// and reports the median and 99th percentile latency.
func BenchmarkSearch(b *testing.B) {
	st, dir := benchCorpus(b)
	ctx := context.Background()
	// Every question searched, not answered from memory.
	defer func(n int) { knowledge.AnswerCacheBytes = n }(knowledge.AnswerCacheBytes)
	knowledge.AnswerCacheBytes = 0
	base, err := knowledge.Open(ctx, st, filepath.Join(dir, "index"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer base.Close()
	setBenchParams(base)
	var cases []evalCase
	readYAML(b, "testdata/eval.yaml", &cases)
	for _, c := range cases { // warm up
		if _, err := base.Search(ctx, c.Q, 3); err != nil {
			b.Fatal(err)
		}
	}
	var took []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if _, err := base.Search(ctx, cases[i%len(cases)].Q, 3); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
	if rss := residentMB(); rss > 0 {
		b.ReportMetric(rss, "rss-MB")
	}
}

// residentMB is the resident memory of this process (Linux), 0 elsewhere.
func residentMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			if err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}

// BenchmarkGenerationCheck is what every search pays to notice documents
// imported by another process.
func BenchmarkGenerationCheck(b *testing.B) {
	_, st := mustStore(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := st.Generation(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// setBenchParams applies BENCH_PARAMS (name=value,...) to the search
// weights, to measure what each part of the query costs.
func setBenchParams(b *knowledge.Base) {
	for _, kv := range strings.Split(os.Getenv("BENCH_PARAMS"), ",") {
		if name, v, ok := strings.Cut(kv, "="); ok {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				panic(err)
			}
			b.SetParam(name, x)
		}
	}
}
