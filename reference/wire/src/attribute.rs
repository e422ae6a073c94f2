//! DynamoDB's `AttributeValue` and items, exactly as they travel in JSON
//! (`{"S": "..."}`, `{"N": "..."}`, `{"B": "<base64>"}`, ...), with the checks AWS makes on them:
//! number rules, empty and duplicate sets, the 400 KB item limit, key types.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::ApiError;
use super::number::Number;

/// The largest item DynamoDB stores: 400 KB (409,600 bytes), names and values together.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// The item data of one Query or Scan page: 1 MB (D-API Query and Scan: "A single Query only
/// returns a result set that fits within the 1 MB size limit").
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// Binary data, base64 in JSON.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Blob(pub Vec<u8>);

impl std::fmt::Debug for Blob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Blob({} bytes)", self.0.len())
    }
}

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s.as_bytes())
            .map(Blob)
            .map_err(|_| serde::de::Error::custom("Base64 encoded length is expected a multiple of 4 bytes but found invalid base64"))
    }
}

/// One attribute value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[allow(clippy::upper_case_acronyms)]
pub enum AttributeValue {
    /// String.
    S(String),
    /// Number, as a decimal string.
    N(String),
    /// Binary.
    B(Blob),
    /// Boolean.
    BOOL(bool),
    /// Null (always `true` on the wire).
    NULL(bool),
    /// Map.
    M(BTreeMap<String, AttributeValue>),
    /// List.
    L(Vec<AttributeValue>),
    /// String set.
    SS(Vec<String>),
    /// Number set.
    NS(Vec<String>),
    /// Binary set.
    BS(Vec<Blob>),
}

/// An item: attribute name to value, in name order.
pub type Item = BTreeMap<String, AttributeValue>;

/// The scalar types a key attribute can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScalarType {
    /// `S`.
    S,
    /// `N`.
    N,
    /// `B`.
    B,
}

impl ScalarType {
    /// The one-letter name.
    pub fn as_str(self) -> &'static str {
        match self {
            ScalarType::S => "S",
            ScalarType::N => "N",
            ScalarType::B => "B",
        }
    }
}

impl AttributeValue {
    /// The type descriptor (`S`, `N`, `BOOL`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            AttributeValue::S(_) => "S",
            AttributeValue::N(_) => "N",
            AttributeValue::B(_) => "B",
            AttributeValue::BOOL(_) => "BOOL",
            AttributeValue::NULL(_) => "NULL",
            AttributeValue::M(_) => "M",
            AttributeValue::L(_) => "L",
            AttributeValue::SS(_) => "SS",
            AttributeValue::NS(_) => "NS",
            AttributeValue::BS(_) => "BS",
        }
    }

    /// The scalar type, if this value could be a key.
    pub fn scalar_type(&self) -> Option<ScalarType> {
        match self {
            AttributeValue::S(_) => Some(ScalarType::S),
            AttributeValue::N(_) => Some(ScalarType::N),
            AttributeValue::B(_) => Some(ScalarType::B),
            _ => None,
        }
    }

    /// Validates the value (numbers, sets, NULL) and returns it in DynamoDB's canonical form.
    pub fn normalized(&self) -> Result<AttributeValue, ApiError> {
        self.clone().into_normalized()
    }

    /// [`AttributeValue::normalized`], taking the value instead of copying it.
    pub fn into_normalized(self) -> Result<AttributeValue, ApiError> {
        Ok(match self {
            AttributeValue::N(n) => AttributeValue::N(Number::parse(&n)?.canonical()),
            AttributeValue::NULL(false) => {
                return Err(ApiError::validation(
                    "One or more parameter values were invalid: Null attribute value types must have the value of true",
                ));
            }
            AttributeValue::M(m) => AttributeValue::M(normalized_entries(m)?),
            AttributeValue::L(l) => AttributeValue::L(
                l.into_iter()
                    .map(AttributeValue::into_normalized)
                    .collect::<Result<_, _>>()?,
            ),
            AttributeValue::SS(set) => {
                check_set(&set, "string")?;
                AttributeValue::SS(set)
            }
            AttributeValue::BS(set) => {
                check_set(&set, "binary")?;
                AttributeValue::BS(set)
            }
            AttributeValue::NS(set) => {
                let canon: Vec<String> = set
                    .iter()
                    .map(|n| Number::parse(n).map(|x| x.canonical()))
                    .collect::<Result<_, _>>()?;
                check_set(&canon, "number")?;
                AttributeValue::NS(canon)
            }
            other => other,
        })
    }

    /// DynamoDB's size of this value in bytes (UTF-8 length of strings, about one byte per two
    /// digits of numbers, raw length of binaries, 1 for BOOL/NULL, 3 of overhead per container).
    pub fn size(&self) -> usize {
        match self {
            AttributeValue::S(s) => s.len(),
            AttributeValue::N(n) => n.trim_start_matches('-').len().div_ceil(2) + 1,
            AttributeValue::B(b) => b.0.len(),
            AttributeValue::BOOL(_) | AttributeValue::NULL(_) => 1,
            AttributeValue::M(m) => {
                3 + m.iter().map(|(k, v)| k.len() + v.size() + 1).sum::<usize>()
            }
            AttributeValue::L(l) => 3 + l.iter().map(|v| v.size() + 1).sum::<usize>(),
            AttributeValue::SS(v) => v.iter().map(String::len).sum(),
            AttributeValue::NS(v) => v.iter().map(|n| n.len().div_ceil(2) + 1).sum(),
            AttributeValue::BS(v) => v.iter().map(|b| b.0.len()).sum(),
        }
    }

    /// Key-value order: numbers numerically, strings and binaries by bytes. `None` when the two
    /// are not both comparable scalars of the same type.
    pub fn key_cmp(&self, other: &AttributeValue) -> Option<Ordering> {
        match (self, other) {
            (AttributeValue::S(a), AttributeValue::S(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
            (AttributeValue::B(a), AttributeValue::B(b)) => Some(a.0.cmp(&b.0)),
            (AttributeValue::N(a), AttributeValue::N(b)) => {
                Some(Number::parse(a).ok()?.cmp(&Number::parse(b).ok()?))
            }
            _ => None,
        }
    }
}

fn check_set<T: Ord + Clone + std::fmt::Debug>(set: &[T], kind: &str) -> Result<(), ApiError> {
    if set.is_empty() {
        return Err(ApiError::validation(format!(
            "One or more parameter values were invalid: An {kind} set  may not be empty"
        )));
    }
    let mut sorted = set.to_vec();
    sorted.sort();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(ApiError::validation(
            "One or more parameter values were invalid: Input collection contains duplicates",
        ));
    }
    Ok(())
}

/// The size of an item: attribute names plus values.
pub fn item_size(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + v.size()).sum()
}

/// Validates and normalises every value of an item, and checks the 400 KB limit.
pub fn normalize_item(item: &Item) -> Result<Item, ApiError> {
    into_normalized_item(item.clone())
}

fn normalized_entries(map: Item) -> Result<Item, ApiError> {
    map.into_iter()
        .map(|(k, v)| Ok((k, v.into_normalized()?)))
        .collect()
}

/// [`normalize_item`], taking the item instead of copying it.
pub fn into_normalized_item(item: Item) -> Result<Item, ApiError> {
    let out = normalized_entries(item)?;
    if item_size(&out) > MAX_ITEM_BYTES {
        return Err(ApiError::validation(
            "Item size has exceeded the maximum allowed size",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape_round_trips_every_type() {
        let json = r#"{"a":{"S":"x"},"b":{"N":"1.50"},"c":{"B":"AAE="},"d":{"BOOL":true},"e":{"NULL":true},"f":{"M":{"g":{"L":[{"SS":["p","q"]},{"NS":["1","2"]},{"BS":["AA=="]}]}}}}"#;
        let item: Item = serde_json::from_str(json).unwrap();
        let back = serde_json::to_string(&item).unwrap();
        assert_eq!(back, json);
        let norm = normalize_item(&item).unwrap();
        assert_eq!(norm["b"], AttributeValue::N("1.5".into()));
    }

    #[test]
    fn sets_and_null_are_checked() {
        assert!(AttributeValue::SS(vec![]).normalized().is_err());
        assert!(
            AttributeValue::SS(vec!["a".into(), "a".into()])
                .normalized()
                .is_err()
        );
        assert!(
            AttributeValue::NS(vec!["1".into(), "1.0".into()])
                .normalized()
                .is_err()
        );
        assert!(AttributeValue::NULL(false).normalized().is_err());
    }

    #[test]
    fn item_limit_is_400_kb() {
        let mut item = Item::new();
        item.insert(
            "k".into(),
            AttributeValue::S("x".repeat(MAX_ITEM_BYTES - 1)),
        );
        assert!(normalize_item(&item).is_ok());
        item.insert("k".into(), AttributeValue::S("x".repeat(MAX_ITEM_BYTES)));
        assert!(normalize_item(&item).is_err());
    }
}
