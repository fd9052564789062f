//! The one error type of the HTTP functions, and its single conversion to a response.
//!
//! Variants are named for what the caller can do next. A 5xx body never says anything
//! internal; the cause chain goes to the log instead.

use serde::Serialize;

/// One problem with a request, optionally tied to the input field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// A stable name for the reason, on the few answers a client acts on (`order_paid`); the
    /// message may change, the code does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
}

impl FieldError {
    /// A problem with the named field.
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            field: Some(field.to_string()),
            code: None,
        }
    }

    /// A problem with the request as a whole.
    pub fn general(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            field: None,
            code: None,
        }
    }
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request itself is invalid (400).
    #[error("invalid request")]
    BadRequest(Vec<FieldError>),
    /// No valid session (401).
    #[error("not signed in")]
    NotAuthorized,
    /// Signed in, but not allowed (403).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Nothing there, or nothing the caller may know about (404).
    #[error("not found")]
    NotFound,
    /// Valid, but in conflict with the current state (409).
    #[error("conflict")]
    Conflict(FieldError),
    /// Too many attempts; the caller may try again after this many seconds (429 + Retry-After).
    #[error("too many requests")]
    TooManyRequests {
        message: String,
        retry_after_seconds: u64,
    },
    /// The body is larger than the API reads (413); the limit in bytes.
    #[error("request body over {0} bytes")]
    PayloadTooLarge(usize),
    /// The body is not declared as JSON (415).
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// A service we depend on (Stripe) is slow or failing (503 + Retry-After): the same request
    /// may work in a moment. The message is for the user; the source is logged, never returned.
    #[error("unavailable: {message}")]
    Unavailable {
        message: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Something broke on our side (500); the source is logged, never returned.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// A 400 about one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::BadRequest(vec![FieldError::new(field, message)])
    }

    /// A 409 with a message.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(FieldError::general(message))
    }

    /// A 409 whose reason a client acts on: `code` names it (see [`FieldError::code`]).
    pub fn conflict_with_code(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict(FieldError {
            code: Some(code),
            ..FieldError::general(message)
        })
    }

    /// Wraps any unexpected failure as a 500.
    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(error))
    }

    /// A 503: `message` tells the user what is unavailable; `source` is why, for the log.
    pub fn unavailable(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Unavailable {
            message: message.into(),
            source: Box::new(source),
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::BadRequest(_) => 400,
            Self::NotAuthorized => 401,
            Self::Forbidden(_) => 403,
            Self::NotFound => 404,
            Self::Conflict(_) => 409,
            Self::TooManyRequests { .. } => 429,
            Self::PayloadTooLarge(_) => 413,
            Self::UnsupportedMediaType => 415,
            Self::Unavailable { .. } => 503,
            Self::Internal(_) => 500,
        }
    }

    /// The `errors` list of the response body.
    pub fn errors(&self) -> Vec<FieldError> {
        match self {
            Self::BadRequest(errors) => errors.clone(),
            Self::NotAuthorized => vec![FieldError::general("Not authorized")],
            Self::Forbidden(message) => vec![FieldError::general(message.clone())],
            Self::NotFound => vec![FieldError::general("Not found")],
            Self::Conflict(error) => vec![error.clone()],
            Self::TooManyRequests { message, .. } => vec![FieldError::general(message.clone())],
            Self::PayloadTooLarge(limit) => vec![FieldError::general(format!(
                "The request body must be at most {limit} bytes"
            ))],
            Self::UnsupportedMediaType => vec![FieldError::general(
                "The request body must be JSON, sent with Content-Type: application/json",
            )],
            Self::Unavailable { message, .. } => vec![FieldError::general(message.clone())],
            Self::Internal(_) => vec![FieldError::general("Something went wrong")],
        }
    }

    /// The full cause chain, for the log line of an internal error.
    pub fn cause_chain(&self) -> String {
        chain(self)
    }
}

/// An error and all its causes on one line, for logs (never for response bodies).
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_variant_has_its_status() {
        assert_eq!(ApiError::invalid("email", "bad").status_code(), 400);
        assert_eq!(ApiError::NotAuthorized.status_code(), 401);
        assert_eq!(ApiError::Forbidden("no".into()).status_code(), 403);
        assert_eq!(ApiError::NotFound.status_code(), 404);
        assert_eq!(ApiError::conflict("taken").status_code(), 409);
        let too_many = ApiError::TooManyRequests {
            message: "slow down".into(),
            retry_after_seconds: 3,
        };
        assert_eq!(too_many.status_code(), 429);
        assert_eq!(ApiError::PayloadTooLarge(10).status_code(), 413);
        assert_eq!(ApiError::UnsupportedMediaType.status_code(), 415);
        assert_eq!(
            ApiError::internal(std::io::Error::other("disk")).status_code(),
            500
        );
    }

    #[test]
    fn internal_errors_hide_the_cause_but_keep_it_for_the_log() {
        let error = ApiError::internal(std::io::Error::other("table xyz throttled"));
        let body = serde_json::to_string(&error.errors()).unwrap();
        assert!(!body.contains("xyz"), "{body}");
        assert!(error.cause_chain().contains("table xyz throttled"));
    }

    #[test]
    fn a_general_error_has_no_field_key() {
        let json = serde_json::to_value(FieldError::general("Invalid credentials")).unwrap();
        assert_eq!(json, serde_json::json!({"message": "Invalid credentials"}));
    }

    #[test]
    fn a_coded_conflict_carries_its_code_and_others_none() {
        let coded = ApiError::conflict_with_code("order_paid", "This order is already paid");
        assert_eq!(coded.status_code(), 409);
        assert_eq!(
            serde_json::to_value(coded.errors()).unwrap(),
            serde_json::json!([{"message": "This order is already paid", "code": "order_paid"}])
        );
        let plain = serde_json::to_value(ApiError::conflict("taken").errors()).unwrap();
        assert_eq!(plain, serde_json::json!([{"message": "taken"}]));
    }
}
