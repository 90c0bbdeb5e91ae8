package load

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/tfgate/tfgate/analyzer/model"
)

// TestOverrideFiles: override files merge into every block as Terraform
// merges them, and each argument keeps the range of the file that wrote it.
func TestOverrideFiles(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"root/main.tf": `
resource "aws_instance" "web" {
  ami           = "ami-1"
  instance_type = "t3.micro"
  ebs_block_device {
    device_name = "/dev/sda"
  }
  ebs_block_device {
    device_name = "/dev/sdb"
  }
  dynamic "network_interface" {
    for_each = []
    content {}
  }
  root_block_device {
    volume_size = 8
  }
  lifecycle {
    create_before_destroy = true
    prevent_destroy       = false
  }
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

output "id" {
  value = "a"
}

provider "aws" {
  region = "eu-west-1"
}

provider "aws" {
  alias  = "dr"
  region = "eu-central-1"
}

locals {
  a = 1
  b = 2
}

module "net" {
  source = "../net-v1"
}
`,
		"root/override.tf": `
resource "aws_instance" "web" {
  instance_type = "m5.large"
  ebs_block_device {
    device_name = "/dev/sdc"
  }
  network_interface {
    device_index = 0
  }
  lifecycle {
    prevent_destroy = true
  }
}

provider "aws" {
  alias  = "dr"
  region = "us-east-1"
}

locals {
  b = 20
}
`,
		"root/z_override.tf.json": `{
  "variable": {"region": {"default": "us-west-2"}},
  "module": {"net": {"source": "../net-v2"}},
  "output": {"id": {"description": "the id"}}
}`,
		"root/orphan_override.tf": `
resource "aws_s3_bucket" "nowhere" {
  bucket = "x"
}
`,
		"net-v1/main.tf": "variable \"v1\" {}\n",
		"net-v2/main.tf": "variable \"v2\" {}\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := Load(LoadOptions{WorkDir: dir, Paths: []string{"root"}})
	if err != nil {
		t.Fatal(err)
	}
	m := p.Module("root")
	if len(m.Resources) != 1 {
		t.Fatalf("%d resources, want the one merged", len(m.Resources))
	}
	web := m.Resources[0]
	if a := web.Attr("instance_type"); a == nil || a.Range.Filename != "root/override.tf" || exprText(t, p, a) != `"m5.large"` {
		t.Errorf("instance_type not replaced: %v", a)
	}
	if a := web.Attr("ami"); a == nil || a.Range.Filename != "root/main.tf" {
		t.Errorf("ami not kept from main.tf: %v", a)
	}
	var devices []string
	for _, b := range web.Blocks("ebs_block_device") {
		a := b.Attr("device_name")
		devices = append(devices, exprText(t, p, a)+"@"+a.Range.Filename)
	}
	if got := strings.Join(devices, ","); got != `"/dev/sdc"@root/override.tf` {
		t.Errorf("ebs_block_device blocks = %s: the override's must replace all of the type", got)
	}
	if n := len(web.Blocks("root_block_device")); n != 1 {
		t.Errorf("%d root_block_device blocks: a type the override does not name stays", n)
	}
	if n, d := len(web.Blocks("network_interface")), len(web.Blocks("dynamic")); n != 1 || d != 0 {
		t.Errorf("network_interface %d, dynamic %d: a static block replaces a dynamic one of its type", n, d)
	}
	lc := web.Blocks("lifecycle")
	if len(lc) != 1 {
		t.Fatalf("%d lifecycle blocks, want one merged", len(lc))
	}
	if a := lc[0].Attr("create_before_destroy"); a == nil || a.Range.Filename != "root/main.tf" {
		t.Errorf("lifecycle.create_before_destroy lost: %v", a)
	}
	if a := lc[0].Attr("prevent_destroy"); a == nil || exprText(t, p, a) != "true" {
		t.Errorf("lifecycle.prevent_destroy not overridden: %v", a)
	}
	if len(m.Providers) != 2 {
		t.Fatalf("%d provider blocks, want 2", len(m.Providers))
	}
	for _, pb := range m.Providers {
		want := `"eu-west-1"`
		if pb.ProviderKey() == "aws.dr" {
			want = `"us-east-1"`
		}
		if got := exprText(t, p, pb.Attr("region")); got != want {
			t.Errorf("provider %s region = %s, want %s", pb.ProviderKey(), got, want)
		}
	}
	var locals []string
	for _, l := range m.Locals {
		locals = append(locals, l.Name+"="+exprText(t, p, l.Attr)+"@"+l.Attr.Range.Filename)
	}
	sort.Strings(locals)
	if got := strings.Join(locals, ","); got != "a=1@root/main.tf,b=20@root/override.tf" {
		t.Errorf("locals = %s", got)
	}
	// JSON overrides of native blocks: merged as they are read.
	if len(m.Variables) != 1 || len(m.Outputs) != 1 {
		t.Fatalf("variables %d, outputs %d: override blocks must merge, not add", len(m.Variables), len(m.Outputs))
	}
	if a := m.Variables[0].Attr("default"); a == nil || a.Range.Filename != "root/z_override.tf.json" {
		t.Errorf("variable default not overridden from JSON: %v", a)
	}
	if a := m.Variables[0].Attr("type"); a == nil || a.Range.Filename != "root/main.tf" {
		t.Errorf("variable type lost: %v", a)
	}
	if a := m.Outputs[0].Attr("description"); a == nil {
		t.Errorf("output description not added")
	}
	if a := m.Outputs[0].Attr("value"); a == nil {
		t.Errorf("output value lost")
	}
	// A module source in an override decides which module is called.
	if len(m.ModuleCalls) != 1 || m.ModuleCalls[0].Source != "../net-v2" || m.ModuleCalls[0].Target == nil || m.ModuleCalls[0].Target.Dir != "net-v2" {
		t.Errorf("module call: %+v", m.ModuleCalls)
	}
	var probs []string
	for _, pr := range p.Problems {
		probs = append(probs, pr.Range.String()+": "+pr.Message)
	}
	if got := strings.Join(probs, "\n"); !strings.Contains(got, "root/orphan_override.tf:2,1-35: override of aws_s3_bucket.nowhere: there is no block of that type and name in the module's other files to override") {
		t.Errorf("problems:\n%s", got)
	}
}

// exprText is the source text of an attribute's expression.
func exprText(t *testing.T, p *model.Project, a *hcl.Attribute) string {
	t.Helper()
	if a == nil {
		return "<nil>"
	}
	r := a.Expr.Range()
	for _, m := range p.Modules {
		for _, f := range m.Files {
			if f.Path == r.Filename {
				return string(f.Src[r.Start.Byte:r.End.Byte])
			}
		}
	}
	return "?"
}
