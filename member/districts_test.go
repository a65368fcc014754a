package member_test

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dangwu/dangwu/content"
	"github.com/dangwu/dangwu/member"
)

// The embedded content lists the eleven districts.
func TestEmbeddedDistricts(t *testing.T) {
	d, err := member.LoadDistricts(content.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"鼓楼区", "云龙区", "贾汪区", "泉山区", "铜山区", "徐州经济技术开发区", "丰县", "沛县", "睢宁县", "邳州市", "新沂市"}
	if !slices.Equal(d.Names(), want) {
		t.Errorf("names = %v\nwant %v", d.Names(), want)
	}
	if got, ok := d.Resolve("经开区"); !ok || got != "徐州经济技术开发区" {
		t.Errorf("Resolve(经开区) = %q, %v", got, ok)
	}
}

func TestLoadDistricts(t *testing.T) {
	d, err := member.LoadDistricts(fstest.MapFS{"districts.yaml": {Data: []byte(districtsYAML)}})
	if err != nil {
		t.Fatal(err)
	}
	names := d.Names()
	if len(names) != 11 || names[0] != "鼓楼区" || names[10] != "新沂市" {
		t.Errorf("names = %v", names)
	}
	for in, want := range map[string]string{
		"鼓楼区": "鼓楼区", "鼓楼": "鼓楼区", " 鼓 楼 ": "鼓楼区", "开发区": "徐州经济技术开发区", "丰县": "丰县",
	} {
		if got, ok := d.Resolve(in); !ok || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "南京", "鼓", "徐州"} {
		if got, ok := d.Resolve(in); ok {
			t.Errorf("Resolve(%q) = %q", in, got)
		}
	}
	names[0] = "changed"
	if d.Names()[0] != "鼓楼区" {
		t.Error("Names exposes its slice")
	}
}

func TestLoadDistrictsErrors(t *testing.T) {
	_, err := member.LoadDistricts(fstest.MapFS{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	tests := []struct{ name, yaml, want string }{
		{"empty", "districts: []\n", "no districts"},
		{"alias taken", "districts:\n  - name: 鼓楼区\n    aliases: [城区]\n  - name: 云龙区\n    aliases: [城区]\n", "districts.yaml:4:"},
		{"name twice", "districts:\n  - name: 丰县\n  - name: 沛县\n  - name: 丰县\n", "districts.yaml:4:"},
		{"empty name", "districts:\n  - name: 丰县\n  - aliases: [x]\n", "districts.yaml:3:"},
		{"not yaml", "districts: [\n", "districts.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := member.ParseDistricts([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	d, err := member.NewDistricts([]member.District{{Name: "丰县", Aliases: []string{"丰"}}})
	if err != nil || !slices.Equal(d.Names(), []string{"丰县"}) {
		t.Fatalf("NewDistricts = %v, %v", d.Names(), err)
	}
}
