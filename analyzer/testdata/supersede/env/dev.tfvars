region = "us"
