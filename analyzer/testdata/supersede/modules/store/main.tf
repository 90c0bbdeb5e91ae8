terraform {
  required_providers {
    aws = {
      source  = "local.test/ci/demo"
      version = "0.1.0"
    }
  }
}

variable "name" {
  type = string
}

resource "aws_s3_bucket" "this" {
  name    = "${var.name}.json"
  content = var.name
  tags = {
    team = "platform"
  }
}
