package tfplan

import (
	"bytes"
	"encoding/json"
)

// posIndex maps what findings point at in the plan JSON to byte offsets,
// built in one pass over the text the first time a position is asked for:
// rules locate every resource of a plan, so a search of the text per
// lookup (as before) made a 15,000-resource plan quadratic (minutes).
type posIndex struct {
	// Offsets of `"address": "A"` members, by address, first occurrence:
	// inside the top-level resource_changes, inside planned_values, and
	// anywhere in the plan.
	changes, planned, anywhere map[string]int
	// Offsets of the top-level keys, and of the keys of each top-level
	// object (output_changes, variables, …).
	top     map[string]int
	members map[string]map[string]int
}

// index returns the plan's position index, building it once.
func (p *Plan) index() *posIndex {
	p.indexOnce.Do(func() {
		p.idx = buildIndex(p.Src)
	})
	return p.idx
}

func buildIndex(src []byte) *posIndex {
	x := &posIndex{
		changes:  map[string]int{},
		planned:  map[string]int{},
		anywhere: map[string]int{},
		top:      map[string]int{},
		members:  map[string]map[string]int{},
	}
	s := &scanner{src: src, x: x}
	s.skipSpace()
	s.value(0, "")
	return x
}

// scanner walks plan JSON that encoding/json has already accepted; on
// anything unexpected it stops, leaving the index with what it found.
type scanner struct {
	src  []byte
	i    int
	x    *posIndex
	fail bool
}

func (s *scanner) skipSpace() {
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			if bytes.HasPrefix(s.src[s.i:], utf8BOM) {
				s.i += len(utf8BOM)
				continue
			}
			return
		}
	}
}

// value scans one JSON value at depth (0: the plan object) inside the
// top-level member section ("" at depth 0).
func (s *scanner) value(depth int, section string) {
	if s.fail || s.i >= len(s.src) {
		s.fail = true
		return
	}
	switch s.src[s.i] {
	case '{':
		s.object(depth, section)
	case '[':
		s.i++
		s.skipSpace()
		if s.i < len(s.src) && s.src[s.i] == ']' {
			s.i++
			return
		}
		for !s.fail {
			s.skipSpace()
			s.value(depth+1, section)
			s.skipSpace()
			if s.i >= len(s.src) {
				s.fail = true
				return
			}
			if s.src[s.i] == ',' {
				s.i++
				continue
			}
			if s.src[s.i] == ']' {
				s.i++
				return
			}
			s.fail = true
		}
	case '"':
		s.str()
	default: // number, true, false, null
		for s.i < len(s.src) {
			switch s.src[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return
			}
			s.i++
		}
	}
}

func (s *scanner) object(depth int, section string) {
	s.i++ // {
	s.skipSpace()
	if s.i < len(s.src) && s.src[s.i] == '}' {
		s.i++
		return
	}
	for !s.fail {
		s.skipSpace()
		keyOff := s.i
		key, ok := s.str()
		if !ok {
			s.fail = true
			return
		}
		s.skipSpace()
		if s.i >= len(s.src) || s.src[s.i] != ':' {
			s.fail = true
			return
		}
		s.i++
		s.skipSpace()
		sec := section
		switch depth {
		case 0:
			sec = key
			setFirst(s.x.top, key, keyOff)
		case 1:
			m := s.x.members[section]
			if m == nil {
				m = map[string]int{}
				s.x.members[section] = m
			}
			setFirst(m, key, keyOff)
		}
		if key == "address" && s.i < len(s.src) && s.src[s.i] == '"' {
			addr, ok := s.str()
			if !ok {
				s.fail = true
				return
			}
			setFirst(s.x.anywhere, addr, keyOff)
			switch section {
			case "resource_changes":
				setFirst(s.x.changes, addr, keyOff)
			case "planned_values":
				setFirst(s.x.planned, addr, keyOff)
			}
		} else {
			s.value(depth+1, sec)
		}
		s.skipSpace()
		if s.i >= len(s.src) {
			s.fail = true
			return
		}
		if s.src[s.i] == ',' {
			s.i++
			continue
		}
		if s.src[s.i] == '}' {
			s.i++
			return
		}
		s.fail = true
	}
}

// str scans a JSON string at s.i and returns its value.
func (s *scanner) str() (string, bool) {
	if s.i >= len(s.src) || s.src[s.i] != '"' {
		return "", false
	}
	start := s.i
	escaped := false
	for j := s.i + 1; j < len(s.src); j++ {
		switch s.src[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			s.i = j + 1
			raw := s.src[start:s.i]
			if !escaped {
				return string(raw[1 : len(raw)-1]), true
			}
			var v string
			if json.Unmarshal(raw, &v) != nil {
				return "", false
			}
			return v, true
		}
	}
	s.i = len(s.src)
	return "", false
}

func setFirst(m map[string]int, k string, off int) {
	if _, ok := m[k]; !ok {
		m[k] = off
	}
}
