//! DynamoDB's JSON form of items (as in stream records) to SDK attribute values, so the
//! same item conversion serves table reads and stream records.

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use serde_json::Value;
use std::collections::HashMap;

/// An item in DynamoDB JSON (`{"id":{"S":"..."},"n":{"N":"1"}}`) as attribute values.
pub fn item(value: &Value) -> Result<HashMap<String, AttributeValue>, String> {
    let object = value.as_object().ok_or("an item must be a JSON object")?;
    object
        .iter()
        .map(|(name, v)| Ok((name.clone(), attribute(v)?)))
        .collect()
}

fn attribute(value: &Value) -> Result<AttributeValue, String> {
    let object = value
        .as_object()
        .filter(|o| o.len() == 1)
        .ok_or("an attribute must have one type key")?;
    let (kind, inner) = object.iter().next().expect("one key");
    let text = || {
        inner
            .as_str()
            .map(str::to_string)
            .ok_or(format!("{kind} must be a string"))
    };
    let list = || inner.as_array().ok_or(format!("{kind} must be a list"));
    let texts = || -> Result<Vec<String>, String> {
        list()?
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or(format!("{kind} items must be strings"))
            })
            .collect()
    };
    let blob = |s: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map(Blob::new)
            .map_err(|e| format!("B: {e}"))
    };
    Ok(match kind.as_str() {
        "S" => AttributeValue::S(text()?),
        "N" => AttributeValue::N(text()?),
        "BOOL" => AttributeValue::Bool(inner.as_bool().ok_or("BOOL must be a boolean")?),
        "NULL" => AttributeValue::Null(true),
        "B" => AttributeValue::B(blob(&text()?)?),
        "SS" => AttributeValue::Ss(texts()?),
        "NS" => AttributeValue::Ns(texts()?),
        "BS" => AttributeValue::Bs(texts()?.iter().map(|s| blob(s)).collect::<Result<_, _>>()?),
        "L" => AttributeValue::L(list()?.iter().map(attribute).collect::<Result<_, _>>()?),
        "M" => AttributeValue::M(item(inner)?),
        other => return Err(format!("unknown attribute type {other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_attribute_type_converts() {
        let converted = item(&json!({
            "id": {"S": "t-1"}, "price": {"N": "2500"}, "ok": {"BOOL": true}, "gone": {"NULL": true},
            "tags": {"SS": ["a", "b"]}, "list": {"L": [{"N": "1"}]}, "map": {"M": {"k": {"S": "v"}}},
            "bytes": {"B": "aGk="}
        }))
        .unwrap();
        assert_eq!(converted["id"], AttributeValue::S("t-1".into()));
        assert_eq!(converted["price"], AttributeValue::N("2500".into()));
        assert_eq!(converted["ok"], AttributeValue::Bool(true));
        assert_eq!(
            converted["tags"],
            AttributeValue::Ss(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            converted["list"],
            AttributeValue::L(vec![AttributeValue::N("1".into())])
        );
        assert_eq!(converted["bytes"], AttributeValue::B(Blob::new("hi")));
        let AttributeValue::M(map) = &converted["map"] else {
            panic!("map")
        };
        assert_eq!(map["k"], AttributeValue::S("v".into()));
    }

    #[test]
    fn malformed_items_are_errors() {
        assert!(item(&json!([])).is_err());
        assert!(item(&json!({"a": {"S": 1}})).is_err());
        assert!(item(&json!({"a": {"X": "1"}})).is_err());
        assert!(item(&json!({"a": {"S": "1", "N": "1"}})).is_err());
    }
}
