//! The public HTTP server: API routes go to functions, everything else to the web app, with
//! CloudFront's part around both ([`Edge`]: the origin secret on API requests, the security
//! headers on every answer).

use crate::edge::Edge;
use crate::http_api::{self, ApiRequest, MAX_REQUEST_BYTES};
use crate::invoker::Invoker;
use crate::routes::{RouteMatch, Router};
use crate::static_site::StaticSite;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Instant, SystemTime};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// Routes requests the way API Gateway plus the static site would.
pub struct Gateway {
    router: Router,
    invoker: Invoker,
    site: Option<StaticSite>,
    edge: Edge,
}

impl Gateway {
    /// A gateway over these routes and functions, serving `site` for non-API paths, behind `edge`.
    pub fn new(router: Router, invoker: Invoker, site: Option<StaticSite>, edge: Edge) -> Self {
        Gateway {
            router,
            invoker,
            site,
            edge,
        }
    }

    /// Answers one request and prints its log line.
    pub async fn handle(&self, request: Request<Incoming>, client: SocketAddr) -> Response<Bytes> {
        let started = Instant::now();
        let method = request.method().clone();
        let path = request.uri().path().to_string();
        let (mut response, target) = if let Some(matched) = self.router.find(method.as_str(), &path)
        {
            let function = matched.route.function.clone();
            (
                self.call_function(&matched, request, client).await,
                function,
            )
        } else if !is_api_path(&path) && (method == Method::GET || method == Method::HEAD) {
            match &self.site {
                Some(site) => (site.serve(&method, &path).await, "static".to_string()),
                None => (not_found(), "-".to_string()),
            }
        } else {
            (not_found(), "-".to_string())
        };
        self.edge.add_response_headers(response.headers_mut());
        println!(
            "{method} {path} {} {}ms {target}",
            response.status().as_u16(),
            started.elapsed().as_millis()
        );
        response
    }

    async fn call_function(
        &self,
        matched: &RouteMatch<'_>,
        request: Request<Incoming>,
        client: SocketAddr,
    ) -> Response<Bytes> {
        let (mut parts, body) = request.into_parts();
        self.edge.add_api_request_headers(&mut parts.headers);
        let body = match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(err) if err.is::<LengthLimitError>() => {
                return http_api::message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large")
            }
            Err(_) => return http_api::message(StatusCode::BAD_REQUEST, "Bad Request"),
        };
        let request_id = uuid::Uuid::new_v4().to_string();
        let protocol = format!("{:?}", parts.version);
        let event = http_api::build_event(
            &ApiRequest {
                method: parts.method.as_str(),
                raw_path: parts.uri.path(),
                raw_query: parts.uri.query().unwrap_or(""),
                headers: &parts.headers,
                body: &body,
                source_ip: client.ip(),
                protocol: &protocol,
                request_id: &request_id,
                time: SystemTime::now(),
            },
            matched,
        );
        let function = &matched.route.function;
        let mut response = match self.invoker.invoke(function, event).await {
            Ok(result) => http_api::response_from_lambda(&result).unwrap_or_else(|reason| {
                eprintln!("[{function}] unusable response: {reason}");
                http_api::message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
            }),
            Err(err) => {
                eprintln!("[{function}] {err}");
                http_api::invoke_error_response(&err)
            }
        };
        if let Ok(id) = request_id.parse() {
            response.headers_mut().insert("apigw-requestid", id);
        }
        response
    }
}

/// Paths that belong to the API: never answered by the web app.
fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

fn not_found() -> Response<Bytes> {
    http_api::message(StatusCode::NOT_FOUND, "Not Found")
}

/// Serves HTTP/1.1 on `listener` until `shutdown` resolves; open connections are then dropped.
pub async fn serve(
    listener: TcpListener,
    gateway: Arc<Gateway>,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, client)) => {
                    let gateway = gateway.clone();
                    connections.spawn(async move {
                        let service = service_fn(move |request| {
                            let gateway = gateway.clone();
                            async move { Ok::<_, Infallible>(gateway.handle(request, client).await.map(Full::new)) }
                        });
                        let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                    });
                }
                Err(err) => {
                    eprintln!("accept failed: {err}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}
