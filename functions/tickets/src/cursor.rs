//! The opaque page cursor of the browse list: where the previous page stopped.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// The last ticket of a page, enough to continue the index query after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "i")]
    pub id: String,
    #[serde(rename = "t")]
    pub listed_at: String,
}

impl Cursor {
    /// The cursor as the client sees it: URL-safe, meaningless to it.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads a cursor the client sent back; `None` if it is not one of ours.
    pub fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        let cursor: Self = serde_json::from_slice(&bytes).ok()?;
        let plausible =
            crate::ticket::parse_id(&cursor.id).is_some() && !cursor.listed_at.is_empty();
        plausible.then_some(cursor)
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
        ] {
            assert_eq!(Cursor::decode(text), None, "{text}");
        }
    }
}
