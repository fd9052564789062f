//! Password hashing with argon2id (PHC string format, random salt per hash).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;

/// Hashing failed (never because of the password itself).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Something to verify against when there is no user: a well-formed argon2id hash with the
/// parameters [`hash`] uses, a random salt and random output, so no password matches it and
/// checking one costs exactly what checking a real hash costs. Sign-in verifies an unknown
/// email's password against it, so its timing does not tell which emails exist, without
/// hashing anything at cold start.
pub const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$u9AxxwyJjtpocPRqZFch8g$Sid00wThdmQt4Q+MhigtEfiXST6rvpjPENurZ5tbos0";

/// Hashes a password with argon2id and a fresh random salt.
pub fn hash(password: &str) -> Result<String, HashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// True when `password` matches the stored PHC hash; a malformed hash never matches.
pub fn verify(password: &str, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_is_argon2id_and_verifies_only_the_same_password() {
        // GIVEN a hashed password
        let stored = hash("correct horse battery").unwrap();
        // THEN it is an argon2id PHC string that does not contain the password
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(!stored.contains("correct horse"));
        // AND only the same password verifies
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse battery!", &stored));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        assert_ne!(
            hash("same-password").unwrap(),
            hash("same-password").unwrap()
        );
    }

    #[test]
    fn the_decoy_hash_costs_what_a_real_hash_costs_and_matches_nothing() {
        // same algorithm, version and cost parameters as a fresh hash
        let params = |phc: &str| phc.split('$').take(4).collect::<Vec<_>>().join("$");
        assert_eq!(params(DECOY_HASH), params(&hash("anything").unwrap()));
        assert!(PasswordHash::new(DECOY_HASH).is_ok());
        assert!(!verify("", DECOY_HASH));
        assert!(!verify("password123", DECOY_HASH));
    }

    #[test]
    fn a_malformed_hash_never_verifies() {
        assert!(!verify("anything", "not-a-hash"));
        assert!(!verify("", ""));
    }
}
