//! The ticket and the rules about it, as pure code (no AWS types).

use serde::Serialize;
use ticketing::money::Cents;
use ticketing::FieldError;

/// A ticket for sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    pub id: String,
    pub title: String,
    pub price: Cents,
    pub user_id: String,
    /// Bumped by every change; consumers of ticket events apply versions in order.
    pub version: u64,
    /// The order holding the ticket, while one does.
    pub order_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Orders that held the ticket and let it go; a late repeat of their events changes nothing.
    #[serde(skip)]
    pub released_orders: Vec<String>,
    /// The number of the last reservation that locked the ticket (0: none yet). Order events
    /// are applied in this order, whatever order they arrive in.
    #[serde(skip)]
    pub reservation: u64,
}

impl Ticket {
    /// Whether an order holds the ticket.
    pub fn is_reserved(&self) -> bool {
        self.order_id.is_some()
    }
}

/// Unicode's format characters (general category Cf, Unicode 15.1): invisible, and some reorder
/// the text around them (a right-to-left override makes "Concert\u{202E}4pm.exe" display as
/// "Concertexe.mp4"), so a title could look like another one or hide what it says.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{600}'..='\u{605}'
            | '\u{61C}'
            | '\u{6DD}'
            | '\u{70F}'
            | '\u{890}'..='\u{891}'
            | '\u{8E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// Emoji, and what joins them: the Unicode blocks of pictographs and symbols, and the emoji
/// presentation selector (❤️).
fn is_emoji_part(c: char) -> bool {
    matches!(
        c,
        '\u{FE0F}'
            | '\u{2300}'..='\u{23FF}'
            | '\u{2600}'..='\u{27BF}'
            | '\u{2B00}'..='\u{2BFF}'
            | '\u{1F000}'..='\u{1FAFF}'
    )
}

/// Whether `text` holds a format character that is not part of an emoji. Two are allowed there,
/// because emoji are made of them: a zero-width joiner between two emoji (👨‍👩‍👧, 🏳️‍🌈), and
/// the tag letters of a subdivision flag (🏴 + `gbsct` in tags + the cancel tag: the Scottish
/// flag), at most seven of them, lower-case letters and digits only, so no text can hide in tags.
fn hides_text(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\u{1F3F4}' {
            // a subdivision flag's tags, if any, end at the cancel tag
            let tags = chars[i + 1..]
                .iter()
                .take_while(|t| matches!(t, '\u{E0030}'..='\u{E0039}' | '\u{E0061}'..='\u{E007A}'))
                .count();
            if tags > 0 {
                if tags > 7 || chars.get(i + 1 + tags) != Some(&'\u{E007F}') {
                    return true;
                }
                i += tags + 2;
                continue;
            }
        } else if c == '\u{200D}' {
            let joins = i > 0
                && is_emoji_part(chars[i - 1])
                && chars.get(i + 1).is_some_and(|&next| is_emoji_part(next));
            if !joins {
                return true;
            }
        } else if is_invisible_format(c) {
            return true;
        }
        i += 1;
    }
    false
}

/// A ticket title: trimmed, non-empty, at most 120 characters (any script, emoji included),
/// with no control characters (no newlines, tabs or NULs: a title is one line of text) and no
/// invisible format characters (zero-width, bidirectional overrides and isolates, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    pub const MAX_CHARS: usize = 120;

    /// Parses a title from the request body's value.
    pub fn parse(value: Option<&serde_json::Value>) -> Result<Self, FieldError> {
        let raw = match value {
            None | Some(serde_json::Value::Null) => {
                return Err(FieldError::new("title", "Title is required"))
            }
            Some(serde_json::Value::String(text)) => text.trim(),
            Some(_) => return Err(FieldError::new("title", "Title must be text")),
        };
        if raw.is_empty() {
            return Err(FieldError::new("title", "Title is required"));
        }
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(
                "title",
                "Title must be at most 120 characters",
            ));
        }
        if raw.chars().any(char::is_control) {
            return Err(FieldError::new(
                "title",
                "Title must not contain control characters",
            ));
        }
        if hides_text(raw) {
            return Err(FieldError::new(
                "title",
                "Title must not contain invisible or text-direction characters",
            ));
        }
        Ok(Self(raw.to_string()))
    }

    /// The title text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The title text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A valid title and price, as sent to create or edit a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketInput {
    pub title: Title,
    pub price: Cents,
}

impl TicketInput {
    /// Parses `{"title","price"}`, reporting every problem at once.
    pub fn parse(body: &serde_json::Value) -> Result<Self, Vec<FieldError>> {
        let title = Title::parse(body.get("title"));
        let price = Cents::parse_price(body.get("price"))
            .map_err(|message| FieldError::new("price", message));
        match (title, price) {
            (Ok(title), Ok(price)) => Ok(Self { title, price }),
            (title, price) => Err(title.err().into_iter().chain(price.err()).collect()),
        }
    }
}

/// Why a user may not edit a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditRefusal {
    NotOwner,
    Reserved,
}

/// May `user_id` edit `ticket` now? Only its owner, and not while an order holds it.
pub fn may_edit(ticket: &Ticket, user_id: &str) -> Result<(), EditRefusal> {
    if ticket.user_id != user_id {
        return Err(EditRefusal::NotOwner);
    }
    if ticket.is_reserved() {
        return Err(EditRefusal::Reserved);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ticket(owner: &str, order: Option<&str>) -> Ticket {
        Ticket {
            id: "t".into(),
            title: "Concert".into(),
            price: Cents(100),
            user_id: owner.into(),
            version: 0,
            order_id: order.map(str::to_string),
            created_at: String::new(),
            updated_at: String::new(),
            released_orders: vec![],
            reservation: 0,
        }
    }

    #[test]
    fn only_the_owner_may_edit_and_not_while_reserved() {
        assert_eq!(may_edit(&ticket("alice", None), "alice"), Ok(()));
        assert_eq!(
            may_edit(&ticket("alice", None), "bob"),
            Err(EditRefusal::NotOwner)
        );
        assert_eq!(
            may_edit(&ticket("alice", Some("o-1")), "alice"),
            Err(EditRefusal::Reserved)
        );
        // someone else is told they are not the owner, not that an order holds it
        assert_eq!(
            may_edit(&ticket("alice", Some("o-1")), "bob"),
            Err(EditRefusal::NotOwner)
        );
    }

    #[test]
    fn unicode_titles_are_counted_in_characters() {
        let title = "Концерт 🎸 東京 ".repeat(8);
        let input = TicketInput::parse(&json!({"title": title, "price": 1000})).unwrap();
        assert_eq!(input.title.as_str(), title.trim());
        let too_long = "🎸".repeat(121);
        assert!(TicketInput::parse(&json!({"title": too_long, "price": 1000})).is_err());
    }

    #[test]
    fn emoji_made_with_joiners_and_tags_are_titles_but_text_hidden_in_them_is_not() {
        for title in [
            "Family day 👨\u{200D}👩\u{200D}👧",
            "Pride 🏳\u{FE0F}\u{200D}🌈 night",
            "Scotland 🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F} v England",
            "Black flag 🏴 only",
        ] {
            let input = TicketInput::parse(&json!({"title": title, "price": 1000}));
            assert!(input.is_ok(), "{title:?}: {input:?}");
        }
        for title in [
            "a\u{200D}b",
            "🎸\u{200D}",
            "\u{200D}🎸",
            "🏴\u{E0067}\u{E0062}\u{E0073}",
            "🏴\u{E0069}\u{E0067}\u{E006E}\u{E006F}\u{E0072}\u{E0065}\u{E0020}\u{E0061}\u{E007F}",
            "tags \u{E0067}\u{E0062}\u{E007F} alone",
        ] {
            let input = TicketInput::parse(&json!({"title": title, "price": 1000}));
            assert!(input.is_err(), "{title:?}");
        }
    }

    #[test]
    fn a_valid_body_parses() {
        let input = TicketInput::parse(&json!({"title": "  Concert  ", "price": 2500})).unwrap();
        assert_eq!(input.title.into_string(), "Concert");
        assert_eq!(input.price, Cents(2500));
    }

    #[test]
    fn bad_titles_and_prices_are_each_named() {
        let cases = [
            (json!({"title": "", "price": 1000}), vec!["title"]),
            (json!({"title": "   ", "price": 1000}), vec!["title"]),
            (json!({"title": 5, "price": 1000}), vec!["title"]),
            (json!({"title": "a\nb", "price": 1000}), vec!["title"]),
            (json!({"title": "a\u{0}b", "price": 1000}), vec!["title"]),
            (json!({"title": "a\u{9f}b", "price": 1000}), vec!["title"]),
            (json!({"title": "a\u{202A}b", "price": 1000}), vec!["title"]),
            (json!({"title": "a\u{202E}b", "price": 1000}), vec!["title"]),
            (json!({"title": "a\u{2066}b", "price": 1000}), vec!["title"]),
            (json!({"title": "a\u{2069}b", "price": 1000}), vec!["title"]),
            (json!({"title": "a\u{200B}b", "price": 1000}), vec!["title"]),
            (json!({"title": "a\u{200F}b", "price": 1000}), vec!["title"]),
            (json!({"title": "a\u{2060}b", "price": 1000}), vec!["title"]),
            (json!({"title": "a\u{2064}b", "price": 1000}), vec!["title"]),
            (json!({"title": "\u{FEFF}ab", "price": 1000}), vec!["title"]),
            (json!({"title": "a\u{AD}b", "price": 1000}), vec!["title"]),
            (json!({"title": "a\u{61C}b", "price": 1000}), vec!["title"]),
            (
                json!({"title": "a\u{E0001}b", "price": 1000}),
                vec!["title"],
            ),
            (
                json!({"title": "x".repeat(121), "price": 1000}),
                vec!["title"],
            ),
            (json!({"title": "ok"}), vec!["price"]),
            (json!({"title": "ok", "price": 0}), vec!["price"]),
            (json!({"title": "ok", "price": 49}), vec!["price"]),
            (json!({"title": "ok", "price": -10}), vec!["price"]),
            (json!({"title": "ok", "price": 10.5}), vec!["price"]),
            (json!({"title": "ok", "price": "10"}), vec!["price"]),
            (json!({}), vec!["title", "price"]),
        ];
        for (body, fields) in cases {
            let errors = TicketInput::parse(&body).expect_err(&body.to_string());
            let named: Vec<_> = errors.iter().map(|e| e.field.clone().unwrap()).collect();
            assert_eq!(named, fields, "{body}");
        }
    }
}
