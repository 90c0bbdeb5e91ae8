package monorepo

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// LargeFile writes a root module whose main.tf is one file of about size
// bytes — the other input class of the benchmarks: a generated or
// hand-grown file with thousands of resources (a landing zone's IAM, a
// DNS zone, a fleet of buckets), each with tags, references to locals and
// variables, nested and dynamic blocks and for_each. It returns the number
// of resource blocks written.
func LargeFile(dir string, size int64) (int, error) {
	if err := write(dir, map[string]string{
		"versions.tf": `terraform {
  required_version = "~> 1.9"
  backend "s3" {
    bucket       = "bench-state"
    key          = "large/terraform.tfstate"
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

provider "aws" {
  region = "eu-west-1"
}

variable "environment" {
  type        = string
  description = "Environment name."
  default     = "prod"
}

variable "vpc_id" {
  type        = string
  description = "VPC ID."
  default     = "vpc-0123456789abcdef0"
}

locals {
  common_tags = {
    team        = "platform"
    environment = var.environment
    cost_center = "cc-1234"
  }
  ports = [443, 8443, 9090]
}
`,
	}); err != nil {
		return 0, err
	}
	f, err := os.Create(filepath.Join(dir, "main.tf"))
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := &countingWriter{w: bw}
	n := 0
	for ; w.n < size; n++ {
		switch n % 4 {
		case 0:
			fmt.Fprintf(w, `resource "aws_s3_bucket" "b%[1]d" {
  bucket = "${var.environment}-data-%[1]d"
  tags   = merge(local.common_tags, { Name = "data-%[1]d", index = "%[1]d" })
}

`, n)
		case 1:
			fmt.Fprintf(w, `resource "aws_security_group" "sg%[1]d" {
  name        = "sg-%[1]d"
  description = "service %[1]d"
  vpc_id      = var.vpc_id

  dynamic "ingress" {
    for_each = local.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["10.%[2]d.%[3]d.0/24"]
    }
  }

  tags = local.common_tags
}

`, n, n/256%256, n%256)
		case 2:
			fmt.Fprintf(w, `resource "aws_iam_role_policy" "p%[1]d" {
  name = "policy-%[1]d"
  role = "role-%[1]d"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = ["arn:aws:s3:::${var.environment}-data-%[1]d", "arn:aws:s3:::${var.environment}-data-%[1]d/*"]
    }]
  })
}

`, n)
		case 3:
			fmt.Fprintf(w, `resource "aws_route53_record" "r%[1]d" {
  for_each = toset(["a", "b"])
  zone_id  = "Z0123456789ABC"
  name     = "host-%[1]d-${each.key}.example.com"
  type     = "A"
  ttl      = 300
  records  = ["10.0.%[2]d.%[3]d"]
}

`, n, n/256%256, n%256)
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	return n, f.Close()
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
