package knowledge_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/dangwu/dangwu/knowledge"
)

func TestParseFileEncoding(t *testing.T) {
	const notice = "---\ntitle: 党费收缴通知\n---\n\n# 党费收缴通知\n\n## 收缴时间\n\n各党支部每月收缴一次党费。\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(notice))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		file     string
		data     []byte
		encoding string
		lines    []int
	}{
		{"utf-8", "n.md", []byte(notice), "UTF-8", nil},
		{"one stray byte", "n.md", bytes.Replace([]byte(notice), []byte("每月"), []byte("每\xe6月"), 1), "UTF-8", []int{9}},
		{"gbk", "n.md", gbk, "GB18030", nil},
		{"utf-8 bom txt", "n.txt", append([]byte("\xef\xbb\xbf"), "党费收缴通知\n\n一、收缴时间\n每月。\n"...), "UTF-8 (BOM)", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := knowledge.ParseFile(context.Background(), tt.file, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if d.Title != "党费收缴通知" {
				t.Errorf("title = %q, want 党费收缴通知", d.Title)
			}
			if d.Encoding != tt.encoding || !slices.Equal(d.InvalidLines, tt.lines) {
				t.Errorf("encoding %s, invalid lines %v; want %s, %v", d.Encoding, d.InvalidLines, tt.encoding, tt.lines)
			}
			if len(tt.lines) > 0 && !strings.Contains(d.Passages[len(d.Passages)-1].Text, "每\ufffd月") {
				t.Errorf("passages = %+v, want the bad byte replaced", d.Passages)
			}
		})
	}
}
