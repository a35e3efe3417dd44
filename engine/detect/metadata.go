package detect

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// ParseNames reads Ultralytics' `names` metadata, a Python dict literal such
// as {0: 'person', 1: 'bicycle'}, into a slice indexed by class id. Keys must
// cover 0..n-1 exactly once.
func ParseNames(s string) ([]string, error) {
	p := &pyParser{s: s}
	p.space()
	if !p.eat('{') {
		return nil, fmt.Errorf("names: want a dict like {0: 'person'}, got %q", clip(s))
	}
	byID := map[int]string{}
	for {
		p.space()
		if p.eat('}') {
			break
		}
		key, err := p.integer()
		if err != nil {
			return nil, err
		}
		p.space()
		if !p.eat(':') {
			return nil, fmt.Errorf("names: want ':' after key %d at offset %d", key, p.i)
		}
		p.space()
		val, err := p.str()
		if err != nil {
			return nil, err
		}
		if _, dup := byID[key]; dup {
			return nil, fmt.Errorf("names: class id %d appears twice", key)
		}
		byID[key] = val
		p.space()
		if p.eat(',') {
			continue
		}
		p.space()
		if !p.eat('}') {
			return nil, fmt.Errorf("names: want ',' or '}' at offset %d", p.i)
		}
		break
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("names: unexpected text after the dict at offset %d", p.i)
	}
	if len(byID) == 0 {
		return nil, fmt.Errorf("names: the dict is empty")
	}
	names := make([]string, len(byID))
	for id, name := range byID {
		if id < 0 || id >= len(names) {
			return nil, fmt.Errorf("names: class ids must run 0..%d, found %d", len(names)-1, id)
		}
		names[id] = name
	}
	return names, nil
}

// ParseImageSize reads the `imgsz` metadata ("[640, 640]" or "640") as width, height.
func ParseImageSize(s string) (w, h int, err error) {
	s = strings.Trim(strings.TrimSpace(s), "[]()")
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	var nums []int
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 8192 {
			return 0, 0, fmt.Errorf("imgsz: bad size %q", p)
		}
		nums = append(nums, n)
	}
	switch len(nums) {
	case 1:
		return nums[0], nums[0], nil
	case 2: // Ultralytics stores [height, width]
		return nums[1], nums[0], nil
	}
	return 0, 0, fmt.Errorf("imgsz: want one or two numbers, got %q", clip(s))
}

type pyParser struct {
	s string
	i int
}

func (p *pyParser) space() {
	for p.i < len(p.s) && unicode.IsSpace(rune(p.s[p.i])) {
		p.i++
	}
}

func (p *pyParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *pyParser) integer() (int, error) {
	start := p.i
	if p.i < len(p.s) && (p.s[p.i] == '-' || p.s[p.i] == '+') {
		p.i++
	}
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	n, err := strconv.Atoi(p.s[start:p.i])
	if err != nil {
		return 0, fmt.Errorf("names: want an integer key at offset %d", start)
	}
	return n, nil
}

// str reads a Python string literal in single or double quotes.
func (p *pyParser) str() (string, error) {
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", fmt.Errorf("names: want a quoted class name at offset %d", p.i)
	}
	quote := p.s[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == quote:
			p.i++
			return b.String(), nil
		case c == '\\' && p.i+1 < len(p.s):
			p.i++
			switch e := p.s[p.i]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
		p.i++
	}
	return "", fmt.Errorf("names: unterminated string")
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
