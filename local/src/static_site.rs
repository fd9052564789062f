//! Serves the built web app (what S3 + CloudFront do in AWS), with the single-page-app fallback.

use crate::routes::percent_decode;
use http::{Method, Response, StatusCode};
use hyper::body::Bytes;
use std::path::{Path, PathBuf};

/// The web app's build output directory.
#[derive(Debug, Clone)]
pub struct StaticSite {
    root: PathBuf,
}

/// What a request path maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// This file exists inside the site.
    File(PathBuf),
    /// No such file: the app's `index.html`, so client-side routes load the app.
    Fallback(PathBuf),
    /// Nothing to serve.
    NotFound,
}

impl StaticSite {
    /// A site rooted at `root`; the directory may appear later (a web build running meanwhile).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        StaticSite { root: root.into() }
    }

    /// The site's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Maps a raw request path to a file, never to anything outside the root.
    pub fn resolve(&self, raw_path: &str) -> Resolved {
        let Ok(root) = self.root.canonicalize() else {
            return Resolved::NotFound;
        };
        let decoded = percent_decode(raw_path);
        if decoded.contains(['\0', '\\']) {
            return Resolved::NotFound;
        }
        let mut candidate = root.clone();
        for segment in decoded.split('/') {
            match segment {
                "" | "." => {}
                ".." => return Resolved::NotFound,
                name => candidate.push(name),
            }
        }
        // Symlinks could still point elsewhere: judge the real path.
        if let Ok(real) = candidate.canonicalize() {
            if !real.starts_with(&root) {
                return Resolved::NotFound;
            }
            if real.is_file() {
                return Resolved::File(real);
            }
            let index = real.join("index.html");
            if real.is_dir() && index.is_file() {
                return Resolved::File(index);
            }
        }
        // A missing asset (a name with an extension) is a 404; any other path is a client route.
        let last = decoded.rsplit('/').next().unwrap_or("");
        let index = root.join("index.html");
        if !last.contains('.') && index.is_file() {
            Resolved::Fallback(index)
        } else {
            Resolved::NotFound
        }
    }

    /// Answers a GET or HEAD for `raw_path`; other methods get 405.
    pub async fn serve(&self, method: &Method, raw_path: &str) -> Response<Bytes> {
        if method != Method::GET && method != Method::HEAD {
            return Response::builder()
                .status(StatusCode::METHOD_NOT_ALLOWED)
                .header("allow", "GET, HEAD")
                .body(Bytes::new())
                .expect("valid response");
        }
        let path = match self.resolve(raw_path) {
            Resolved::File(path) | Resolved::Fallback(path) => path,
            Resolved::NotFound => return not_found(),
        };
        let Ok(contents) = tokio::fs::read(&path).await else {
            return not_found();
        };
        let is_html = content_type(&path).starts_with("text/html");
        let length = contents.len();
        let body = if method == Method::HEAD {
            Bytes::new()
        } else {
            Bytes::from(contents)
        };
        Response::builder()
            .status(StatusCode::OK)
            .header("content-type", content_type(&path))
            .header("content-length", length)
            // The HTML names hashed assets, so it must be revalidated to pick up a new build.
            .header(
                "cache-control",
                if is_html {
                    "no-cache"
                } else {
                    "public, max-age=0"
                },
            )
            .body(body)
            .expect("valid response")
    }
}

fn not_found() -> Response<Bytes> {
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .header("content-type", "text/plain; charset=utf-8")
        .body(Bytes::from_static(b"Not Found"))
        .expect("valid response")
}

/// The `Content-Type` for a file, by extension.
pub fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "wasm" => "application/wasm",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh site directory: index.html, assets/app.js, and a secret file beside the root.
    fn site() -> (PathBuf, StaticSite) {
        let base = std::env::temp_dir().join(format!("static-site-{}", uuid::Uuid::new_v4()));
        let root = base.join("dist");
        std::fs::create_dir_all(root.join("assets")).unwrap();
        std::fs::write(root.join("index.html"), "<html>app</html>").unwrap();
        std::fs::write(root.join("assets/app.js"), "console.log(1)").unwrap();
        std::fs::write(base.join("secret.txt"), "secret").unwrap();
        (base, StaticSite::new(root))
    }

    #[test]
    fn serves_files_and_the_index() {
        let (base, site) = site();
        let root = site.root().canonicalize().unwrap();
        assert_eq!(
            site.resolve("/assets/app.js"),
            Resolved::File(root.join("assets/app.js"))
        );
        assert_eq!(site.resolve("/"), Resolved::File(root.join("index.html")));
        std::fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn client_routes_fall_back_to_the_index_but_missing_assets_do_not() {
        let (base, site) = site();
        let index = site.root().canonicalize().unwrap().join("index.html");
        assert_eq!(
            site.resolve("/tickets/123"),
            Resolved::Fallback(index.clone())
        );
        assert_eq!(site.resolve("/some/spa/path"), Resolved::Fallback(index));
        assert_eq!(site.resolve("/assets/missing.js"), Resolved::NotFound);
        std::fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn never_serves_outside_the_root() {
        let (base, site) = site();
        for path in [
            "/../secret.txt",
            "/assets/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/..%2fsecret.txt",
            "/a\\..\\secret.txt",
        ] {
            assert_eq!(site.resolve(path), Resolved::NotFound, "{path}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(base.join("secret.txt"), site.root().join("link.txt"))
                .unwrap();
            assert_eq!(site.resolve("/link.txt"), Resolved::NotFound);
        }
        std::fs::remove_dir_all(base).unwrap();
    }

    #[tokio::test]
    async fn answers_with_content_types_and_head_without_body() {
        let (base, site) = site();
        let js = site.serve(&Method::GET, "/assets/app.js").await;
        assert_eq!(js.status(), StatusCode::OK);
        assert_eq!(
            js.headers()["content-type"],
            "text/javascript; charset=utf-8"
        );
        assert_eq!(js.body().as_ref(), b"console.log(1)");

        let head = site.serve(&Method::HEAD, "/orders").await;
        assert_eq!(head.headers()["content-type"], "text/html; charset=utf-8");
        assert_eq!(head.headers()["content-length"], "16");
        assert!(head.body().is_empty());

        assert_eq!(
            site.serve(&Method::POST, "/").await.status(),
            StatusCode::METHOD_NOT_ALLOWED
        );
        assert_eq!(
            site.serve(&Method::GET, "/nope.png").await.status(),
            StatusCode::NOT_FOUND
        );
        std::fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn a_missing_directory_serves_nothing() {
        let site = StaticSite::new("/nonexistent/dist");
        assert_eq!(site.resolve("/"), Resolved::NotFound);
    }
}
