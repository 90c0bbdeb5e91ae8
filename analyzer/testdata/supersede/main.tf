# Plans supersede guesses (analyzer/supersede_test.go, TestSupersede). plan.json
# is `tofu show -json` of a plan made by OpenTofu 1.10.6 with the demo provider
# (fixtures/provider; aws_s3_bucket is its stand-in for the AWS type):
#   tofu plan -out plan.bin -var-file env/prod.tfvars \
#     -var 'tags={team="platform",environment="prod"}' \
#     -target aws_s3_bucket.logs -target aws_s3_bucket.assets \
#     -target aws_s3_bucket.computed -target module.store
# Its variables agree with env/prod.tfvars, not with env/dev.tfvars.
terraform {
  required_providers {
    aws = {
      source  = "local.test/ci/demo"
      version = "0.1.0"
    }
  }
}

provider "aws" {
  root_dir = "objects"
}

variable "region" {
  type    = string
  default = "none"
}

variable "tags" {
  type = map(string)
  default = {
    team = "platform"
  }
}

# Statically lacks `environment` (var.tags' default); the plan's -var
# supplies it: disproved in prod.
resource "aws_s3_bucket" "logs" {
  name    = "logs-${var.region}.json"
  content = "logs"
  tags    = var.tags
}

# The plan confirms it: the plan's finding replaces prod's.
resource "aws_s3_bucket" "assets" {
  name    = "assets.json"
  content = "assets"
  tags = {
    team = "platform"
  }
}

# The plan does not know the tags until apply (id is computed): the
# static finding stays.
resource "aws_s3_bucket" "computed" {
  name    = "computed.json"
  content = "computed"
  tags = {
    team = "platform"
    ref  = aws_s3_bucket.logs.id
  }
}

# Not in the plan (-target): the static finding stays.
resource "aws_s3_bucket" "archive" {
  name    = "archive.json"
  content = "archive"
  tags    = var.tags
}

# In the plan through module.store, not through module.spare.
module "store" {
  source = "./modules/store"
  name   = "store"
}

module "spare" {
  source = "./modules/store"
  name   = "spare"
}
