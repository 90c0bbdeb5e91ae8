package model

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// resourceAddress is a parsed resource instance address such as
// module.net["a"].module.subnets.aws_subnet.private[0].
type resourceAddress struct {
	Modules []string // call names, outermost first (instance keys dropped)
	Mode    string   // "managed", "data" or "ephemeral"
	Type    string
	Name    string
	Key     string // instance key as written ("[0]", `["a"]`), "" when none
}

// parseResourceAddress parses an absolute resource instance address.
func parseResourceAddress(addr string) (resourceAddress, error) {
	var ra resourceAddress
	parts := SplitAddress(addr)
	i := 0
	for i+1 < len(parts) && parts[i] == "module" {
		name, _ := cutKey(parts[i+1])
		ra.Modules = append(ra.Modules, name)
		i += 2
	}
	ra.Mode = "managed"
	if i < len(parts) && (parts[i] == "data" || parts[i] == "ephemeral") {
		ra.Mode = parts[i]
		i++
	}
	if len(parts)-i != 2 {
		return ra, fmt.Errorf("%q is not a resource address", addr)
	}
	ra.Type = parts[i]
	ra.Name, ra.Key = cutKey(parts[i+1])
	if ra.Type == "" || ra.Name == "" {
		return ra, fmt.Errorf("%q is not a resource address", addr)
	}
	return ra, nil
}

// SplitAddress splits a Terraform address on the dots outside brackets and
// quoted strings: module.a["x.y"].aws_s3_bucket.b → module, a["x.y"],
// aws_s3_bucket, b.
func SplitAddress(s string) []string {
	var out []string
	depth, inStr, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inStr:
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '.' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func cutKey(seg string) (name, key string) {
	if i := strings.IndexByte(seg, '['); i >= 0 {
		return seg[:i], seg[i:]
	}
	return seg, ""
}

// Located is where a plan or drift finding about a resource goes.
type Located struct {
	Range  hcl.Range
	Module *Module // the module holding Range
	Block  *Block  // the resource block, nil when anchored at a module call
	Via    string  // "module.app in envs/prod" when the block is in a child
	Note   string  // why the finding is anchored at a module call, when it is
}

// Locate maps a resource instance address of a root module to its block:
// through local module calls to the child's resource block, or to the
// outermost module call that tfgate cannot follow (a registry, git or
// vendored module). ok is false when the root has no such resource.
func (p *Project) Locate(root *Module, address string) (Located, bool) {
	ra, err := parseResourceAddress(address)
	if err != nil {
		return Located{}, false
	}
	m := root
	var chain []string
	for _, name := range ra.Modules {
		var call *ModuleCall
		for _, c := range m.ModuleCalls {
			if c.Name == name {
				call = c
			}
		}
		if call == nil {
			return Located{}, false
		}
		chain = append(chain, "module."+name)
		if call.Target == nil || call.Target.External {
			src := call.Source
			if src == "" {
				src = "a non-literal source"
			}
			return Located{Range: call.Block.DefRange, Module: m, Note: fmt.Sprintf("in module %q (%s)", name, src)}, true
		}
		m = call.Target
	}
	blockType := "resource"
	if ra.Mode != "managed" {
		blockType = ra.Mode
	}
	for _, b := range m.Resources {
		if b.Type == blockType && b.Labels[0] == ra.Type && b.Labels[1] == ra.Name {
			loc := Located{Range: b.DefRange, Module: m, Block: b}
			if len(chain) > 0 {
				loc.Via = strings.Join(chain, ".") + " in " + root.Name()
			}
			return loc, true
		}
	}
	return Located{}, false
}
