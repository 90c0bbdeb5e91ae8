// Package monorepo generates a large, realistic Terraform monorepo for
// benchmarks: half reusable modules, half roots (environments) that call
// them with locals, tfvars, merge() and provider default tags.
package monorepo

import (
	"fmt"
	"os"
	"path/filepath"
)

// Layout says how big the tree is.
type Layout struct {
	Modules int // total modules: half reusable, half roots
}

// Files is the number of files Generate writes: 4 per reusable module and
// 6 per root, so 2,000 modules make 10,000 files.
func (l Layout) Files() int { return l.Modules/2*4 + (l.Modules-l.Modules/2)*6 }

// Generate writes the tree under dir.
func Generate(dir string, l Layout) error {
	children := l.Modules / 2
	roots := l.Modules - children
	if children == 0 {
		children = 1
	}
	for i := 0; i < l.Modules/2; i++ {
		if err := writeChild(filepath.Join(dir, "modules", fmt.Sprintf("svc%04d", i)), i); err != nil {
			return err
		}
	}
	for i := 0; i < roots; i++ {
		a, b := i%children, (i*7+3)%children
		if err := writeRoot(filepath.Join(dir, "live", fmt.Sprintf("team%03d", i/10), fmt.Sprintf("env%04d", i)), i, a, b); err != nil {
			return err
		}
	}
	return nil
}

func write(dir string, files map[string]string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func writeChild(dir string, i int) error {
	return write(dir, map[string]string{
		"main.tf": fmt.Sprintf(`locals {
  name = "${var.name}-svc%[1]d"
  tags = merge(var.tags, { Name = local.name, component = "svc%[1]d" })
}

resource "aws_s3_bucket" "data" {
  bucket = "${local.name}-data"
  tags   = local.tags
}

resource "aws_autoscaling_group" "workers" {
  name             = local.name
  min_size         = var.min_size
  max_size         = var.max_size
  desired_capacity = var.min_size

  dynamic "tag" {
    for_each = local.tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }
}

resource "aws_security_group" "this" {
  name        = local.name
  description = "svc%[1]d"
  vpc_id      = var.vpc_id
  tags        = local.tags
}
`, i),
		"variables.tf": `variable "name" {
  description = "Name prefix."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the service."
  type        = string
}

variable "min_size" {
  description = "Minimum workers."
  type        = number
  default     = 1
}

variable "max_size" {
  description = "Maximum workers."
  type        = number
  default     = 4
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
`,
		"outputs.tf": `output "bucket" {
  description = "Data bucket name."
  value       = aws_s3_bucket.data.bucket
}
`,
		"versions.tf": `terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}
`,
	})
}

func writeRoot(dir string, i, a, b int) error {
	return write(dir, map[string]string{
		"main.tf": fmt.Sprintf(`locals {
  common_tags = {
    team        = var.team
    environment = var.environment
    project     = "bench"
  }
}

module "svc_a" {
  source   = "../../../modules/svc%04[1]d"
  name     = "env%[3]d-a"
  vpc_id   = var.vpc_id
  min_size = var.min_size
  max_size = var.max_size
  tags     = local.common_tags
}

module "svc_b" {
  source = "../../../modules/svc%04[2]d"
  name   = "env%[3]d-b"
  vpc_id = var.vpc_id
  tags   = merge(local.common_tags, { tier = "batch" })
}
`, a, b, i),
		"variables.tf": `variable "team" {
  type        = string
  description = "Owning team."
}

variable "environment" {
  type        = string
  description = "Environment name."
}

variable "vpc_id" {
  type        = string
  description = "VPC ID."
}

variable "min_size" {
  type        = number
  description = "Minimum workers."
}

variable "max_size" {
  type        = number
  description = "Maximum workers."
}
`,
		"terraform.tfvars": fmt.Sprintf(`team        = "team%03d"
environment = "env%d"
vpc_id      = "vpc-0123456789abcdef0"
min_size    = %d
max_size    = %d
`, i/10, i, 1+i%3, 4+i%5),
		"versions.tf": fmt.Sprintf(`terraform {
  required_version = "~> 1.9"
  backend "s3" {
    bucket       = "bench-state"
    key          = "env%d/terraform.tfstate"
    region       = "eu-west-1"
    use_lockfile = true
    encrypt      = true
  }
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }
}
`, i),
		"providers.tf": `provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = { managed_by = "terraform" }
  }
}
`,
		".terraform.lock.hcl": `provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.62.0"
  constraints = "~> 5.60"
  hashes = [
    "h1:8tevkFG+ea/sNZYiQ2GQ02hknPcWBukxkrpjRCodQC0=",
  ]
}
`,
	})
}
