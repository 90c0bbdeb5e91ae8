package fasthcl

import (
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// sameAsHCLSyntax is the package's one promise: when Parse accepts src, its
// tree is the one hclsyntax.ParseConfig builds, and hclsyntax finds no
// error. It returns whether Parse accepted src.
func sameAsHCLSyntax(t *testing.T, name string, src []byte) bool {
	t.Helper()
	got, ok := Parse(src, name)
	if !ok {
		return false
	}
	want, diags := hclsyntax.ParseConfig(src, name, hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		t.Fatalf("%s: accepted a file hclsyntax rejects: %s\n%s", name, diags.Error(), src)
	}
	if d := diff("Body", reflect.ValueOf(got.Body), reflect.ValueOf(want.Body)); d != "" {
		t.Fatalf("%s: tree differs from hclsyntax's at %s\n--- source ---\n%s", name, d, src)
	}
	if string(got.Bytes) != string(want.Bytes) {
		t.Fatalf("%s: Bytes differ", name)
	}
	return true
}

// diff returns the path to the first difference between a and b, with both
// values, or "" when they are deeply equal.
func diff(path string, a, b reflect.Value) string {
	if a.IsValid() != b.IsValid() {
		return fmt.Sprintf("%s: valid %v vs %v", path, a.IsValid(), b.IsValid())
	}
	if !a.IsValid() {
		return ""
	}
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s: type %s vs %s", path, a.Type(), b.Type())
	}
	switch a.Type() {
	case reflect.TypeOf(cty.Value{}):
		va, vb := a.Interface().(cty.Value), b.Interface().(cty.Value)
		if !va.Type().Equals(vb.Type()) || va.IsKnown() != vb.IsKnown() || va.IsNull() != vb.IsNull() {
			return fmt.Sprintf("%s: %#v vs %#v", path, va, vb)
		}
		// Numbers are compared as big.Floats: cty's equality formats them
		// as decimals, which takes minutes for 7e-11111112.
		if va.Type() == cty.Number && va.IsKnown() && !va.IsNull() {
			if va.AsBigFloat().Cmp(vb.AsBigFloat()) != 0 {
				return fmt.Sprintf("%s: %g vs %g", path, va.AsBigFloat(), vb.AsBigFloat())
			}
		} else if va.IsKnown() && !va.IsNull() && !va.RawEquals(vb) {
			return fmt.Sprintf("%s: %#v vs %#v", path, va, vb)
		}
		if !reflect.DeepEqual(va, vb) {
			return fmt.Sprintf("%s: %#v vs %#v (representation)", path, va, vb)
		}
		return ""
	case reflect.TypeOf(&hclsyntax.Operation{}):
		if a.Pointer() != b.Pointer() {
			return fmt.Sprintf("%s: different operations", path)
		}
		return ""
	case reflect.TypeOf(&big.Float{}):
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			return fmt.Sprintf("%s: %v vs %v", path, a.Interface(), b.Interface())
		}
		return ""
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v vs %v", path, a.IsNil(), b.IsNil())
		}
		if a.IsNil() {
			return ""
		}
		return diff(path, a.Elem(), b.Elem())
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if d := diff(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil slice %v vs %v", path, a.IsNil(), b.IsNil())
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: len %d vs %d", path, a.Len(), b.Len())
		}
		for i := 0; i < a.Len(); i++ {
			if d := diff(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Map:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil map %v vs %v", path, a.IsNil(), b.IsNil())
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: len %d vs %d", path, a.Len(), b.Len())
		}
		for _, k := range a.MapKeys() {
			if d := diff(fmt.Sprintf("%s[%v]", path, k), a.MapIndex(k), b.MapIndex(k)); d != "" {
				return d
			}
		}
		return ""
	}
	// Unexported scalar fields cannot be read through Interface; compare by kind.
	switch a.Kind() {
	case reflect.String:
		if a.String() != b.String() {
			return fmt.Sprintf("%s: %q vs %q", path, a.String(), b.String())
		}
	case reflect.Bool:
		if a.Bool() != b.Bool() {
			return fmt.Sprintf("%s: %v vs %v", path, a.Bool(), b.Bool())
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if a.Int() != b.Int() {
			return fmt.Sprintf("%s: %d vs %d", path, a.Int(), b.Int())
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if a.Uint() != b.Uint() {
			return fmt.Sprintf("%s: %d vs %d", path, a.Uint(), b.Uint())
		}
	default:
		return fmt.Sprintf("%s: cannot compare kind %s", path, a.Kind())
	}
	return ""
}

// cases are written to exercise each construct Parse handles, and the
// edges where it must decline.
var cases = []struct {
	src    string
	accept bool
}{
	{"", true},
	{"\n\n# only a comment", true},
	{"/* lead */ a = 1\n", true},
	{"a = 1", true},
	{"a = 1 # trailing\nb = 2 // other\r\nc = 3 /* block */\n", true},
	{"a = 1\r\nb = \"x\"\r\n", true},
	{"a = -1.5e3\nb = 0.25\nc = 10\nd = 1E+2\ne = 7e-1\n", true},
	{"a = true\nb = false\nc = null\n", true},
	{"a = \"\"\nb = \"plain\"\nc = \"esc \\\" \\\\ \\n \\r \\t\"\nd = \"cost $5 or 50%\"\n", true},
	{"a = \"${var.x}\"\nb = \"p-${var.x}-${local.y[0]}-s\"\nc = \"${ \"nested ${x}\" }\"\n", true},
	{"a = \"${ {k = 1}.k }\"\n", true},
	{"a = var.x.y[0][\"k\"].z\nb = x[var.i]\nc = x[\"${y}\"]\nd = x[1 + 1]\ne = f(x)[0].y\n", true},
	{"a = aws_instance.web.*.id\nb = aws_instance.web[*].id\nc = x.*.y.0\nd = x[*]\ne = x.*\nf = x[*].a[0].b\n", true},
	{"a = x.0\nb = x.1.y\n", true},
	{"a = f()\nb = g(1, 2,)\nc = h(\n  1,\n  [2],\n)\nd = concat(x...)\ne = provider::aws::arn_parse(x)\n", true},
	{"a = []\nb = [1, 2, 3]\nc = [\n  1,\n  2,\n]\nd = [for s in var.l : upper(s) if s != \"\"]\n", true},
	{"a = {}\nb = { a = 1, b = 2 }\nc = {\n  a = 1\n  \"b\" = 2\n  (var.k) = 3\n  d: 4,\n}\n", true},
	{"a = { for k, v in var.m : k => v... if v != null }\nb = {\n  for k, v in var.m :\n  k => v\n}\n", true},
	{"a = x ? 1 : 2\nb = (x == 1) && !y || z\nc = 1 + 2 * 3 - 4 / 5 % 6\nd = a < b\ne = a <= b\nf = a > b\ng = a >= b\nh = a != b\ni = -x.y\nj = x ? y ? 1 : 2 : 3\n", true},
	{"a = (\n  1 +\n  2\n)\n", true},
	{"resource \"aws_instance\" \"web\" {\n  ami = \"ami-1\"\n  tags = {\n    Name = \"web\"\n  }\n  lifecycle {\n    ignore_changes = [tags]\n  }\n  dynamic \"tag\" {\n    for_each = local.tags\n    content {\n      key = tag.key\n    }\n  }\n}\n", true},
	{"locals {}\nx {\n}\ny { a = 1 }\nz label { }\nterraform { required_version = \">= 1.5\" }\n", true},
	{"block \"a\" \"b\" {\n  # comment inside\n  a = 1 # trailing\n\n  /* c */\n}\n", true},
	{"a = x - 1\nb = x-1\nc = x -1\n", true},
	{"a = 1.2.3\n", false},
	{"a = x.0.1\n", false},
	{"a = <<EOT\nhello\nEOT\n", true},
	{"a = <<EOT\n\\\\{ \\n \\\" \\{\n\\\\{$\nEOT\nb = \"aa{ \\\\{\"\n", true},
	{"a = <<-EOT\n    {\n      \"k\": \"${var.v}\",\n\n      \"n\": 1\n    }\n    EOT\nb = 1\n", true},
	{"user_data = <<-EOF\n\t#!/bin/bash\n\techo $HOME $${VAR} 100% %%{x} $\n\t${local.cmd} --flag\n\t  indented\n\tEOF\n", true},
	{"a = <<EOT\r\nline\r\n${x}EOT\r\n  EOT\r\n", true},
	{"a = <<EOT\nEOT\nb = <<-EOT\n  EOT\nc = <<END-OF-TEXT\n${x}\nEND-OF-TEXT\n", true},
	{"a = f(<<EOT\nx\nEOT\n, 2)\nb = [<<-A\n  ${<<B\n  inner\nB\n}\n  A\n]\n", true},
	{"a = <<-EOT\n\u3000\u3000caf\u00e9 \u2014 e\u0301\n\u3000 ${x}\u0301\n  \n\u3000EOT\n", true},
	{"a = <<EOT\n%{ if x }y%{ endif }\nEOT\n", false},
	{"a = <<EOT\nno end\n", false},
	{"a = <<EOT\nx\nEOT", false},
	{"a = <<EOT x\nEOT\n", false},
	{"a = <<\nEOT\n", false},
	{"a = \"%{ if x }y%{ endif }\"\n", false},
	{"a = \"${~ x ~}\"\n", false},
	{"a = \"$${x}\"\nb = \"%%{x}\"\nc = \"$$${x}\"\nd = \"$$$${x}\"\ne = \"$$x $ %% % $$\"\nf = \"a$${b}c${d}\"\n", true},
	{"a = \"\\u00e9\"\n", false},
	{"description = \"caf\u00e9 \u2014 \u2713 \U0001F680 done\" # \u00fcber \U0001F1E9\U0001F1EA\nb = \"x\" /* \u00e9\u00e9 */ # e\u0301\nc = \"\u0301after quote\"\nd = \"${x}\u0301\"\ne = \"\ud55c\uad6d\uc5b4 ${y} \u0915\u094d\u0937\"\n/* multi\n line \u00e9 */ f = 1\n", true},
	{"caf\u00e9 = 1\n", false},
	{"a = 1 \u2713\n", false},
	{"\ufeffa = \"\u00e9\"\n", false},
	{"a = \"\xff\"\n", false},
	{"a = 1\na = 2\n", false},
	{"a = 1, b = 2\n", false},
	{"a = \"unterminated\n", false},
	{"block {\n", false},
	{"block \"${x}\" {}\n", false},
	{"a = x & y\n", false},
	{"a = 1 /* open", false},
	{"a = [for x in y: x => x]\n", false},
	{"a = {for x in y: x}\n", false},
	{"\"quoted\" = 1\n", false},
	{"a = \r 1\n", false},
	{"}\n", false},
	{"a = f(x...,y)\n", false},
}

func TestCases(t *testing.T) {
	for i, c := range cases {
		name := fmt.Sprintf("case%d.tf", i)
		if got := sameAsHCLSyntax(t, name, []byte(c.src)); got != c.accept {
			t.Errorf("%s: accepted=%v, want %v\n%s", name, got, c.accept, c.src)
		}
	}
}

// TestRepositoryFiles parses every native-syntax HCL file in this
// repository (fixtures of real modules, of every rule and of bad input;
// tfvars, backend and lock files, configs) both ways.
func TestRepositoryFiles(t *testing.T) {
	files, accepted := compareTree(t, "../..")
	t.Logf("%d of %d files took the fast path", accepted, files)
	if files < 100 || accepted*10 < files*8 {
		t.Fatalf("only %d of %d repository files took the fast path: the subset is too narrow to matter", accepted, files)
	}
}

// TestCorpus does the same for checkouts of public Terraform code named in
// $FASTHCL_CORPUS (colon-separated directories), when set:
//
//	FASTHCL_CORPUS=$HOME/src/terraform-aws-eks go test ./internal/fasthcl -run Corpus -v
func TestCorpus(t *testing.T) {
	dirs := os.Getenv("FASTHCL_CORPUS")
	if dirs == "" {
		t.Skip("FASTHCL_CORPUS not set")
	}
	for _, dir := range filepath.SplitList(dirs) {
		if dir == "" {
			continue
		}
		files, accepted := compareTree(t, dir)
		t.Logf("%s: %d of %d files took the fast path", dir, accepted, files)
	}
}

func compareTree(t *testing.T, root string) (files, accepted int) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() || !nativeHCL(path) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if sameAsHCLSyntax(t, path, src) {
			accepted++
		} else if os.Getenv("FASTHCL_DECLINED") != "" {
			t.Logf("declined: %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, accepted
}

// nativeHCL reports whether a file is HCL native syntax: configuration,
// tfvars, backend and lock files, and other .hcl files (.tfgate.hcl).
func nativeHCL(path string) bool {
	for _, ext := range []string{".tf", ".tfvars", ".tfbackend", ".hcl"} {
		if strings.HasSuffix(path, ext) {
			return true
		}
	}
	return false
}

// FuzzParse holds Parse to hclsyntax on arbitrary input; the seeds are the
// cases above.
func FuzzParse(f *testing.F) {
	for _, c := range cases {
		f.Add([]byte(c.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		sameAsHCLSyntax(t, "fuzz.tf", src)
	})
}
