//! Idempotency-Key: a POST repeated with a key seen before (for the same API key) gets the first
//! answer again, byte for byte, and does nothing; the same key with another endpoint or other
//! parameters is an `idempotency_error`. <https://docs.stripe.com/api/idempotent_requests>

use std::collections::HashMap;

use http::StatusCode;

use crate::errors::ApiError;

/// The first answer to a keyed request.
#[derive(Clone, Debug)]
pub struct StoredResponse {
    pub status: StatusCode,
    pub body: Vec<u8>,
    /// The `Request-Id` of the first request (sent back as `Original-Request`).
    pub request_id: String,
}

struct Entry {
    method: String,
    path: String,
    params: Vec<(String, String)>,
    response: StoredResponse,
}

/// Every keyed request answered so far. Kept for the stand-in's lifetime (Stripe: 24 hours).
#[derive(Default)]
pub struct IdempotencyStore {
    entries: HashMap<(String, String), Entry>,
}

/// What to do with a keyed request.
pub enum Lookup {
    /// First use of the key: run the request.
    New,
    /// Seen with the same endpoint and parameters: answer this again.
    Replay(StoredResponse),
}

impl IdempotencyStore {
    pub fn lookup(
        &self,
        api_key: &str,
        key: &str,
        method: &str,
        path: &str,
        params: &[(String, String)],
    ) -> Result<Lookup, ApiError> {
        let Some(entry) = self.entries.get(&(api_key.to_string(), key.to_string())) else {
            return Ok(Lookup::New);
        };
        if entry.method != method || entry.path != path {
            return Err(ApiError::idempotency(format!(
                "Keys for idempotent requests can only be used for the same endpoint they were \
                 first used for ('{} {}' vs '{method} {path}'). Try using a key other than '{key}' \
                 if you meant to execute a different request.",
                entry.method, entry.path
            )));
        }
        if entry.params != params {
            return Err(ApiError::idempotency(format!(
                "Keys for idempotent requests can only be used with the same parameters they \
                 were first used with. Try using a key other than '{key}' if you meant to \
                 execute a different request."
            )));
        }
        Ok(Lookup::Replay(entry.response.clone()))
    }

    pub fn store(
        &mut self,
        api_key: &str,
        key: &str,
        method: &str,
        path: &str,
        params: Vec<(String, String)>,
        response: StoredResponse,
    ) {
        self.entries.insert(
            (api_key.to_string(), key.to_string()),
            Entry {
                method: method.to_string(),
                path: path.to_string(),
                params,
                response,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(amount: &str) -> Vec<(String, String)> {
        vec![("amount".to_string(), amount.to_string())]
    }

    #[test]
    fn replays_the_same_request_and_rejects_other_parameters() {
        let mut store = IdempotencyStore::default();
        let path = "/v1/payment_intents";
        assert!(matches!(
            store.lookup("sk", "k1", "POST", path, &params("100")),
            Ok(Lookup::New)
        ));
        let first = StoredResponse {
            status: StatusCode::OK,
            body: b"{}".to_vec(),
            request_id: "req_1".into(),
        };
        store.store("sk", "k1", "POST", path, params("100"), first);
        assert!(matches!(
            store.lookup("sk", "k1", "POST", path, &params("100")),
            Ok(Lookup::Replay(r)) if r.body == b"{}"
        ));
        let err = store
            .lookup("sk", "k1", "POST", path, &params("200"))
            .err()
            .expect("conflict");
        assert_eq!(err.body()["error"]["type"], "idempotency_error");
        // Keys belong to one API key.
        assert!(matches!(
            store.lookup("other", "k1", "POST", path, &params("200")),
            Ok(Lookup::New)
        ));
    }
}
