package knowledge

import (
	"context"
	"sort"

	index "github.com/blevesearch/bleve_index_api"
	"github.com/mozillazg/go-pinyin"
)

// Workers type with a pinyin keyboard, and its commonest slip is a
// character of the same sound: 支布 for 支部, 党废 for 党费, 换界 for 换届.
// A two-character piece of a question that no passage holds is tried with
// each of its characters replaced by one of the same sound that the index
// holds; the commonest piece found is searched as an alternative of the
// one typed.

// soundIndex maps a toneless pinyin syllable to the characters of the
// index that read so, commonest first.
type soundIndex struct {
	chars map[string][]rune
}

var pinyinArgs = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Heteronym = true
	a.Style = pinyin.Normal
	return a
}()

// readings are the toneless pinyin syllables of a character (several for a
// polyphone), none for a character without one.
func readings(r rune) []string { return pinyin.SinglePinyin(r, pinyinArgs) }

// maxHomophones bounds the characters tried for one sound.
const maxHomophones = 8

// buildSounds reads the characters of the index (the single-character
// body field) with how many documents hold each.
func buildSounds(r index.IndexReader) (*soundIndex, error) {
	dict, err := r.FieldDict(fieldUniBody)
	if err != nil {
		return nil, err
	}
	defer dict.Close()
	type char struct {
		r  rune
		df uint64
	}
	bySound := map[string][]char{}
	for {
		e, err := dict.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		rs := []rune(e.Term)
		if len(rs) != 1 || !isHan(rs[0]) {
			continue
		}
		for _, s := range readings(rs[0]) {
			bySound[s] = append(bySound[s], char{rs[0], e.Count})
		}
	}
	si := &soundIndex{chars: make(map[string][]rune, len(bySound))}
	for s, cs := range bySound {
		sort.Slice(cs, func(i, j int) bool { return cs[i].df > cs[j].df || cs[i].df == cs[j].df && cs[i].r < cs[j].r })
		out := make([]rune, 0, min(len(cs), maxHomophones))
		for _, c := range cs[:min(len(cs), maxHomophones)] {
			out = append(out, c.r)
		}
		si.chars[s] = out
	}
	return si, nil
}

// minSoundDF is how many documents must hold a piece for it to stand for
// a typed piece no document holds.
const minSoundDF = 2

// soundAlike returns, for a two-character piece, the commonest piece of
// the index that differs from it in one character of the same sound, or ""
// when there is none.
func (si *soundIndex) soundAlike(ctx context.Context, r index.IndexReader, piece string) (string, error) {
	rs := []rune(piece)
	if len(rs) != 2 {
		return "", nil
	}
	best, bestDF := "", uint64(minSoundDF-1)
	for pos := range rs {
		tried := map[rune]bool{rs[pos]: true}
		for _, s := range readings(rs[pos]) {
			for _, c := range si.chars[s] {
				if tried[c] {
					continue
				}
				tried[c] = true
				alt := []rune{rs[0], rs[1]}
				alt[pos] = c
				n, err := docFreq(ctx, r, string(alt), fieldBody)
				if err != nil {
					return "", err
				}
				if n > bestDF {
					best, bestDF = string(alt), n
				}
			}
		}
	}
	return best, nil
}

// maxSoundTries bounds the pieces of one question tried for sound-alikes:
// a long question has many pieces that span two words and no document holds.
const maxSoundTries = 4

// correctSounds gives each two-character unit no document holds the
// commonest piece of the same sound as an alternative.
func (b *Base) correctSounds(ctx context.Context, r index.IndexReader, p *plan) error {
	si := b.sounds.Load()
	if si == nil {
		built, err := buildSounds(r)
		if err != nil {
			return err
		}
		b.sounds.Store(built)
		si = built
	}
	tries := 0
	for i := range p.units {
		u := &p.units[i]
		if tries == maxSoundTries {
			break
		}
		if u.single || u.cue || len(u.alts) > 0 || len(u.terms) != 1 || len([]rune(u.text)) != 2 || !isHan([]rune(u.text)[0]) {
			continue
		}
		n, err := docFreq(ctx, r, u.text, fieldBody)
		if err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		tries++
		alt, err := si.soundAlike(ctx, r, u.text)
		if err != nil {
			return err
		}
		if alt != "" {
			u.alts = []string{alt}
			u.typo = true
		}
	}
	return nil
}
