//! Errors in Stripe's shape: `{"error": {"type", "code", "message", "param", ...}}` with Stripe's
//! HTTP statuses. The body is async-stripe's own `ApiErrors`, with the absent fields left out as
//! Stripe does.

use http::StatusCode;
use stripe_shared::{ApiErrors, ApiErrorsCode, ApiErrorsType, PaymentIntent};

/// An error answer: its HTTP status and the Stripe error object.
#[derive(Clone, Debug)]
pub struct ApiError {
    pub status: StatusCode,
    /// Boxed: with the PaymentIntent and PaymentMethod it may carry, it is over 20 KB.
    pub error: Box<ApiErrors>,
    /// Whether a request repeated with the same Idempotency-Key gets this answer again. Stripe
    /// saves the result only once the endpoint started to execute: a request whose parameters
    /// failed validation is not saved, and may be retried with the same key.
    pub(crate) replayable: bool,
}

impl ApiError {
    fn new(status: StatusCode, type_: ApiErrorsType, code: Option<&str>, message: String) -> Self {
        ApiError {
            status,
            error: Box::new(ApiErrors {
                advice_code: None,
                charge: None,
                code: code.map(parse_code),
                decline_code: None,
                doc_url: code.map(doc_url),
                message: Some(message),
                network_advice_code: None,
                network_decline_code: None,
                param: None,
                payment_intent: None,
                payment_method: None,
                payment_method_type: None,
                request_log_url: None,
                setup_intent: None,
                source: None,
                type_,
            }),
            replayable: true,
        }
    }

    /// 500 `api_error`: something went wrong on Stripe's side. Nothing was done, so it is not
    /// saved for idempotent replays and the same request may be sent again.
    pub fn server_error(message: impl Into<String>) -> Self {
        let mut error = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ApiErrorsType::ApiError,
            None,
            message.into(),
        );
        error.replayable = false;
        error
    }

    /// 400: a parameter is missing or invalid. Not saved for idempotent replays.
    pub fn invalid_param(code: Option<&str>, param: &str, message: impl Into<String>) -> Self {
        let mut err = Self::new(
            StatusCode::BAD_REQUEST,
            ApiErrorsType::InvalidRequestError,
            code,
            message.into(),
        );
        err.error.param = Some(param.to_string());
        err.replayable = false;
        err
    }

    /// 400 `parameter_missing`.
    pub fn missing_param(param: &str) -> Self {
        Self::invalid_param(
            Some("parameter_missing"),
            param,
            format!("Missing required param: {param}."),
        )
    }

    /// 400: the request is well formed but not allowed in the object's current state.
    pub fn invalid_request(code: Option<&str>, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ApiErrorsType::InvalidRequestError,
            code,
            message.into(),
        )
    }

    /// 404 `resource_missing`: "No such payment_intent: 'pi_123'".
    pub fn no_such(object: &str, id: &str, param: &str) -> Self {
        let mut err = Self::new(
            StatusCode::NOT_FOUND,
            ApiErrorsType::InvalidRequestError,
            Some("resource_missing"),
            format!("No such {object}: '{id}'"),
        );
        err.error.param = Some(param.to_string());
        err
    }

    /// 404 for a URL the API does not have.
    pub fn unrecognized_url(method: &str, path: &str) -> Self {
        let mut err = Self::new(
            StatusCode::NOT_FOUND,
            ApiErrorsType::InvalidRequestError,
            None,
            format!(
                "Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs \
                 or we can help at https://support.stripe.com/."
            ),
        );
        err.replayable = false;
        err
    }

    /// 401: no API key, or not one of the stand-in's keys.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        let mut err = Self::new(
            StatusCode::UNAUTHORIZED,
            ApiErrorsType::InvalidRequestError,
            None,
            message.into(),
        );
        err.replayable = false;
        err
    }

    /// 403: a publishable key on an endpoint that needs the secret key.
    pub fn publishable_key_not_allowed() -> Self {
        let mut err = Self::new(
            StatusCode::FORBIDDEN,
            ApiErrorsType::InvalidRequestError,
            None,
            "This API call cannot be made with a publishable API key. Please use a secret API \
             key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys."
                .to_string(),
        );
        err.replayable = false;
        err
    }

    /// 402 `card_error`. `decline_code` is set for issuer declines.
    pub fn card_error(
        code: &str,
        decline_code: Option<&str>,
        param: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        let mut err = Self::new(
            StatusCode::PAYMENT_REQUIRED,
            ApiErrorsType::CardError,
            Some(code),
            message.into(),
        );
        err.error.decline_code = decline_code.map(str::to_string);
        err.error.param = param.map(str::to_string);
        err
    }

    /// 400 `idempotency_error`.
    pub fn idempotency(message: impl Into<String>) -> Self {
        let mut err = Self::new(
            StatusCode::BAD_REQUEST,
            ApiErrorsType::IdempotencyError,
            None,
            message.into(),
        );
        err.replayable = false;
        err
    }

    /// Attaches the PaymentIntent, as Stripe does on errors from confirming one.
    pub fn with_payment_intent(mut self, intent: PaymentIntent) -> Self {
        self.error.payment_intent = Some(intent);
        self
    }

    /// The JSON body: `{"error": {...}}` without the fields that are absent.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "error": without_nulls(&self.error) })
    }
}

/// An `ApiErrors` as JSON without its null fields (Stripe leaves absent fields out of errors).
pub fn without_nulls(error: &ApiErrors) -> serde_json::Value {
    let mut value = serde_json::to_value(error).expect("ApiErrors serializes");
    if let Some(object) = value.as_object_mut() {
        object.retain(|_, v| !v.is_null());
    }
    value
}

fn parse_code(code: &str) -> ApiErrorsCode {
    // Infallible: an unlisted code (e.g. `incomplete_cvc`) becomes `Unknown`, serialized as is.
    code.parse().unwrap_or_else(|never| match never {})
}

fn doc_url(code: &str) -> String {
    format!(
        "https://stripe.com/docs/error-codes/{}",
        code.replace('_', "-")
    )
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}",
            self.status.as_u16(),
            self.error.message.as_deref().unwrap_or("")
        )
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_fields_are_left_out() {
        let body = ApiError::missing_param("amount").body();
        assert_eq!(
            body,
            serde_json::json!({"error": {
                "type": "invalid_request_error",
                "code": "parameter_missing",
                "doc_url": "https://stripe.com/docs/error-codes/parameter-missing",
                "message": "Missing required param: amount.",
                "param": "amount",
            }})
        );
    }

    #[test]
    fn codes_async_stripe_does_not_list_are_kept() {
        let err = ApiError::card_error(
            "incomplete_cvc",
            None,
            Some("card[cvc]"),
            "Your card's security code is incomplete.",
        );
        assert_eq!(err.body()["error"]["code"], "incomplete_cvc");
        assert_eq!(err.status, StatusCode::PAYMENT_REQUIRED);
    }
}
