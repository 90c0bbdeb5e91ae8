package fasthcl

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/tfgate/tfgate/analyzer/monorepo"
)

// BenchmarkParse parses the .tf files of the generated 2,000-module tree
// (8,000 files; what `.ci/bench.sh` lints) held in memory, with hclsyntax
// and with Parse (hclsyntax for the files it declines), side by side:
//
//	go test ./internal/fasthcl -run '^$' -bench Parse -benchtime 10x
func BenchmarkParse(b *testing.B) {
	dir := b.TempDir()
	if err := monorepo.Generate(dir, monorepo.Layout{Modules: 2000}); err != nil {
		b.Fatal(err)
	}
	var names []string
	var srcs [][]byte
	size := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".tf") {
			return err
		}
		src, err := os.ReadFile(p)
		names, srcs, size = append(names, p), append(srcs, src), size+len(src)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	hclParse := func(b *testing.B, src []byte, name string) {
		if _, d := hclsyntax.ParseConfig(src, name, hcl.Pos{Line: 1, Column: 1}); d.HasErrors() {
			b.Fatal(d)
		}
	}
	each := func(parse func(b *testing.B, src []byte, name string)) func(*testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for i := 0; i < b.N; i++ {
				for j, src := range srcs {
					parse(b, src, names[j])
				}
			}
		}
	}
	b.Run("hclsyntax", each(hclParse))
	b.Run("fasthcl", each(func(b *testing.B, src []byte, name string) {
		if _, ok := Parse(src, name); !ok {
			hclParse(b, src, name)
		}
	}))
}
