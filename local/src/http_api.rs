//! What API Gateway's HTTP API does around a Lambda integration (payload format 2.0): the event
//! built from a request, and the HTTP response built from what the function returns.

use crate::invoker::InvokeError;
use crate::routes::{percent_decode, RouteMatch};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode};
use hyper::body::Bytes;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

/// API Gateway's (and Lambda's) limit on a request payload.
pub const MAX_REQUEST_BYTES: usize = 6 * 1024 * 1024;

/// The parts of an HTTP request that go into the event.
#[derive(Debug, Clone)]
pub struct ApiRequest<'a> {
    /// The method, e.g. `POST`.
    pub method: &'a str,
    /// The path as received (still percent-encoded).
    pub raw_path: &'a str,
    /// The query string without `?`, as received.
    pub raw_query: &'a str,
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The request body.
    pub body: &'a [u8],
    /// The client's address.
    pub source_ip: IpAddr,
    /// `HTTP/1.1` and the like.
    pub protocol: &'a str,
    /// The id API Gateway gives the request.
    pub request_id: &'a str,
    /// When the request arrived.
    pub time: SystemTime,
}

/// Builds the payload format 2.0 event for a request that matched a route.
pub fn build_event(request: &ApiRequest<'_>, matched: &RouteMatch<'_>) -> Value {
    let route_key = matched.route.route_key();
    let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok());

    let mut headers = Map::new();
    for name in request.headers.keys() {
        // Cookies travel in their own field in format 2.0.
        if name == http::header::COOKIE {
            continue;
        }
        let joined = request
            .headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect::<Vec<_>>()
            .join(",");
        headers.insert(name.as_str().to_string(), Value::String(joined));
    }
    let forwarded_for = match header("x-forwarded-for") {
        Some(existing) => format!("{existing}, {}", request.source_ip),
        None => request.source_ip.to_string(),
    };
    headers.insert("x-forwarded-for".into(), Value::String(forwarded_for));
    headers.insert("x-forwarded-proto".into(), Value::String("http".into()));

    let cookies: Vec<Value> = request
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| Value::String(c.to_string()))
        .collect();

    let epoch = request.time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let domain = header("host").unwrap_or("localhost");
    let domain_name = domain.split(':').next().unwrap_or(domain);
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": crate::resolver::ACCOUNT_ID,
            "apiId": "local",
            "domainName": domain_name,
            "domainPrefix": domain_name.split('.').next().unwrap_or(domain_name),
            "http": {
                "method": request.method,
                "path": request.raw_path,
                "protocol": request.protocol,
                "sourceIp": request.source_ip.to_string(),
                "userAgent": header("user-agent").unwrap_or(""),
            },
            "requestId": request.request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": clf_time(epoch.as_secs()),
            "timeEpoch": epoch.as_millis() as u64,
        },
        "isBase64Encoded": false,
    });
    let fields = event.as_object_mut().expect("an object");
    if !cookies.is_empty() {
        fields.insert("cookies".into(), Value::Array(cookies));
    }
    let query = query_parameters(request.raw_query);
    if !query.is_empty() {
        fields.insert("queryStringParameters".into(), json!(query));
    }
    if !matched.path_parameters.is_empty() {
        fields.insert("pathParameters".into(), json!(matched.path_parameters));
    }
    if !request.body.is_empty() {
        let (body, encoded) = match std::str::from_utf8(request.body) {
            Ok(text) => (text.to_string(), false),
            Err(_) => (BASE64.encode(request.body), true),
        };
        fields.insert("body".into(), Value::String(body));
        fields.insert("isBase64Encoded".into(), Value::Bool(encoded));
    }
    event
}

/// `a=1&b=x%20y&a=2` → `{a: "1,2", b: "x y"}`, as API Gateway joins repeated keys.
fn query_parameters(raw_query: &str) -> BTreeMap<String, String> {
    let mut params: BTreeMap<String, String> = BTreeMap::new();
    for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| percent_decode(&s.replace('+', " "));
        params
            .entry(decode(key))
            .and_modify(|existing| {
                existing.push(',');
                existing.push_str(&decode(value));
            })
            .or_insert_with(|| decode(value));
    }
    params
}

/// Turns what the function returned into the HTTP response API Gateway would send.
///
/// A result with a `statusCode` is a structured response; anything else is sent as JSON with
/// status 200, as API Gateway does for format 2.0. An unusable structured response is an error
/// (API Gateway answers 500 for it).
pub fn response_from_lambda(result: &Value) -> Result<Response<Bytes>, String> {
    let Some(status) = result.as_object().and_then(|o| o.get("statusCode")) else {
        return Ok(Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "application/json")
            .body(Bytes::from(result.to_string()))
            .expect("valid response"));
    };
    let status = status
        .as_u64()
        .or_else(|| status.as_str().and_then(|s| s.parse().ok()))
        .and_then(|code| u16::try_from(code).ok())
        .and_then(|code| StatusCode::from_u16(code).ok())
        .ok_or_else(|| format!("invalid statusCode {status}"))?;

    let mut response = Response::builder()
        .status(status)
        .body(Bytes::new())
        .expect("valid response");
    let headers = response.headers_mut();
    if let Some(single) = result.get("headers").and_then(Value::as_object) {
        for (name, value) in single {
            if let Some(value) = scalar(value) {
                headers.append(header_name(name)?, header_value(&value)?);
            }
        }
    }
    if let Some(multi) = result.get("multiValueHeaders").and_then(Value::as_object) {
        for (name, values) in multi {
            for value in values.as_array().into_iter().flatten().filter_map(scalar) {
                headers.append(header_name(name)?, header_value(&value)?);
            }
        }
    }
    for cookie in result
        .get("cookies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let cookie = cookie.as_str().ok_or("a cookie is not a string")?;
        headers.append(http::header::SET_COOKIE, header_value(cookie)?);
    }

    let body = match result.get("body") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(text)) if result.get("isBase64Encoded") == Some(&Value::Bool(true)) => {
            BASE64
                .decode(text)
                .map_err(|e| format!("body is not valid base64: {e}"))?
        }
        Some(Value::String(text)) => text.clone().into_bytes(),
        Some(other) => return Err(format!("body must be a string, found {other}")),
    };
    *response.body_mut() = Bytes::from(body);
    Ok(response)
}

/// The response API Gateway sends when the integration failed.
pub fn invoke_error_response(err: &InvokeError) -> Response<Bytes> {
    match err {
        InvokeError::Timeout { .. } => {
            message(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
        }
        _ => message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
    }
}

/// An API Gateway style `{"message": ...}` response.
pub fn message(status: StatusCode, text: &str) -> Response<Bytes> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Bytes::from(json!({ "message": text }).to_string()))
        .expect("valid response")
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn header_name(name: &str) -> Result<HeaderName, String> {
    HeaderName::from_bytes(name.as_bytes()).map_err(|_| format!("invalid header name {name:?}"))
}

fn header_value(value: &str) -> Result<HeaderValue, String> {
    HeaderValue::from_str(value).map_err(|_| format!("invalid header value {value:?}"))
}

/// `12/Mar/2020:19:03:58 +0000`, the format of `requestContext.time`.
fn clf_time(epoch_seconds: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = (epoch_seconds / 86_400) as i64;
    let secs = epoch_seconds % 86_400;
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{day:02}/{}/{year}:{:02}:{:02}:{:02} +0000",
        MONTHS[(month - 1) as usize],
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::{Route, Router};
    use std::time::Duration;

    fn request_with<'a>(
        headers: &'a HeaderMap,
        body: &'a [u8],
        raw_query: &'a str,
    ) -> ApiRequest<'a> {
        ApiRequest {
            method: "PUT",
            raw_path: "/api/tickets/t%201",
            raw_query,
            headers,
            body,
            source_ip: "127.0.0.1".parse().unwrap(),
            protocol: "HTTP/1.1",
            request_id: "req-1",
            time: UNIX_EPOCH + Duration::from_millis(1_583_348_638_390),
        }
    }

    fn event_for(headers: &HeaderMap, body: &[u8], query: &str) -> Value {
        let router = Router::new(vec![Route::new(
            "PUT",
            "/api/tickets/{id}",
            "UpdateTicketFunction",
            "update-ticket",
        )]);
        let request = request_with(headers, body, query);
        let matched = router.find(request.method, request.raw_path).unwrap();
        build_event(&request, &matched)
    }

    #[test]
    fn builds_a_format_2_event() {
        let mut headers = HeaderMap::new();
        headers.insert("host", "localhost:3000".parse().unwrap());
        headers.insert("user-agent", "curl/8".parse().unwrap());
        headers.append("accept", "text/html".parse().unwrap());
        headers.append("accept", "application/json".parse().unwrap());
        headers.insert("cookie", "session=abc; theme=dark".parse().unwrap());
        let event = event_for(&headers, br#"{"title":"x"}"#, "a=1&b=x%20y&a=2&c=p+q");

        assert_eq!(event["version"], "2.0");
        assert_eq!(event["routeKey"], "PUT /api/tickets/{id}");
        assert_eq!(event["rawPath"], "/api/tickets/t%201");
        assert_eq!(event["rawQueryString"], "a=1&b=x%20y&a=2&c=p+q");
        assert_eq!(event["cookies"], json!(["session=abc", "theme=dark"]));
        assert_eq!(event["headers"]["accept"], "text/html,application/json");
        assert!(event["headers"].get("cookie").is_none());
        assert_eq!(
            event["queryStringParameters"],
            json!({"a": "1,2", "b": "x y", "c": "p q"})
        );
        assert_eq!(event["pathParameters"], json!({"id": "t 1"}));
        assert_eq!(event["body"], r#"{"title":"x"}"#);
        assert_eq!(event["isBase64Encoded"], false);

        let context = &event["requestContext"];
        assert_eq!(context["http"]["method"], "PUT");
        assert_eq!(context["http"]["path"], "/api/tickets/t%201");
        assert_eq!(context["http"]["sourceIp"], "127.0.0.1");
        assert_eq!(context["http"]["userAgent"], "curl/8");
        assert_eq!(context["stage"], "$default");
        assert_eq!(context["requestId"], "req-1");
        assert_eq!(context["domainName"], "localhost");
        assert_eq!(context["timeEpoch"], 1_583_348_638_390u64);
        assert_eq!(context["time"], "04/Mar/2020:19:03:58 +0000");
    }

    #[test]
    fn the_event_is_what_lambda_http_reads() {
        let mut headers = HeaderMap::new();
        headers.insert("cookie", "a=1; b=2".parse().unwrap());
        let event = event_for(&headers, b"hello", "q=1");
        let parsed: aws_lambda_events::apigw::ApiGatewayV2httpRequest =
            serde_json::from_value(event).expect("aws_lambda_events parses the event");
        assert_eq!(parsed.request_context.http.method, http::Method::PUT);
        assert_eq!(
            parsed.cookies,
            Some(vec!["a=1".to_string(), "b=2".to_string()])
        );
        assert_eq!(parsed.body.as_deref(), Some("hello"));
    }

    #[test]
    fn binary_bodies_are_base64_and_empty_parts_are_left_out() {
        let headers = HeaderMap::new();
        let event = event_for(&headers, &[0xff, 0x00, 0xfe], "");
        assert_eq!(event["body"], BASE64.encode([0xff, 0x00, 0xfe]));
        assert_eq!(event["isBase64Encoded"], true);
        assert!(event.get("cookies").is_none());
        assert!(event.get("queryStringParameters").is_none());

        let event = event_for(&headers, b"", "");
        assert!(event.get("body").is_none());
    }

    #[test]
    fn every_cookie_becomes_its_own_set_cookie_header() {
        let response = response_from_lambda(&json!({
            "statusCode": 201,
            "headers": {"content-type": "application/json", "x-count": 2},
            "multiValueHeaders": {"vary": ["origin", "cookie"]},
            "cookies": ["session=abc; HttpOnly", "theme=dark"],
            "body": "{\"id\":\"1\"}",
            "isBase64Encoded": false
        }))
        .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let cookies: Vec<_> = response.headers().get_all("set-cookie").iter().collect();
        assert_eq!(cookies, ["session=abc; HttpOnly", "theme=dark"]);
        assert_eq!(response.headers()["content-type"], "application/json");
        assert_eq!(response.headers()["x-count"], "2");
        assert_eq!(response.headers().get_all("vary").iter().count(), 2);
        assert_eq!(response.body().as_ref(), br#"{"id":"1"}"#);
    }

    #[test]
    fn base64_bodies_are_decoded() {
        let response = response_from_lambda(&json!({
            "statusCode": 200,
            "body": BASE64.encode([1u8, 2, 3]),
            "isBase64Encoded": true
        }))
        .unwrap();
        assert_eq!(response.body().as_ref(), &[1, 2, 3]);
    }

    #[test]
    fn a_bare_json_result_is_sent_as_json_with_200() {
        let response = response_from_lambda(&json!({"hello": "world"})).unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "application/json");
        assert_eq!(response.body().as_ref(), br#"{"hello":"world"}"#);
    }

    #[test]
    fn an_unusable_structured_response_is_an_error() {
        assert!(response_from_lambda(&json!({"statusCode": "nope"})).is_err());
        assert!(response_from_lambda(
            &json!({"statusCode": 200, "body": "%%", "isBase64Encoded": true})
        )
        .is_err());
    }

    #[test]
    fn invoke_errors_map_to_api_gateway_statuses() {
        let timeout = InvokeError::Timeout {
            function: "F".into(),
            timeout: Duration::from_secs(1),
        };
        assert_eq!(
            invoke_error_response(&timeout).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        let failed = InvokeError::Function {
            function: "F".into(),
            error_type: "E".into(),
            message: "m".into(),
        };
        let response = invoke_error_response(&failed);
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            response.body().as_ref(),
            br#"{"message":"Internal Server Error"}"#
        );
    }

    #[test]
    fn formats_request_times_like_api_gateway() {
        assert_eq!(clf_time(0), "01/Jan/1970:00:00:00 +0000");
        assert_eq!(clf_time(951_782_400), "29/Feb/2000:00:00:00 +0000");
    }
}
