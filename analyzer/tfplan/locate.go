package tfplan

import (
	"bytes"
	"sync"

	"github.com/hashicorp/hcl/v2"
)

// Where a finding about a plan resource points when the configuration it
// came from is not loaded. A plan JSON that people can read (indented, as
// `terraform show -json | jq .` writes it) is pointed at the line of the
// resource's entry. The one-line JSON that `terraform show -json` writes
// is named without a position (column 1,565 of line 1 helps nobody, and
// its lines are never quoted: they hold every value in clear), and a binary
// planfile is never pointed into: the finding names the resource address
// only (reports show it as the location's logical name).

// maxReadableLine is the longest line of a plan JSON that is pointed at
// and quoted in snippets.
const maxReadableLine = 300

// Readable reports whether the plan's JSON is indented text, with short
// lines that can be pointed at and quoted; false for the one-line JSON of
// `terraform show -json` and for converted binary planfiles.
func (p *Plan) Readable() bool {
	p.readableOnce.Do(func() {
		if p.Binary {
			return
		}
		src := p.Src
		for len(src) > 0 {
			i := bytes.IndexByte(src, '\n')
			if i < 0 {
				i = len(src)
			}
			if i > maxReadableLine {
				return
			}
			src = src[min(i+1, len(src)):]
		}
		p.readable = true
	})
	return p.readable
}

// readableState is Readable's cache (a field of Plan).
type readableState struct {
	readableOnce sync.Once
	readable     bool
}

// ResourceLocation is where a finding about a resource instance points
// without the configuration: its entry in a readable plan JSON, the plan
// file without a position, or nothing (a binary planfile).
func (p *Plan) ResourceLocation(address string) hcl.Range {
	switch {
	case p.Readable():
		return p.AddressRange(address)
	case p.Binary:
		return hcl.Range{}
	}
	return hcl.Range{Filename: p.Path}
}

// KeyLocation is ResourceLocation for a top-level key of the plan (an
// output of output_changes, a variable).
func (p *Plan) KeyLocation(section, key string) hcl.Range {
	switch {
	case p.Readable():
		return p.KeyRange(section, key)
	case p.Binary:
		return hcl.Range{}
	}
	return hcl.Range{Filename: p.Path}
}
