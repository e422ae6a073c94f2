//! A table named by its ARN: every `TableName` member, and every key of a batch's
//! `RequestItems`, may be the ARN of a table instead of its name (`spec/tables.md#table-arn`).
//!
//! Does: tell an ARN from a name (an ARN starts with `arn:`; a name cannot hold a colon), take
//! the table name out of an ARN of the serving account and region, refuse ARNs of other resource
//! types, regions and accounts with AWS's errors, and rewrite a request so that its handler sees
//! names only ([`Request::resolve_table_arns`]); then rename a batch answer's map keys back to the
//! form the request used ([`Renamed::restore`]).
//!
//! Does not: check the name's length or characters (the handler's `validate::table_name` checks
//! the resolved name as it checks any name), or whether the table exists.

use std::collections::BTreeMap;

use crate::arn;
use crate::dynamodb_errors;
use crate::error::ApiError;
use crate::operation::{Request, Response};

/// Where a request is served and who sent it: a table ARN must name this region and account.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'a> {
    /// The serving region.
    pub region: &'a str,
    /// The serving account.
    pub account: &'a str,
    /// The caller's access key id, named in the refusal of another account's table.
    pub access_key_id: &'a str,
}

/// The table name a `TableName` member gives: `given` itself when it is not an ARN, else the
/// name inside a table ARN of `scope`'s region and account.
///
/// `action` is the operation's name, quoted in the refusal of another account's table.
pub fn resolve<'a>(given: &'a str, scope: &Scope<'_>, action: &str) -> Result<&'a str, ApiError> {
    //= spec/tables.md#table-arn
    //# A `TableName` that does not start with `arn:` MUST be read as a table name.
    let Some(rest) = given.strip_prefix("arn:") else {
        return Ok(given);
    };
    let mut parts = rest.splitn(5, ':');
    let (Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(dynamodb_errors::not_a_table_arn(given));
    };
    //= spec/tables.md#table-arn
    //# An ARN that is not of the form `arn:aws:dynamodb:<region>:<account>:table/<name>`, with no `/` in `<name>` (an index, a stream, another service, a malformed ARN), MUST fail with `ValidationException` and the message `1 validation error detected: Value '<given>' at 'tableName' failed to satisfy constraint: Member must be a table name or the ARN of a table`.
    let name = match resource.strip_prefix("table/") {
        Some(name) if partition == "aws" && service == "dynamodb" && !name.contains('/') => name,
        _ => return Err(dynamodb_errors::not_a_table_arn(given)),
    };
    //= spec/tables.md#table-arn
    //# A table ARN of another region MUST fail with `ValidationException` and the message `1 validation error detected: Invalid AWS region in '<given>'`, checked before the account.
    if region != scope.region {
        return Err(dynamodb_errors::table_arn_other_region(given));
    }
    //= spec/tables.md#table-arn
    //# A table ARN of the serving region and another account MUST fail with `AccessDeniedException` and the message `User: <caller ARN> is not authorized to perform: dynamodb:<operation> on resource: <given> because no resource-based policy allows the dynamodb:<operation> action`.
    if account != scope.account {
        let caller = arn::iam_user(scope.account, scope.access_key_id);
        return Err(dynamodb_errors::table_arn_other_account(
            &caller, action, given,
        ));
    }
    //= spec/tables.md#table-arn
    //# A table ARN of the serving region and account MUST be read as the `<name>` it ends with, in every operation that takes a `TableName` (CreateTable included) and in the keys of `RequestItems` of BatchGetItem and BatchWriteItem.
    Ok(name)
}

/// The batch keys a request gave as ARNs: (the name the handler saw, the key as given).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Renamed(Vec<(String, String)>);

impl Renamed {
    /// Renames the table keys of a batch answer (`Responses`, `UnprocessedKeys`,
    /// `UnprocessedItems`) back to the form the request gave them in.
    pub fn restore(&self, response: &mut Response) {
        if self.0.is_empty() {
            return;
        }
        //= spec/tables.md#table-arn
        //# The `Responses`, `UnprocessedKeys` and `UnprocessedItems` of a batch MUST name each table by the key the request used for it, name or ARN.
        match response {
            Response::BatchGetItem(out) => {
                self.rename(&mut out.responses);
                self.rename(&mut out.unprocessed_keys);
            }
            Response::BatchWriteItem(out) => self.rename(&mut out.unprocessed_items),
            _ => {}
        }
    }

    fn rename<V>(&self, map: &mut BTreeMap<String, V>) {
        for (name, given) in &self.0 {
            if let Some(v) = map.remove(name) {
                map.insert(given.clone(), v);
            }
        }
    }
}

/// Resolves the keys of a batch's `RequestItems`, refusing one table named twice.
fn resolve_keys<V>(
    items: &BTreeMap<String, V>,
    scope: &Scope<'_>,
    action: &str,
    renamed: &mut Renamed,
) -> Result<BTreeMap<String, V>, ApiError>
where
    V: Clone,
{
    let mut out = BTreeMap::new();
    for (given, v) in items {
        let name = resolve(given, scope, action)?;
        //= spec/tables.md#table-arn
        //# A batch whose `RequestItems` name one table twice, once by name and once by ARN, MUST fail with `ValidationException` and the message `Provided list of item keys contains duplicates: table <name> is named more than once`.
        if out.insert(name.to_owned(), v.clone()).is_some() {
            return Err(dynamodb_errors::table_named_twice(name));
        }
        if name != given {
            renamed.0.push((name.to_owned(), given.clone()));
        }
    }
    Ok(out)
}

fn is_arn(name: Option<&str>) -> bool {
    name.is_some_and(|n| n.starts_with("arn:"))
}

impl Request {
    /// This request with every table ARN it holds replaced by the table's name, and the batch
    /// keys so renamed; `None` when it holds no ARN (the common case, which copies nothing).
    pub fn resolve_table_arns(
        &self,
        scope: &Scope<'_>,
    ) -> Result<Option<(Request, Renamed)>, ApiError> {
        let action = self.operation().name();
        let one = |name: &Option<String>| -> Result<Option<String>, ApiError> {
            name.as_deref()
                .map(|n| resolve(n, scope, action).map(str::to_owned))
                .transpose()
        };
        // The operations with one `TableName` member: a copy only when it holds an ARN.
        macro_rules! one_table_name {
            ($($op:ident),* $(,)?) => {
                match self {
                    $(Request::$op(i) => {
                        if !is_arn(i.table_name.as_deref()) {
                            return Ok(None);
                        }
                        let mut i = i.clone();
                        i.table_name = one(&i.table_name)?;
                        return Ok(Some((Request::$op(i), Renamed::default())));
                    })*
                    _ => {}
                }
            };
        }
        one_table_name!(
            CreateTable,
            DescribeTable,
            UpdateTable,
            DeleteTable,
            PutItem,
            GetItem,
            UpdateItem,
            DeleteItem,
            Query,
            Scan,
            UpdateTimeToLive,
            DescribeTimeToLive,
            DescribeContinuousBackups,
            UpdateContinuousBackups,
        );
        let mut renamed = Renamed::default();
        let resolved = match self {
            Request::TransactWriteItems(i)
                if i.transact_items.iter().flatten().any(|t| {
                    [&t.condition_check, &t.put, &t.delete, &t.update]
                        .into_iter()
                        .flatten()
                        .any(|a| is_arn(a.table_name.as_deref()))
                }) =>
            {
                let mut i = i.clone();
                for t in i.transact_items.iter_mut().flatten() {
                    for a in [
                        &mut t.condition_check,
                        &mut t.put,
                        &mut t.delete,
                        &mut t.update,
                    ]
                    .into_iter()
                    .flatten()
                    {
                        a.table_name = one(&a.table_name)?;
                    }
                }
                Request::TransactWriteItems(i)
            }
            Request::TransactGetItems(i)
                if i.transact_items
                    .iter()
                    .flatten()
                    .filter_map(|t| t.get.as_ref())
                    .any(|a| is_arn(a.table_name.as_deref())) =>
            {
                let mut i = i.clone();
                for a in i
                    .transact_items
                    .iter_mut()
                    .flatten()
                    .filter_map(|t| t.get.as_mut())
                {
                    a.table_name = one(&a.table_name)?;
                }
                Request::TransactGetItems(i)
            }
            Request::BatchWriteItem(i)
                if i.request_items
                    .as_ref()
                    .is_some_and(|m| m.keys().any(|k| is_arn(Some(k)))) =>
            {
                let mut i = i.clone();
                if let Some(items) = &i.request_items {
                    i.request_items = Some(resolve_keys(items, scope, action, &mut renamed)?);
                }
                Request::BatchWriteItem(i)
            }
            Request::BatchGetItem(i)
                if i.request_items
                    .as_ref()
                    .is_some_and(|m| m.keys().any(|k| is_arn(Some(k)))) =>
            {
                let mut i = i.clone();
                if let Some(items) = &i.request_items {
                    i.request_items = Some(resolve_keys(items, scope, action, &mut renamed)?);
                }
                Request::BatchGetItem(i)
            }
            _ => return Ok(None),
        };
        Ok(Some((resolved, renamed)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    const SCOPE: Scope<'static> = Scope {
        region: "us-east-1",
        account: "123456789012",
        access_key_id: "AKIDEXAMPLE",
    };

    #[test]
    fn names_pass_through_and_arns_of_this_account_resolve() {
        assert_eq!(resolve("ratings", &SCOPE, "GetItem").unwrap(), "ratings");
        assert_eq!(
            resolve(
                "arn:aws:dynamodb:us-east-1:123456789012:table/ratings",
                &SCOPE,
                "GetItem"
            )
            .unwrap(),
            "ratings"
        );
    }

    #[test]
    fn other_resources_regions_and_accounts_are_refused() {
        for not_a_table in [
            "arn:aws:dynamodb:us-east-1:123456789012:table/t1/index/i1",
            "arn:aws:dynamodb:us-east-1:123456789012:table/t1/stream/2024",
            "arn:aws:kms:us-east-1:123456789012:table/t1",
            "arn:aws-cn:dynamodb:us-east-1:123456789012:table/t1",
            "arn:aws:dynamodb:us-east-1:123456789012:backup/t1",
            "arn:aws:dynamodb:us-east-1",
        ] {
            let e = resolve(not_a_table, &SCOPE, "GetItem").unwrap_err();
            assert_eq!(e.code, ErrorCode::Validation, "{not_a_table}");
            assert!(e.message.contains("the ARN of a table"), "{}", e.message);
        }
        let e = resolve(
            "arn:aws:dynamodb:eu-west-1:999999999999:table/t1",
            &SCOPE,
            "GetItem",
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::Validation);
        assert!(e.message.contains("Invalid AWS region"));
        let e = resolve(
            "arn:aws:dynamodb:us-east-1:999999999999:table/t1",
            &SCOPE,
            "PutItem",
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::AccessDenied);
        assert_eq!(
            e.message,
            "User: arn:aws:iam::123456789012:user/AKIDEXAMPLE is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:999999999999:table/t1 because no resource-based policy allows the dynamodb:PutItem action"
        );
    }

    #[test]
    fn requests_without_arns_are_not_copied() {
        let req = Request::parse(
            "DynamoDB_20120810.GetItem",
            br#"{"TableName":"t1","Key":{"pk":{"S":"a"}}}"#,
        )
        .unwrap();
        assert!(req.resolve_table_arns(&SCOPE).unwrap().is_none());
    }

    #[test]
    fn batch_keys_resolve_and_answers_are_renamed_back() {
        let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/t1";
        let body = format!(r#"{{"RequestItems":{{"{arn}":{{"Keys":[{{"pk":{{"S":"a"}}}}]}}}}}}"#);
        let req = Request::parse("DynamoDB_20120810.BatchGetItem", body.as_bytes()).unwrap();
        let (resolved, renamed) = req.resolve_table_arns(&SCOPE).unwrap().unwrap();
        let Request::BatchGetItem(i) = &resolved else {
            panic!("not a batch")
        };
        assert!(i.request_items.as_ref().unwrap().contains_key("t1"));
        let mut answer = Response::BatchGetItem(crate::dynamodb::BatchGetItemOutput {
            responses: BTreeMap::from([("t1".to_owned(), vec![])]),
            unprocessed_keys: BTreeMap::new(),
        });
        renamed.restore(&mut answer);
        let Response::BatchGetItem(out) = answer else {
            panic!("not a batch")
        };
        assert!(out.responses.contains_key(arn));
        assert!(!out.responses.contains_key("t1"));
    }

    #[test]
    fn a_batch_naming_one_table_twice_is_refused() {
        let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/t1";
        let body = format!(
            r#"{{"RequestItems":{{"{arn}":{{"Keys":[{{"pk":{{"S":"a"}}}}]}},"t1":{{"Keys":[{{"pk":{{"S":"b"}}}}]}}}}}}"#
        );
        let req = Request::parse("DynamoDB_20120810.BatchGetItem", body.as_bytes()).unwrap();
        let e = req.resolve_table_arns(&SCOPE).unwrap_err();
        assert!(e.message.contains("named more than once"), "{}", e.message);
    }
}
