//! Account links: a single-use URL of the hosted onboarding page (`/_standin/connect/...`).

use super::{json, ApiRequest, Reply};
use crate::errors::ApiError;
use crate::ids::random_token;
use crate::state::State;

/// How long an account link can be used, as at Stripe.
pub const LINK_LIFETIME_SECONDS: i64 = 300;

/// An account link as the stand-in keeps it: whose, where to go after, and whether it was used.
#[derive(Clone, Debug)]
pub struct StoredLink {
    pub account: String,
    pub return_url: String,
    pub refresh_url: String,
    pub expires_at: i64,
    pub used: bool,
}

/// `POST /v1/account_links` with `account`, `type=account_onboarding`, `return_url` and
/// `refresh_url`. The URL points at the hosted onboarding page on the host the request was sent
/// to (`base_url`), where a browser reaches the stand-in.
pub fn create(state: &mut State, req: &ApiRequest, base_url: &str) -> Reply {
    let params = &req.params;
    params.only(&[
        "account",
        "type",
        "return_url",
        "refresh_url",
        "collect",
        "collection_options",
    ])?;
    let account = params.required("account")?;
    if !state.accounts.contains_key(account) {
        return Err(ApiError::no_such("account", account, "account"));
    }
    match params.required("type")? {
        "account_onboarding" => {}
        other => {
            return Err(ApiError::invalid_param(
                None,
                "type",
                format!("The stripe-standin makes account_onboarding links only (got {other})."),
            ))
        }
    }
    let return_url = url_param(req, "return_url")?;
    let refresh_url = url_param(req, "refresh_url")?;
    let token = random_token(24);
    let expires_at = req.now + LINK_LIFETIME_SECONDS;
    state.account_links.insert(
        token.clone(),
        StoredLink {
            account: account.to_string(),
            return_url,
            refresh_url,
            expires_at,
            used: false,
        },
    );
    Ok(json(&stripe_connect::AccountLink {
        created: req.now,
        expires_at,
        url: format!("{base_url}_standin/connect/onboarding/{token}"),
    }))
}

fn url_param(req: &ApiRequest, name: &str) -> Result<String, ApiError> {
    let url = req.params.required(name)?;
    match url.parse::<http::Uri>() {
        Ok(uri) if matches!(uri.scheme_str(), Some("http" | "https")) && uri.host().is_some() => {
            Ok(url.to_string())
        }
        _ => Err(ApiError::invalid_param(
            Some("url_invalid"),
            name,
            format!("Not a valid URL: {url}"),
        )),
    }
}
