//! The seller's API: GET /api/payouts (payout setup and every listing with its sale and payout)
//! and POST /api/payouts/onboarding (a link to Stripe's hosted onboarding).

use crate::context::SellerApiContext;
use crate::model::PayoutAccount;
use crate::stripe_api::StripeFailure;
use lambda_http::http::{HeaderMap, StatusCode};
use lambda_http::Request;
use serde_json::json;
use ticketing::auth::require_user;
use ticketing::http::{json, ApiResult};
use ticketing::same_origin::VIEWER_HOST_HEADER;
use ticketing::ApiError;

/// GET /api/payouts: the caller's payout setup (`none`, `incomplete`, `ready`), the platform
/// fee, and every ticket they listed, oldest first, with its state and, once sold, the sale.
pub async fn get_payouts(ctx: &SellerApiContext, request: Request) -> ApiResult {
    let user = require_user(&request, &ctx.sessions).await?;
    let (account, listings) = ctx
        .payouts
        .seller(&user.id)
        .await
        .map_err(ApiError::internal)?;
    json(
        StatusCode::OK,
        &json!({
            "account": { "status": account.as_ref().map_or("none", PayoutAccount::status) },
            "platformFeeBasisPoints": ctx.fee_basis_points,
            "listings": listings,
        }),
    )
}

/// POST /api/payouts/onboarding: the caller's connected account (made the first time) and a
/// fresh single-use link to Stripe's hosted onboarding, which returns to "My listings".
pub async fn start_onboarding(ctx: &SellerApiContext, request: Request) -> ApiResult {
    let user = require_user(&request, &ctx.sessions).await?;
    let site = site_of(request.headers())
        .ok_or_else(|| ApiError::invalid("Host", "The request names no host"))?;
    let account = match ctx
        .payouts
        .account(&user.id)
        .await
        .map_err(ApiError::internal)?
    {
        Some(account) => account,
        None => {
            let (account_id, state) = ctx
                .stripe
                .create_account(&user.id)
                .await
                .map_err(unavailable)?;
            let account = PayoutAccount {
                seller_id: user.id.clone(),
                account_id,
                details_submitted: state.details_submitted,
                payouts_enabled: state.payouts_enabled,
                transfers_active: state.transfers_active,
                updated_at: 0,
            };
            ctx.payouts
                .insert_account(&account)
                .await
                .map_err(ApiError::internal)?
        }
    };
    let url = ctx
        .stripe
        .onboarding_link(
            &account.account_id,
            &format!("{site}/listings?payouts=return"),
            &format!("{site}/listings?payouts=refresh"),
        )
        .await
        .map_err(unavailable)?;
    tracing::info!(
        seller_id = user.id,
        account_id = account.account_id,
        "onboarding link made"
    );
    json(StatusCode::OK, &json!({ "url": url }))
}

fn unavailable(failure: StripeFailure) -> ApiError {
    match failure {
        StripeFailure::Unavailable(_) => ApiError::unavailable(
            "Payout setup is not available right now; please try again in a moment.",
            failure,
        ),
        StripeFailure::Refused(_) => ApiError::internal(failure),
    }
}

/// The site the browser is on (`https://host`, or the Origin it sent: the same-origin check has
/// already refused any other), where Stripe sends the seller back to.
pub fn site_of(headers: &HeaderMap) -> Option<String> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = header("origin").filter(|o| o.starts_with("http")) {
        return Some(origin.trim_end_matches('/').to_string());
    }
    header(VIEWER_HOST_HEADER)
        .or_else(|| header("host"))
        .filter(|host| !host.is_empty())
        .map(|host| format!("https://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_is_the_browsers_origin_or_the_viewers_host() {
        let mut headers = HeaderMap::new();
        headers.insert("host", "api.example.com".parse().unwrap());
        assert_eq!(
            site_of(&headers).as_deref(),
            Some("https://api.example.com")
        );
        headers.insert(VIEWER_HOST_HEADER, "tickets.example.com".parse().unwrap());
        assert_eq!(
            site_of(&headers).as_deref(),
            Some("https://tickets.example.com")
        );
        headers.insert("origin", "http://127.0.0.1:3000".parse().unwrap());
        assert_eq!(site_of(&headers).as_deref(), Some("http://127.0.0.1:3000"));
    }
}
