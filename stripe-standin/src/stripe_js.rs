//! `GET /v3/`: the Stripe.js stand-in (`js/stripe-v3.js`), for pages that load
//! `<script src="http://127.0.0.1:12111/v3/">` instead of `https://js.stripe.com/v3/`.

use bytes::Bytes;
use http::{header, Response, StatusCode};
use http_body_util::Full;

/// The script, as served.
pub const STRIPE_JS: &str = include_str!("../js/stripe-v3.js");

pub(crate) fn response() -> Response<Full<Bytes>> {
    Response::builder()
        .status(StatusCode::OK)
        .header(
            header::CONTENT_TYPE,
            "application/javascript; charset=utf-8",
        )
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Full::new(Bytes::from_static(STRIPE_JS.as_bytes())))
        .expect("valid response")
}
