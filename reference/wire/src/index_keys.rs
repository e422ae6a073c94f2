//! The write-time check of secondary-index key attributes (`spec/items.md#index-key-check`):
//! an item a write would store must give every index key attribute it has the type the
//! table's attribute definitions declare, and a non-empty value when that type is `S` or `B`.
//!
//! Does: the check and AWS's two messages, shared by the model and the endpoint, for PutItem,
//! the result of an UpdateItem, BatchWriteItem puts and TransactWriteItems puts and updates.
//! Does not: decide which items an index holds (`index_read::IndexView::entry`; an item that
//! lacks an index key attribute is simply not in the index), nor check the table's own key
//! (`validate::KeySchema::key_of`, which runs first).

use crate::attribute::{AttributeValue, Item};
use crate::dynamodb::AttributeDefinition;
use crate::error::ApiError;
use crate::index_read::IndexView;
use crate::validate_indexes::IndexDef;

//= spec/items.md#index-key-check
//# A write that would store an item holding an index key attribute of another type than the one the table's attribute definitions declare for it MUST fail with `ValidationException` and the message `One or more parameter values were invalid: Type mismatch for Index Key <attribute> Expected: <declared type> Actual: <type of the value> IndexName: <index name>`, writing nothing.
/// The error of an index key attribute of the wrong type.
pub fn index_key_type_mismatch(
    attribute: &str,
    expected: &str,
    actual: &str,
    index: &str,
) -> ApiError {
    ApiError::validation(format!(
        "One or more parameter values were invalid: Type mismatch for Index Key {attribute} Expected: {expected} Actual: {actual} IndexName: {index}"
    ))
}

//= spec/items.md#index-key-check
//# A write that would store an item holding an empty `S` or `B` value for an index key attribute MUST fail with `ValidationException` and the message `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty <string|binary> value. IndexName: <index name>, IndexKey: <attribute>`, writing nothing.
/// The error of an empty string or binary value for an index key attribute.
pub fn index_key_empty(attribute: &str, binary: bool, index: &str) -> ApiError {
    let kind = if binary { "binary" } else { "string" };
    ApiError::validation(format!(
        "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty {kind} value. IndexName: {index}, IndexKey: {attribute}"
    ))
}

/// Checks `item` against the key attributes of `indexes` (the table's indexes that are not
/// being deleted, in the table's order), key types from `defs`. The first violation, in index
/// order and within an index partition key before sort key, is the error.
pub fn check<'a>(
    item: &Item,
    indexes: impl IntoIterator<Item = &'a IndexDef>,
    defs: &[AttributeDefinition],
) -> Result<(), ApiError> {
    for def in indexes {
        let view = IndexView::of(def, defs);
        let schema = view.schema();
        for (name, ty) in std::iter::once(&schema.hash).chain(schema.range.as_ref()) {
            let Some(value) = item.get(name) else {
                continue;
            };
            if value.scalar_type() != Some(*ty) {
                return Err(index_key_type_mismatch(
                    name,
                    ty.as_str(),
                    value.type_name(),
                    &def.name,
                ));
            }
            match value {
                AttributeValue::S(s) if s.is_empty() => {
                    return Err(index_key_empty(name, false, &def.name));
                }
                AttributeValue::B(b) if b.0.is_empty() => {
                    return Err(index_key_empty(name, true, &def.name));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamodb::KeySchemaElement;
    use crate::dynamodb_control::Projection;

    fn gsi() -> (IndexDef, Vec<AttributeDefinition>) {
        let def = IndexDef {
            name: "byCity".to_owned(),
            global: true,
            key_schema: vec![
                KeySchemaElement {
                    attribute_name: "city".to_owned(),
                    key_type: "HASH".to_owned(),
                },
                KeySchemaElement {
                    attribute_name: "age".to_owned(),
                    key_type: "RANGE".to_owned(),
                },
            ],
            projection: Projection {
                projection_type: Some("ALL".to_owned()),
                non_key_attributes: None,
            },
            read: 0,
            write: 0,
        };
        let defs = vec![
            AttributeDefinition {
                attribute_name: "city".to_owned(),
                attribute_type: "S".to_owned(),
            },
            AttributeDefinition {
                attribute_name: "age".to_owned(),
                attribute_type: "N".to_owned(),
            },
        ];
        (def, defs)
    }

    fn item(pairs: &[(&str, AttributeValue)]) -> Item {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    //= spec/items.md#index-key-check
    //= type=test
    //# A write that would store an item holding an index key attribute of another type than the one the table's attribute definitions declare for it MUST fail with `ValidationException` and the message `One or more parameter values were invalid: Type mismatch for Index Key <attribute> Expected: <declared type> Actual: <type of the value> IndexName: <index name>`, writing nothing.
    #[test]
    fn wrong_type_is_refused_with_the_index_named() {
        let (def, defs) = gsi();
        let bad = item(&[("city", AttributeValue::N("3".to_owned()))]);
        let err = check(&bad, [&def], &defs).unwrap_err();
        assert_eq!(
            err.message,
            "One or more parameter values were invalid: Type mismatch for Index Key city Expected: S Actual: N IndexName: byCity"
        );
        let bad_range = item(&[("age", AttributeValue::S("x".to_owned()))]);
        let err = check(&bad_range, [&def], &defs).unwrap_err();
        assert!(
            err.message.contains("Index Key age Expected: N Actual: S"),
            "{}",
            err.message
        );
        let ok = item(&[
            ("city", AttributeValue::S("Oslo".to_owned())),
            ("age", AttributeValue::N("3".to_owned())),
        ]);
        assert!(check(&ok, [&def], &defs).is_ok());
        assert!(
            check(&Item::new(), [&def], &defs).is_ok(),
            "absent: sparse, not refused"
        );
    }

    //= spec/items.md#index-key-check
    //= type=test
    //# A write that would store an item holding an empty `S` or `B` value for an index key attribute MUST fail with `ValidationException` and the message `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty <string|binary> value. IndexName: <index name>, IndexKey: <attribute>`, writing nothing.
    #[test]
    fn empty_string_is_refused() {
        let (def, defs) = gsi();
        let bad = item(&[("city", AttributeValue::S(String::new()))]);
        let err = check(&bad, [&def], &defs).unwrap_err();
        assert_eq!(
            err.message,
            "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: byCity, IndexKey: city"
        );
    }
}
