# Another root: the plan is not of it, its finding stays.
resource "aws_s3_bucket" "other" {
  name    = "other.json"
  content = "other"
}
