//! The real `local-gateway` binary, with the real auth functions, against moto.
//!
//! Needs the workspace's function binaries next to the gateway (`cargo build --workspace`, which
//! `cargo test --workspace` does).

use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

const STARTUP_TIMEOUT: Duration = Duration::from_secs(90);
const EXIT_TIMEOUT: Duration = Duration::from_secs(15);
const INDEX_HTML: &str = "<!doctype html><title>Ticketing</title>";

/// A running gateway; killed on drop, printing its output if the test failed.
struct RunningGateway {
    child: Child,
    port: u16,
    output: Arc<Mutex<Vec<String>>>,
    web_dist: PathBuf,
}

impl RunningGateway {
    fn start() -> Self {
        let gateway = PathBuf::from(env!("CARGO_BIN_EXE_local-gateway"));
        let functions_dir = gateway.parent().unwrap();
        for binary in [
            "signup",
            "signin",
            "signout",
            "current-user",
            "change-password",
        ] {
            assert!(
                functions_dir.join(binary).is_file(),
                "{binary} is not built in {}: run `cargo build --workspace` first",
                functions_dir.display()
            );
        }
        let id = uuid::Uuid::new_v4().simple().to_string();
        let web_dist = std::env::temp_dir().join(format!("gateway-web-{id}"));
        std::fs::create_dir_all(&web_dist).unwrap();
        std::fs::write(web_dist.join("index.html"), INDEX_HTML).unwrap();

        let mut command = Command::new(&gateway);
        command
            .env("PORT", "0")
            .env("AWS_ENDPOINT_URL", local::emulators::moto())
            .env("AWS_ENDPOINT_URL_DYNAMODB", local::emulators::dynamodb())
            .env(
                "TEMPLATE",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../template.yaml"),
            )
            .env("WEB_DIST", &web_dist)
            // A stack of its own: fresh tables for this test.
            .env("STACK_NAME", format!("gateway-test-{}", &id[..12]))
            .env(
                "PARAMETER_OVERRIDES",
                format!(
                    "{} CookieSecure=false StripeSecretKey=sk_test_unused \
                     StripeWebhookSecret=whsec_unused_by_these_tests_000000 \
                     StripeConnectWebhookSecret=whsec_unused_by_these_tests_000000 \
                     StripePublishableKey=pk_test_unused",
                    local::testing::session_key_parameters()
                ),
            )
            .env("MAX_INSTANCES", "2")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        die_with_test(&mut command);
        let mut child = command.spawn().expect("local-gateway starts");

        let output = Arc::new(Mutex::new(Vec::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        drain(child.stdout.take().unwrap(), output.clone(), Some(ready_tx));
        drain(child.stderr.take().unwrap(), output.clone(), None);

        let mut running = RunningGateway {
            child,
            port: 0,
            output,
            web_dist,
        };
        match ready_rx.recv_timeout(STARTUP_TIMEOUT) {
            Ok(port) => running.port = port,
            Err(_) => panic!("the gateway did not start:\n{}", running.output()),
        }
        running
    }

    fn output(&self) -> String {
        self.output.lock().unwrap().join("\n")
    }

    /// Every process the gateway started (its function instances).
    fn children(&self) -> Vec<u32> {
        let tasks = format!("/proc/{}/task", self.child.id());
        std::fs::read_dir(tasks)
            .map(|tasks| {
                tasks
                    .flatten()
                    .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
                    .flat_map(|list| {
                        list.split_whitespace()
                            .filter_map(|p| p.parse().ok())
                            .collect::<Vec<_>>()
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    async fn request(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", format!("localhost:{}", self.port));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let body = match body {
            Some(json) => {
                request = request.header("content-type", "application/json");
                Bytes::from(json.to_string())
            }
            None => Bytes::new(),
        };
        let response = sender
            .send_request(request.body(Full::new(body)).unwrap())
            .await
            .unwrap();
        let (parts, body) = response.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        Reply {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }
}

impl Drop for RunningGateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- gateway output ---\n{}", self.output());
        }
        let _ = std::fs::remove_dir_all(&self.web_dist);
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Collects a stream's lines; on stdout, reports the port from the banner line.
fn drain(
    stream: impl Read + Send + 'static,
    output: Arc<Mutex<Vec<String>>>,
    ready: Option<mpsc::Sender<u16>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if let Some(port) = line
                .strip_prefix("Ticketing is running on http://localhost:")
                .and_then(|p| p.trim().parse().ok())
            {
                if let Some(ready) = &ready {
                    let _ = ready.send(port);
                }
            }
            output.lock().unwrap().push(line);
        }
    });
}

/// The gateway dies with the test process even if the test is killed.
fn die_with_test(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: only an async-signal-safe system call between fork and exec.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            );
            Ok(())
        });
    }
}

fn session_cookie(reply: &Reply) -> String {
    let set_cookie = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("session="))
        .unwrap_or_else(|| panic!("no session cookie in {:?}", reply.headers));
    set_cookie.split(';').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signs_up_and_keeps_the_session_through_the_gateway() {
    let gateway = RunningGateway::start();
    let email = format!("{}@example.com", uuid::Uuid::new_v4().simple());

    let signup = gateway
        .request(
            Method::POST,
            "/api/users/signup",
            None,
            Some(json!({"email": email, "password": "correct-horse"})),
        )
        .await;
    assert_eq!(signup.status, StatusCode::CREATED, "{}", signup.body);
    assert_eq!(signup.json()["email"], email);
    assert!(signup.headers.contains_key("apigw-requestid"));
    let cookie = session_cookie(&signup);

    let invalid = gateway
        .request(
            Method::POST,
            "/api/users/signup",
            None,
            Some(json!({"email": "not-an-email", "password": "x"})),
        )
        .await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST, "{}", invalid.body);
    assert!(
        invalid.json()["errors"]
            .as_array()
            .is_some_and(|errors| !errors.is_empty()),
        "{}",
        invalid.body
    );

    let anonymous = gateway
        .request(Method::GET, "/api/users/currentuser", None, None)
        .await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert_eq!(anonymous.json(), json!({"currentUser": null}));

    let signed_in = gateway
        .request(Method::GET, "/api/users/currentuser", Some(&cookie), None)
        .await;
    assert_eq!(signed_in.status, StatusCode::OK);
    assert_eq!(signed_in.json()["currentUser"]["email"], email);
    assert_eq!(signed_in.json()["currentUser"]["id"], signup.json()["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_like_api_gateway_serves_the_app_and_stops_its_functions() {
    let mut gateway = RunningGateway::start();

    let unknown = gateway
        .request(Method::GET, "/api/nothing/here", None, None)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json(), json!({"message": "Not Found"}));
    let wrong_method = gateway
        .request(Method::GET, "/api/users/signup", None, None)
        .await;
    assert_eq!(wrong_method.status, StatusCode::NOT_FOUND);

    let app = gateway
        .request(Method::GET, "/some/spa/path", None, None)
        .await;
    assert_eq!(app.status, StatusCode::OK);
    assert_eq!(app.body, INDEX_HTML);
    assert!(app.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));

    // Leave a function instance running, then stop the gateway as Ctrl-C / `kill` would.
    let current = gateway
        .request(Method::GET, "/api/users/currentuser", None, None)
        .await;
    assert_eq!(current.status, StatusCode::OK);
    let instances = gateway.children();
    assert!(!instances.is_empty(), "a function instance is running");

    // SAFETY: signalling our own child process.
    unsafe { libc::kill(gateway.child.id() as libc::pid_t, libc::SIGTERM) };
    let deadline = Instant::now() + EXIT_TIMEOUT;
    let status = loop {
        if let Some(status) = gateway.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the gateway did not exit on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        status.success(),
        "clean exit: {status}\n{}",
        gateway.output()
    );
    for pid in instances {
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "instance {pid} was stopped"
        );
    }
}
