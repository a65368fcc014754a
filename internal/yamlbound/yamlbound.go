// Package yamlbound checks a YAML tree before it is decoded into a struct.
//
// go.yaml.in/yaml/v3 compares every key of a mapping with every other when
// it decodes one (to refuse a key given twice), and records an error for
// each pair of equal keys: 64 KB of front matter that repeats one key
// (`{a: 1, a: 1, …}`, 13,000 keys) makes 80 million errors and takes the
// process down, and a mapping of 200,000 distinct keys takes minutes.
// Check finds both in one pass, so such a tree is refused before Decode.
package yamlbound

import (
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Errors of a tree refused.
var (
	ErrTooWide      = errors.New("a mapping has too many keys")
	ErrDuplicateKey = errors.New("a key is given twice")
)

// Error is a refused tree, with the line of the mapping or the key at
// fault.
type Error struct {
	Line int
	Key  string // the key given twice
	Err  error  // ErrTooWide or ErrDuplicateKey
	Keys int    // the keys of the mapping too wide
	Max  int
}

func (e *Error) Error() string {
	if errors.Is(e.Err, ErrDuplicateKey) {
		return fmt.Sprintf("line %d: key %q is given twice", e.Line, e.Key)
	}
	return fmt.Sprintf("line %d: %d keys in one mapping, at most %d", e.Line, e.Keys, e.Max)
}

func (e *Error) Unwrap() error { return e.Err }

// Check returns an *Error for the first mapping under n (n included) with
// more than maxKeys keys, or with a key given twice; nil if there is
// none. It reads each node once (an alias is not followed: its anchor is
// checked where it stands), without recursion.
func Check(n *yaml.Node, maxKeys int) error {
	if n == nil {
		return nil
	}
	stack := []*yaml.Node{n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Kind == yaml.MappingNode {
			if keys := len(n.Content) / 2; keys > maxKeys {
				return &Error{Line: n.Line, Err: ErrTooWide, Keys: keys, Max: maxKeys}
			}
			// Keys are equal as yaml.v3 compares them: of one kind and
			// one value (so two collections as keys are equal).
			type key struct {
				kind  yaml.Kind
				value string
			}
			seen := make(map[key]bool, len(n.Content)/2)
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := key{n.Content[i].Kind, n.Content[i].Value}
				if seen[k] {
					return &Error{Line: n.Content[i].Line, Key: k.value, Err: ErrDuplicateKey}
				}
				seen[k] = true
			}
		}
		if n.Kind != yaml.AliasNode {
			stack = append(stack, n.Content...)
		}
	}
	return nil
}
