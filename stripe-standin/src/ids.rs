//! Random identifiers shaped like Stripe's: a prefix and 24 letters and digits
//! (`pi_3MtwBwLkdIwHu7ix28a3tqPa`), and the current time in Unix seconds.

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `prefix` + `_` + 24 random letters and digits.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_token(24))
}

/// `len` random letters and digits.
pub fn random_token(len: usize) -> String {
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for byte in uuid::Uuid::new_v4().as_bytes() {
            // 248 is the largest multiple of 62 below 256: drop the rest to stay unbiased.
            if *byte < 248 && out.len() < len {
                out.push(ALPHABET[(*byte % 62) as usize] as char);
            }
        }
    }
    out
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_prefix_and_24_alphanumerics() {
        let id = new_id("pi");
        assert_eq!(id.len(), 3 + 24);
        assert!(id.starts_with("pi_"));
        assert!(id[3..].chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(new_id("pi"), new_id("pi"));
    }
}
