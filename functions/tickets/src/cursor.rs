//! The opaque page cursor of the browse list: where the previous page stopped.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use ticketing::id::parse_id;

/// The last ticket of a page, enough to continue the index query after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "i")]
    pub id: String,
    #[serde(rename = "t")]
    pub listed_at: String,
}

impl Cursor {
    /// Longer than any cursor [`Cursor::encode`] makes (about 120 characters).
    const MAX_ENCODED_LEN: usize = 256;

    /// The cursor as the client sees it: URL-safe, meaningless to it.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads a cursor the client sent back; `None` if it is not one of ours.
    ///
    /// It becomes a DynamoDB start key, so both parts must have the exact shape the table holds
    /// (a canonical id, a timestamp as stored): a forged cursor can at most start the list at
    /// another point in time, never make the query fail.
    pub fn decode(text: &str) -> Option<Self> {
        if text.len() > Self::MAX_ENCODED_LEN {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        let cursor: Self = serde_json::from_slice(&bytes).ok()?;
        let canonical_id = parse_id(&cursor.id).is_some_and(|id| id == cursor.id);
        let stored_time = ticketing::time::parse_rfc3339(&cursor.listed_at).is_some();
        (canonical_id && stored_time).then_some(cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips() {
        let cursor = Cursor {
            id: "1b4e28ba-2fa1-11d2-883f-0016d3cca427".into(),
            listed_at: "2026-11-26T12:00:00.000Z".into(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
    }

    #[test]
    fn anything_else_is_not_a_cursor() {
        for text in [
            "",
            "abc",
            "eyJ9",
            &URL_SAFE_NO_PAD.encode(r#"{"i":"x","t":"y"}"#),
            // a real id with a time that is not one the table holds
            &URL_SAFE_NO_PAD
                .encode(r#"{"i":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","t":"yesterday"}"#),
            &URL_SAFE_NO_PAD.encode(format!(
                r#"{{"i":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","t":"{}"}}"#,
                "9".repeat(2000)
            )),
            // an id in another spelling than the table's
            &URL_SAFE_NO_PAD.encode(
                r#"{"i":"1B4E28BA2FA111D2883F0016D3CCA427","t":"2026-11-26T12:00:00.000Z"}"#,
            ),
        ] {
            assert_eq!(Cursor::decode(text), None, "{text}");
        }
    }
}
