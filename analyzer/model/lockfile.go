package model

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// LockFile is a parsed dependency lock file (.terraform.lock.hcl).
type LockFile struct {
	File      *File
	Providers []*LockedProvider // in file order
}

// LockedProvider is one provider block of a lock file.
type LockedProvider struct {
	Address     string // as written: "registry.terraform.io/hashicorp/aws"
	Version     string // "" when absent or not a string
	Constraints string // the constraints recorded at `terraform init`, "" when absent
	Hashes      []string
	// HashesKnown is false when `hashes` is present but not a list of
	// strings tfgate can read.
	HashesKnown bool
	Block       *hcl.Block
	DefRange    hcl.Range // the provider block header
	Range       hcl.Range // the whole block
	VersionAttr *hcl.Attribute
}

// defaultRegistryHosts are the hosts an unqualified provider source
// ("hashicorp/aws") resolves to: Terraform's registry, and OpenTofu's, which
// writes its own host into lock files for the same source.
var defaultRegistryHosts = []string{"registry.terraform.io", "registry.opentofu.org"}

// builtinTerraformProvider is the provider built into Terraform
// (terraform_data, terraform_remote_state). It is never installed, locked or
// versioned.
const builtinTerraformProvider = "terraform.io/builtin/terraform"

// Lock parses the module's lock file. It returns nil when the module has
// none or it does not parse (the parse error is a syntax-error finding).
func (m *Module) Lock() *LockFile {
	if m.LockFile == nil {
		return nil
	}
	return parseLockFile(m.LockFile)
}

var lockSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "provider", LabelNames: []string{"source"}}}}

// parseLockFile reads the provider blocks of a lock file. Blocks and
// attributes it does not know are ignored, as Terraform ignores them.
func parseLockFile(f *File) *LockFile {
	if f == nil || f.HCL == nil {
		return nil
	}
	lf := &LockFile{File: f}
	content, _, _ := f.HCL.Body.PartialContent(lockSchema)
	if content == nil {
		return lf
	}
	for _, b := range content.Blocks {
		lp := &LockedProvider{Address: b.Labels[0], Block: b, DefRange: b.DefRange, Range: b.DefRange}
		if sb, ok := b.Body.(*hclsyntax.Body); ok {
			lp.Range = hcl.RangeBetween(b.DefRange, sb.SrcRange)
		}
		attrs, _ := b.Body.JustAttributes()
		if a := attrs["version"]; a != nil {
			lp.VersionAttr = a
			lp.Version, _ = StaticString(a.Expr)
		}
		if a := attrs["constraints"]; a != nil {
			lp.Constraints, _ = StaticString(a.Expr)
		}
		lp.HashesKnown = true
		if a := attrs["hashes"]; a != nil {
			v, d := a.Expr.Value(nil)
			if d.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !v.CanIterateElements() {
				lp.HashesKnown = false
			} else {
				for it := v.ElementIterator(); it.Next(); {
					_, e := it.Element()
					if e.IsNull() || e.Type() != cty.String {
						lp.HashesKnown = false
						continue
					}
					if h := strings.TrimSpace(e.AsString()); h != "" {
						lp.Hashes = append(lp.Hashes, h)
					}
				}
			}
		}
		lf.Providers = append(lf.Providers, lp)
	}
	return lf
}

// Lookup returns the entry for a provider address as SourceAddress
// normalizes it ("registry.terraform.io/hashicorp/aws"). An address on
// Terraform's default registry also matches an entry on OpenTofu's, since
// the same unqualified source resolves there under OpenTofu.
func (lf *LockFile) Lookup(addr string) *LockedProvider {
	if lf == nil {
		return nil
	}
	want := strings.ToLower(addr)
	alts := []string{want}
	for _, h := range defaultRegistryHosts {
		if rest, ok := strings.CutPrefix(want, h+"/"); ok {
			alts = alts[:0]
			for _, h2 := range defaultRegistryHosts {
				alts = append(alts, h2+"/"+rest)
			}
			break
		}
	}
	for _, alt := range alts {
		for _, lp := range lf.Providers {
			if SourceAddress(lp.Address, "") == alt {
				return lp
			}
		}
	}
	return nil
}

// ShortProviderAddress drops the default registry host for messages:
// "registry.terraform.io/hashicorp/aws" → "hashicorp/aws".
func ShortProviderAddress(addr string) string {
	for _, h := range defaultRegistryHosts {
		if rest, ok := strings.CutPrefix(addr, h+"/"); ok {
			return rest
		}
	}
	return addr
}
