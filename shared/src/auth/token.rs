//! Session tokens: EdDSA (Ed25519) JWTs with the algorithm pinned, so a token claiming
//! `alg: none`, HS256 or any other algorithm is refused.
//!
//! Only the functions that mint tokens (sign-up and sign-in) hold the private key, read from
//! Secrets Manager on first use ([`crate::secrets`]); every other function verifies with the
//! public keys alone (`SESSION_PUBLIC_KEYS`, not secret), so none of them could mint a session
//! even if its code or configuration leaked. More than one public key is accepted, so the
//! signing key can be rotated without signing anyone out (docs/OPERATIONS.md, "Secrets").
//!
//! Keys are written as unpadded base64url: the private key is its 32-byte seed, a public key
//! its 32 bytes (the `d` and `x` of an OKP JSON Web Key). `make session-keys` prints a new pair.

use crate::secrets::Secret;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};
/// The user a valid session token names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: String,
    pub email: String,
}

/// What a valid session token says: who, and which stored session it belongs to (`sid`), which
/// the server can end before the token expires ([`crate::auth::sessions`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionToken {
    pub user: SessionUser,
    pub sid: String,
    /// When the token stops being valid, in seconds since the epoch.
    pub expires_at: u64,
}

/// What a valid device token says: this browser signed in to `email` before; `nonce` names the
/// device (its own sign-in attempt count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceToken {
    pub email: String,
    pub nonce: String,
}

// Each kind of token has its own audience, so neither is ever accepted as the other.
const SESSION_AUDIENCE: &str = "session";
const DEVICE_AUDIENCE: &str = "device";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    email: String,
    sid: String,
    aud: String,
    iat: u64,
    exp: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct DeviceClaims {
    /// The normalised email the device signed in to.
    sub: String,
    nonce: String,
    aud: String,
    iat: u64,
    exp: u64,
}

/// A token could not be issued or was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The token is not one of ours, or no longer valid.
    #[error("token rejected: {0}")]
    Rejected(#[from] jsonwebtoken::errors::Error),
    /// This function cannot mint tokens, or its signing key is unusable (a deployment problem).
    #[error("session signing key: {0}")]
    SigningKey(String),
}

/// The keys and lifetime of session tokens, made once per cold start. The same keys sign and
/// verify device tokens.
#[derive(Clone)]
pub struct SessionKeys {
    /// The public keys a token may be signed with (the newest first).
    public_keys: Arc<[PublicKey]>,
    /// The private key, only where tokens are minted.
    signer: Option<Signer>,
    session_validation: Validation,
    device_validation: Validation,
    ttl_seconds: u64,
}

#[derive(Clone)]
struct PublicKey {
    text: String,
    key: DecodingKey,
}

/// The signing key's seed in Secrets Manager, turned into a key on first use and again when
/// the seed changes (a rotation).
#[derive(Clone)]
struct Signer {
    seed: Secret,
    key: Arc<Mutex<Option<KeyedEncodingKey>>>,
}

/// A signing key and the seed it was made from.
type KeyedEncodingKey = (Arc<str>, EncodingKey);

/// A key in the configuration is not a base64url Ed25519 key.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(String);

fn validation(audience: &str) -> Validation {
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.algorithms = vec![Algorithm::EdDSA];
    validation.leeway = 0;
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "sub", "aud"]);
    validation
}

/// The 32 bytes a base64url key stands for.
fn key_bytes(text: &str) -> Result<[u8; 32], KeyError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text.trim())
        .map_err(|_| KeyError("a key is not unpadded base64url".into()))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| KeyError(format!("a key is {} bytes, not 32", bytes.len())))
}

/// The public key (base64url) of a signing key's seed (base64url).
pub fn public_key_of(seed: &str) -> Result<String, KeyError> {
    let signing = ed25519_dalek::SigningKey::from_bytes(&key_bytes(seed)?);
    Ok(URL_SAFE_NO_PAD.encode(signing.verifying_key().to_bytes()))
}

/// A new signing key's seed (base64url) from 32 random bytes.
pub fn seed_from(random: [u8; 32]) -> String {
    URL_SAFE_NO_PAD.encode(random)
}

/// PKCS#8 v1 of an Ed25519 seed (RFC 8410): a fixed 16-byte prefix, then the seed. This is
/// the form the signing crate reads.
fn pkcs8_of(seed: &[u8; 32]) -> Vec<u8> {
    const PREFIX: [u8; 16] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    let mut der = PREFIX.to_vec();
    der.extend_from_slice(seed);
    der
}

impl SessionKeys {
    /// Keys that verify tokens signed by any of `public_keys` (comma-separated base64url); they
    /// cannot mint one. Session tokens live `ttl_seconds`, which is the longest a session can
    /// last: tokens are never renewed.
    pub fn verifying(public_keys: &str, ttl_seconds: u64) -> Result<Self, KeyError> {
        let public_keys = public_keys
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|text| {
                key_bytes(text).map(|bytes| PublicKey {
                    text: text.to_string(),
                    key: DecodingKey::from_ed_der(&bytes),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if public_keys.is_empty() {
            return Err(KeyError("no public key".into()));
        }
        Ok(Self {
            public_keys: public_keys.into(),
            signer: None,
            session_validation: validation(SESSION_AUDIENCE),
            device_validation: validation(DEVICE_AUDIENCE),
            ttl_seconds,
        })
    }

    /// These keys, able to mint tokens with the seed held in `seed`, whose public key must be
    /// one of the public keys (checked on first use).
    pub fn signing_with(mut self, seed: Secret) -> Self {
        self.signer = Some(Signer {
            seed,
            key: Arc::new(Mutex::new(None)),
        });
        self
    }

    /// Keys that sign with a seed known up front (tests and tools) and verify with its public key.
    pub fn for_seed(seed: &str, ttl_seconds: u64) -> Result<Self, KeyError> {
        Ok(Self::verifying(&public_key_of(seed)?, ttl_seconds)?
            .signing_with(Secret::known("session signing key", seed)))
    }

    /// From `SESSION_PUBLIC_KEYS` (required), `SESSION_TTL_SECONDS` (default 3600) and, in the
    /// functions that mint tokens, `SESSION_SIGNING_KEY_ARN`: the secret holding the seed.
    pub fn from_env(sdk: &crate::aws::SdkConfig) -> Result<Self, crate::config::ConfigError> {
        let public_keys = crate::config::required("SESSION_PUBLIC_KEYS")?;
        let ttl = crate::config::parsed_or("SESSION_TTL_SECONDS", 3600u64)?;
        let keys = Self::verifying(&public_keys, ttl).map_err(|e| {
            crate::config::ConfigError::Invalid {
                name: "SESSION_PUBLIC_KEYS",
                reason: e.to_string(),
            }
        })?;
        Ok(match std::env::var("SESSION_SIGNING_KEY_ARN") {
            Ok(arn) if !arn.trim().is_empty() => {
                keys.signing_with(Secret::from_env("SESSION_SIGNING_KEY_ARN", sdk)?)
            }
            _ => keys,
        })
    }

    /// How long a token issued now stays valid, in seconds.
    pub fn ttl_seconds(&self) -> u64 {
        self.ttl_seconds
    }

    /// The private key: read and checked on first use, and again when the seed changed.
    async fn encoding_key(&self) -> Result<EncodingKey, TokenError> {
        let signer = self.signer.as_ref().ok_or_else(|| {
            TokenError::SigningKey("this function has no session signing key".into())
        })?;
        let seed = signer
            .seed
            .value()
            .await
            .map_err(|e| TokenError::SigningKey(e.to_string()))?;
        let mut cached = signer.key.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, key)) = cached.as_ref().filter(|(s, _)| *s == seed) {
            return Ok(key.clone());
        }
        let public = public_key_of(&seed).map_err(|e| TokenError::SigningKey(e.0))?;
        if !self.public_keys.iter().any(|k| k.text == public) {
            return Err(TokenError::SigningKey(format!(
                "its public key {public} is not one of SESSION_PUBLIC_KEYS: tokens it signs would be refused"
            )));
        }
        let bytes = key_bytes(&seed).map_err(|e| TokenError::SigningKey(e.0))?;
        let key = EncodingKey::from_ed_der(&pkcs8_of(&bytes));
        *cached = Some((seed, key.clone()));
        Ok(key)
    }

    async fn sign<T: Serialize>(&self, claims: &T) -> Result<String, TokenError> {
        let key = self.encoding_key().await?;
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::EdDSA),
            claims,
            &key,
        )?)
    }

    /// The claims of a token signed by one of the public keys, valid for `validation`.
    fn decode<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        validation: &Validation,
    ) -> Result<T, TokenError> {
        let mut refused = None;
        for public in self.public_keys.iter() {
            match jsonwebtoken::decode::<T>(token, &public.key, validation) {
                Ok(data) => return Ok(data.claims),
                Err(e) => refused = Some(e),
            }
        }
        Err(TokenError::Rejected(
            refused.expect("there is at least one public key"),
        ))
    }

    /// A signed token for `user`'s session `sid`, valid from now for the configured lifetime.
    pub async fn issue(&self, user: &SessionUser, sid: &str) -> Result<String, TokenError> {
        self.issue_at(user, sid, now()).await
    }

    /// A signed token as if issued at `issued_at` (seconds since the epoch); tests use it to make expired tokens.
    pub async fn issue_at(
        &self,
        user: &SessionUser,
        sid: &str,
        issued_at: u64,
    ) -> Result<String, TokenError> {
        self.sign(&Claims {
            sub: user.id.clone(),
            email: user.email.clone(),
            sid: sid.to_string(),
            aud: SESSION_AUDIENCE.to_string(),
            iat: issued_at,
            exp: issued_at + self.ttl_seconds,
        })
        .await
    }

    /// What a session token says, if it is well-formed, EdDSA-signed with one of our keys and
    /// unexpired. Whether its session is still open is for [`crate::auth::sessions`] to say.
    pub fn verify(&self, token: &str) -> Result<SessionToken, TokenError> {
        let claims: Claims = self.decode(token, &self.session_validation)?;
        Ok(SessionToken {
            user: SessionUser {
                id: claims.sub,
                email: claims.email,
            },
            sid: claims.sid,
            expires_at: claims.exp,
        })
    }

    /// A signed device token: this browser signed in to `email`; valid for `lifetime_seconds`.
    pub async fn issue_device(
        &self,
        email: &str,
        nonce: &str,
        lifetime_seconds: u64,
    ) -> Result<String, TokenError> {
        let issued_at = now();
        self.sign(&DeviceClaims {
            sub: email.to_string(),
            nonce: nonce.to_string(),
            aud: DEVICE_AUDIENCE.to_string(),
            iat: issued_at,
            exp: issued_at + lifetime_seconds,
        })
        .await
    }

    /// What a device token says, if it is ours, EdDSA, unexpired and a device token.
    pub fn verify_device(&self, token: &str) -> Result<DeviceToken, TokenError> {
        let claims: DeviceClaims = self.decode(token, &self.device_validation)?;
        Ok(DeviceToken {
            email: claims.sub,
            nonce: claims.nonce,
        })
    }
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64_url::encode_segment;

    fn seed(byte: u8) -> String {
        seed_from([byte; 32])
    }

    fn keys() -> SessionKeys {
        SessionKeys::for_seed(&seed(1), 3600).unwrap()
    }

    fn alice() -> SessionUser {
        SessionUser {
            id: "u-1".into(),
            email: "alice@example.com".into(),
        }
    }

    #[tokio::test]
    async fn a_fresh_token_names_its_user() {
        let keys = keys();
        let token = keys.issue(&alice(), "sid-1").await.unwrap();
        let verified = keys.verify(&token).unwrap();
        assert_eq!(verified.user, alice());
        assert_eq!(verified.sid, "sid-1");
    }

    #[tokio::test]
    async fn keys_with_only_the_public_key_verify_but_cannot_mint() {
        let minted = keys().issue(&alice(), "sid-1").await.unwrap();
        let verifying = SessionKeys::verifying(&public_key_of(&seed(1)).unwrap(), 3600).unwrap();
        assert_eq!(verifying.verify(&minted).unwrap().user, alice());
        assert!(matches!(
            verifying.issue(&alice(), "sid-2").await,
            Err(TokenError::SigningKey(_))
        ));
    }

    #[tokio::test]
    async fn during_a_rotation_tokens_of_the_old_and_the_new_key_verify() {
        let old = keys().issue(&alice(), "old").await.unwrap();
        let new = SessionKeys::for_seed(&seed(2), 3600)
            .unwrap()
            .issue(&alice(), "new")
            .await
            .unwrap();
        let both = format!(
            "{},{}",
            public_key_of(&seed(2)).unwrap(),
            public_key_of(&seed(1)).unwrap()
        );
        let verifying = SessionKeys::verifying(&both, 3600).unwrap();
        assert_eq!(verifying.verify(&old).unwrap().sid, "old");
        assert_eq!(verifying.verify(&new).unwrap().sid, "new");
    }

    #[tokio::test]
    async fn a_signing_key_whose_public_key_is_not_configured_mints_nothing() {
        // GIVEN a function whose secret holds a seed the other functions do not know
        let keys = SessionKeys::verifying(&public_key_of(&seed(1)).unwrap(), 3600)
            .unwrap()
            .signing_with(Secret::known("session signing key", seed(2)));
        // THEN it refuses to sign rather than hand out tokens every other function refuses
        let error = keys.issue(&alice(), "s").await.unwrap_err();
        assert!(
            error.to_string().contains("not one of SESSION_PUBLIC_KEYS"),
            "{error}"
        );
    }

    #[test]
    fn malformed_keys_are_configuration_errors() {
        for bad in [
            "",
            "not base64!",
            "AAAA",
            &format!("{},x", public_key_of(&seed(1)).unwrap()),
        ] {
            assert!(SessionKeys::verifying(bad, 60).is_err(), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn an_expired_token_is_refused() {
        // GIVEN a token issued two hours ago with a one-hour lifetime
        let keys = keys();
        let token = keys
            .issue_at(&alice(), "sid-1", now() - 7200)
            .await
            .unwrap();
        // THEN it no longer verifies
        assert!(keys.verify(&token).is_err());
    }

    #[tokio::test]
    async fn a_token_signed_with_another_key_is_refused() {
        let other = SessionKeys::for_seed(&seed(3), 3600).unwrap();
        let token = other.issue(&alice(), "sid-1").await.unwrap();
        assert!(keys().verify(&token).is_err());
    }

    #[test]
    fn an_unsigned_alg_none_token_is_refused() {
        // GIVEN a token whose header says alg none and which carries no signature
        let header = encode_segment(br#"{"alg":"none","typ":"JWT"}"#);
        let claims = format!(
            r#"{{"sub":"u-1","email":"alice@example.com","sid":"s","aud":"session","iat":{0},"exp":{1}}}"#,
            now(),
            now() + 3600
        );
        let token = format!("{header}.{}.", encode_segment(claims.as_bytes()));
        // THEN it is refused
        assert!(keys().verify(&token).is_err());
    }

    #[test]
    fn an_hs256_token_keyed_with_the_public_key_is_refused() {
        // The classic confusion: HMAC "signed" with the public key, which everyone may know.
        let public = public_key_of(&seed(1)).unwrap();
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &Claims {
                sub: "u-1".into(),
                email: "a@b.co".into(),
                sid: "s".into(),
                aud: SESSION_AUDIENCE.into(),
                iat: now(),
                exp: now() + 60,
            },
            &EncodingKey::from_secret(public.as_bytes()),
        )
        .unwrap();
        assert!(keys().verify(&token).is_err());
    }

    #[test]
    fn garbage_is_refused() {
        let keys = keys();
        for token in ["", "abc", "a.b.c", "...."] {
            assert!(keys.verify(token).is_err(), "{token:?}");
        }
    }

    #[tokio::test]
    async fn a_device_token_names_its_email_and_is_never_a_session_token() {
        let keys = keys();
        let device = keys
            .issue_device("alice@example.com", "nonce-1", 60)
            .await
            .unwrap();
        assert_eq!(
            keys.verify_device(&device).unwrap(),
            DeviceToken {
                email: "alice@example.com".into(),
                nonce: "nonce-1".into()
            }
        );
        assert!(
            keys.verify(&device).is_err(),
            "a device token is no session"
        );
        let session = keys.issue(&alice(), "sid-1").await.unwrap();
        assert!(
            keys.verify_device(&session).is_err(),
            "a session is no device token"
        );
        let other = SessionKeys::for_seed(&seed(3), 3600).unwrap();
        assert!(keys
            .verify_device(
                &other
                    .issue_device("alice@example.com", "n", 60)
                    .await
                    .unwrap()
            )
            .is_err());
    }

    #[test]
    fn the_public_key_of_a_seed_is_rfc_8032s() {
        // RFC 8032, section 7.1, test 1: the secret key 9d61b19d... has the public key d75a9801...
        let seed = URL_SAFE_NO_PAD.encode(
            (0..32)
                .map(|i| {
                    u8::from_str_radix(
                        &"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
                            [2 * i..2 * i + 2],
                        16,
                    )
                    .unwrap()
                })
                .collect::<Vec<u8>>(),
        );
        let public = URL_SAFE_NO_PAD
            .decode(public_key_of(&seed).unwrap())
            .unwrap();
        let hex: String = public.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
    }

    /// Unpadded base64url, enough to forge a token by hand in a test.
    mod base64_url {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

        pub fn encode_segment(bytes: &[u8]) -> String {
            let mut out = String::new();
            for chunk in bytes.chunks(3) {
                let n = chunk
                    .iter()
                    .enumerate()
                    .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
                let sextets = chunk.len() + 1;
                for i in 0..sextets {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                }
            }
            out
        }
    }
}
