//! The ARNs and principals AWS names resources and callers with, for one account and region.
//!
//! Does: format table, KMS key, alias and account-root ARNs and DynamoDB's service principal.
//! Does not: parse ARNs (see `kms` key references in the model and the engine) or check that the
//! named resource exists.

/// `arn:aws:dynamodb:<region>:<account>:table/<name>`.
pub fn table(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:dynamodb:{region}:{account}:table/{name}")
}

/// `arn:aws:kms:<region>:<account>:key/<key id>`.
pub fn kms_key(region: &str, account: &str, key_id: &str) -> String {
    format!("arn:aws:kms:{region}:{account}:key/{key_id}")
}

/// `arn:aws:kms:<region>:<account>:<alias name>`, where the alias name starts with `alias/`.
pub fn kms_alias(region: &str, account: &str, alias_name: &str) -> String {
    format!("arn:aws:kms:{region}:{account}:{alias_name}")
}

/// The prefix every KMS ARN of this account and region starts with: `arn:aws:kms:<region>:<account>:`.
pub fn kms_prefix(region: &str, account: &str) -> String {
    format!("arn:aws:kms:{region}:{account}:")
}

/// The account's root principal, as ListGrants shows a grant's `IssuingAccount`.
pub fn account_root(account: &str) -> String {
    format!("arn:aws:iam::{account}:root")
}

/// The IAM user ARN under which ddbsse shows a caller: the endpoint knows no users, so the user
/// name is the access key id (`spec/trail.md#identity`).
pub fn iam_user(account: &str, access_key_id: &str) -> String {
    format!("arn:aws:iam::{account}:user/{access_key_id}")
}

/// DynamoDB's regional service principal: the grantee and retiring principal of the grant
/// DynamoDB creates for a table (`spec/kms.md#dynamodb-grant`).
pub fn dynamodb_principal(region: &str) -> String {
    format!("dynamodb.{region}.amazonaws.com")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(
            table("us-east-1", "123456789012", "t1"),
            "arn:aws:dynamodb:us-east-1:123456789012:table/t1"
        );
        assert_eq!(
            kms_key("eu-west-1", "1", "k"),
            "arn:aws:kms:eu-west-1:1:key/k"
        );
        assert_eq!(
            kms_alias("eu-west-1", "1", "alias/a"),
            "arn:aws:kms:eu-west-1:1:alias/a"
        );
        assert!(kms_key("r", "a", "k").starts_with(&kms_prefix("r", "a")));
        assert_eq!(account_root("42"), "arn:aws:iam::42:root");
        assert_eq!(iam_user("42", "AKID"), "arn:aws:iam::42:user/AKID");
        assert_eq!(
            dynamodb_principal("ap-south-1"),
            "dynamodb.ap-south-1.amazonaws.com"
        );
    }
}
