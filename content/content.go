// Package content holds dangwu's default content — knowledge documents, FAQ
// entries, quiz banks and exam papers, search synonyms, districts, the 党费 rules, venues, recurring notices and events, certification levels with 学时 targets, and pay references — embedded in the binary. A folder with
// the same layout can replace it at run time (--content).
package content

import (
	"embed"
	"io/fs"
	"os"
)

//go:embed all:knowledge all:faq all:quiz synonyms.txt districts.yaml dues.yaml venues.yaml schedules.yaml events.yaml levels.yaml pay.yaml
var embedded embed.FS

// Embedded returns the content compiled into the binary.
func Embedded() fs.FS { return embedded }

// Load returns the content folder dir, or the embedded content when dir is
// empty. A folder that does not exist is an error; an empty one is valid and
// means nothing is preloaded.
func Load(dir string) (fs.FS, error) {
	if dir == "" {
		return embedded, nil
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, err
	}
	return os.DirFS(dir), nil
}
