# The configuration scripts/terraform-check.sh applies against `ddbsse serve` (issue 15): a
# customer managed key with an alias, and three tables, one per key kind, with hash and range
# keys, a global and a local secondary index, time to live, tags and point-in-time recovery, and
# one item. `var.switched` moves the customer-key table to a second customer managed key (the
# second apply).

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "endpoint" {
  description = "The ddbsse serve URL (http://127.0.0.1:PORT)."
  type        = string
}

variable "prefix" {
  description = "Prefix of every name, so that runs never collide."
  type        = string
  default     = "tfcheck"
}

variable "switched" {
  description = "false: the customer-key table uses the aliased key; true: the second key."
  type        = bool
  default     = false
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "AKIDTERRAFORMCHECK"
  secret_key                  = "not-a-secret"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {
    dynamodb = var.endpoint
    kms      = var.endpoint
    sts      = var.endpoint
  }
}

resource "aws_kms_key" "table" {
  description             = "${var.prefix} table key"
  deletion_window_in_days = 7
}

resource "aws_kms_key" "next" {
  description             = "${var.prefix} next table key"
  deletion_window_in_days = 7
}

resource "aws_kms_alias" "table" {
  name          = "alias/${var.prefix}-table"
  target_key_id = aws_kms_key.table.key_id
}

locals {
  # One table per key kind: customer managed (switched to the second customer managed key by the
  # second apply), AWS managed, AWS owned.
  tables = {
    customer = { enabled = true, key = var.switched ? aws_kms_key.next.arn : aws_kms_key.table.arn }
    managed  = { enabled = true, key = null }
    owned    = { enabled = false, key = null }
  }
}

resource "aws_dynamodb_table" "t" {
  for_each = local.tables

  name         = "${var.prefix}-${each.key}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "player"
  range_key    = "game"

  attribute {
    name = "player"
    type = "S"
  }
  attribute {
    name = "game"
    type = "S"
  }
  attribute {
    name = "score"
    type = "N"
  }
  attribute {
    name = "played"
    type = "S"
  }

  global_secondary_index {
    name            = "by-game"
    hash_key        = "game"
    range_key       = "score"
    projection_type = "INCLUDE"
    non_key_attributes = ["note"]
  }

  local_secondary_index {
    name            = "by-played"
    range_key       = "played"
    projection_type = "KEYS_ONLY"
  }

  ttl {
    attribute_name = "expires"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = each.value.enabled
    kms_key_arn = each.value.key
  }

  tags = {
    project = "ddbsse"
    kind    = each.key
  }
}

resource "aws_dynamodb_table_item" "first" {
  for_each = aws_dynamodb_table.t

  table_name = each.value.name
  hash_key   = each.value.hash_key
  range_key  = each.value.range_key
  item = jsonencode({
    player = { S = "alice" }
    game   = { S = "chess" }
    score  = { N = "1200" }
    played = { S = "2019-03-11" }
    note   = { S = "first" }
  })
}

output "table_arns" {
  value = { for k, t in aws_dynamodb_table.t : k => t.arn }
}

output "key_arn" {
  value = aws_kms_key.table.arn
}

output "next_key_arn" {
  value = aws_kms_key.next.arn
}
