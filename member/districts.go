package member

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"

	"github.com/dangwu/dangwu/internal/yamlbound"
)

// DistrictsFile is the name of the districts file in a content folder.
const DistrictsFile = "districts.yaml"

// District is one district a worker can belong to, with the other names people
// type for it.
type District struct {
	Name    string   `yaml:"name"`
	Aliases []string `yaml:"aliases"`
}

// Districts is the closed list of districts, in the order of the file.
type Districts struct {
	names []string
	index map[string]string // folded name or alias -> name
}

// NewDistricts checks the list (names non-empty, no name or alias used twice)
// and builds it.
func NewDistricts(list []District) (Districts, error) {
	d := Districts{index: make(map[string]string)}
	for _, di := range list {
		if err := d.add(di); err != nil {
			return Districts{}, err
		}
	}
	return d, nil
}

func (d *Districts) add(di District) error {
	name := strings.TrimSpace(di.Name)
	if name == "" {
		return errors.New("district with an empty name")
	}
	keys := []string{foldKey(name)}
	for _, a := range di.Aliases {
		k := foldKey(a)
		if k == "" {
			return fmt.Errorf("district %q: empty alias", name)
		}
		keys = append(keys, k)
	}
	for i, k := range keys {
		if prev, ok := d.index[k]; ok {
			if i == 0 {
				return fmt.Errorf("district %q: already listed as %q", name, prev)
			}
			return fmt.Errorf("district %q: alias %q already names %q", name, di.Aliases[i-1], prev)
		}
	}
	for _, k := range keys {
		d.index[k] = name
	}
	d.names = append(d.names, name)
	return nil
}

// LoadDistricts reads districts.yaml from a content folder:
//
//	districts:
//	  - name: 鼓楼区
//	    aliases: [鼓楼]
//
// A missing file is an error that wraps fs.ErrNotExist. Errors name the file
// and line.
func LoadDistricts(fsys fs.FS) (Districts, error) {
	data, err := fs.ReadFile(fsys, DistrictsFile)
	if err != nil {
		return Districts{}, fmt.Errorf("load districts: %w", err)
	}
	return ParseDistricts(data)
}

// ParseDistricts parses the contents of districts.yaml.
func ParseDistricts(data []byte) (Districts, error) {
	var doc struct {
		Districts []yaml.Node `yaml:"districts"`
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Districts{}, fmt.Errorf("%s: %w", DistrictsFile, err)
	}
	// yaml.v3 decodes a mapping in time quadratic in its keys.
	if err := yamlbound.Check(&root, 64); err != nil {
		return Districts{}, fmt.Errorf("%s: %w", DistrictsFile, err)
	}
	if err := root.Decode(&doc); err != nil {
		return Districts{}, fmt.Errorf("%s: %w", DistrictsFile, err)
	}
	if len(doc.Districts) == 0 {
		return Districts{}, fmt.Errorf("%s: no districts", DistrictsFile)
	}
	d := Districts{index: make(map[string]string)}
	for _, n := range doc.Districts {
		var di District
		if err := n.Decode(&di); err != nil {
			return Districts{}, fmt.Errorf("%s:%d: %w", DistrictsFile, n.Line, err)
		}
		if err := d.add(di); err != nil {
			return Districts{}, fmt.Errorf("%s:%d: %w", DistrictsFile, n.Line, err)
		}
	}
	return d, nil
}

// Names returns the district names in the order of the file.
func (d Districts) Names() []string {
	return append([]string(nil), d.names...)
}

// Resolve returns the district named by a name or alias, ignoring spaces,
// width and Latin case.
func (d Districts) Resolve(nameOrAlias string) (string, bool) {
	name, ok := d.index[foldKey(nameOrAlias)]
	return name, ok
}

// Has reports whether name is exactly a district's name.
func (d Districts) Has(name string) bool {
	for _, n := range d.names {
		if n == name {
			return true
		}
	}
	return false
}

func foldKey(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
