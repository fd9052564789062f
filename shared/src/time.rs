//! Timestamps as RFC 3339 strings with millisecond precision, in UTC.
//!
//! The fixed width makes them sort as text in the same order as in time, which the
//! DynamoDB sort keys rely on.

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// `2026-11-26T12:00:00.123Z`: the one shape every stored timestamp has.
const FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// Now, e.g. `2026-11-26T12:00:00.123Z`.
pub fn now_rfc3339() -> String {
    format_rfc3339(OffsetDateTime::now_utc())
}

/// A moment as a fixed-width RFC 3339 string.
pub fn format_rfc3339(moment: OffsetDateTime) -> String {
    moment
        .to_offset(time::UtcOffset::UTC)
        .format(FORMAT)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_string())
}

/// Reads a timestamp written by [`format_rfc3339`]; any other shape is `None`.
pub fn parse_rfc3339(text: &str) -> Option<OffsetDateTime> {
    PrimitiveDateTime::parse(text, FORMAT)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_a_fixed_width_and_sort_in_time_order() {
        let early = format_rfc3339(OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap());
        let later = format_rfc3339(
            OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_120_000_000).unwrap(),
        );
        assert_eq!(early, "2023-11-14T22:13:20.000Z");
        assert_eq!(later, "2023-11-14T22:13:20.120Z");
        assert!(early < later);
        assert_eq!(now_rfc3339().len(), early.len());
    }

    #[test]
    fn only_our_own_shape_parses_back() {
        let now = now_rfc3339();
        assert_eq!(parse_rfc3339(&now).map(format_rfc3339), Some(now));
        for text in [
            "",
            "x",
            "2023-11-14",
            "2023-11-14T22:13:20Z",
            "2023-13-14T22:13:20.000Z",
        ] {
            assert_eq!(parse_rfc3339(text), None, "{text}");
        }
    }
}
