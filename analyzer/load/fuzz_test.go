package load

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tfgate/tfgate/analyzer/eval"
	"github.com/tfgate/tfgate/analyzer/model"
)

var fuzzSeeds = []string{
	"",
	"resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  tags = merge(local.t, { team = \"a\" })\n}\n",
	"locals {\n  a = local.b\n  b = local.a\n}\n",
	"variable \"x\" {\n  type = object({ a = optional(number, 3) })\n  default = {}\n}\nlocals { y = var.x.a * 2 }\n",
	"module \"m\" {\n  source = \"./\"\n}\n",
	"terraform {\n  backend \"s3\" {}\n}\n",
	"resource \"a\" \"b\" {\n  dynamic \"tag\" {\n    for_each = { a = 1 }\n    content { key = tag.key }\n  }\n}\n",
	"x = <<EOT\nhello ${\"world\"}\nEOT\n",
	"# tfgate:ignore tags-required because exp:2026-01-01\nresource \"a\" \"b\" {}\n",
	"resource \"a\" \"b\" {\r\n  count = 2\r\n}\r\n",
	"{{{{{{{{{{",
	"a = !!!!!!!!!!!!!!!!!!!!true",
	"\xff\xfe\x00",
	`{"resource": {"aws_s3_bucket": {"b": {"tags": {"team": "x"}}}}}`,
}

// FuzzParseSource feeds arbitrary bytes to the parser front end, in both
// syntaxes: it must never panic, hang or overflow the stack.
func FuzzParseSource(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, src []byte, json bool) {
		kind := model.KindTF
		if json {
			kind = model.KindTFJSON
		}
		parseSource(src, "fuzz.tf", kind, true)
	})
}

// FuzzLoad runs the whole loader and evaluator on one file: discovery,
// parsing, ignores, variables, locals, module calls and block scopes.
func FuzzLoad(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), []byte("x = 1\n"))
	}
	f.Fuzz(func(t *testing.T, src, tfvars []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "terraform.tfvars"), tfvars, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := Load(LoadOptions{WorkDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range eval.Instantiate(p, eval.Options{}).Instances {
			for _, b := range in.Module.Resources {
				for _, s := range in.Scopes(b) {
					s.Attr("tags")
					for _, nb := range s.Blocks("tag") {
						nb.Attr("key")
					}
				}
			}
			for _, l := range in.Module.Locals {
				in.Origin(l.Attr.Expr)
			}
		}
	})
}
