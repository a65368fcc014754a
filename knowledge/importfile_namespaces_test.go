package knowledge_test

import (
	"context"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/dangwu/dangwu/knowledge"
)

// heapPeak is how far the heap the runtime holds grows while f runs: the
// Go heap is not given back to the system within a call, so HeapSys
// after f bounds from above the live memory f reached at its peak.
func heapPeak(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	debug.FreeOSMemory()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	if after.HeapSys < before.HeapSys {
		return 0
	}
	return after.HeapSys - before.HeapSys
}

// A .docx of a few dozen KB whose document.xml nests 60 paragraphs, each
// opening tag carrying 1 MB of name-space declarations (xmlns:a="x",
// repeated). Every token is within the 1 MB token limit and the nesting
// within the depth limit, but encoding/xml's Token keeps one record per
// declaration until the element ends, so the records of all 60 open
// elements are live at once.
func TestDocxNameSpaceDeclarationsAreBounded(t *testing.T) {
	decl := strings.Repeat(`xmlns:a="x" `, (1<<20-200)/12)
	body := strings.Repeat("<w:p "+decl+">", 60) + `<w:r><w:t>党费</w:t></w:r>` + strings.Repeat("</w:p>", 60)
	data := docxXML(t, body)
	var err error
	peak := heapPeak(func() { _, err = knowledge.ParseFile(context.Background(), "ns.docx", data) })
	t.Logf("%d KB file: heap grew %d MB (err %v)", len(data)>>10, peak>>20, err)
	if peak > 160<<20 {
		t.Errorf("a %d KB .docx (60 MB of XML, every token within limits) made the heap grow %d MB, want under 160 MB", len(data)>>10, peak>>20)
	}
}
