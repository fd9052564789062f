//! Ids as clients send them, in URLs and bodies.

/// An id is a UUID; it is answered in its canonical form (hyphenated, lower case). Anything else
/// — empty, too long, not hex — names nothing, so callers answer 404 (in a path) or 400 (in a body).
pub fn parse_id(raw: &str) -> Option<String> {
    uuid::Uuid::parse_str(raw)
        .ok()
        .map(|id| id.hyphenated().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_ids_in_their_canonical_form() {
        assert_eq!(
            parse_id("1B4E28BA-2FA1-11D2-883F-0016D3CCA427").as_deref(),
            Some("1b4e28ba-2fa1-11d2-883f-0016d3cca427")
        );
    }

    #[test]
    fn anything_else_is_not_an_id() {
        for raw in [
            "",
            "not-a-uuid",
            "1b4e28ba-2fa1-11d2-883f-0016d3cca42",
            "1b4e28ba-2fa1-11d2-883f-0016d3cca427x",
            "../../etc/passwd",
            "1b4e28ba-2fa1-11d2-883f-0016d3cca4\u{0}7",
            &"a".repeat(10_000),
        ] {
            assert_eq!(parse_id(raw), None, "{raw:?}");
        }
    }
}
