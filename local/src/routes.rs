//! API Gateway HTTP API route selection: `METHOD /path/{param}/{proxy+}`, most specific wins.

use crate::template::Template;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// One route and the function behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Upper-case method or `ANY`.
    pub method: String,
    /// The path as written in the template.
    pub path: String,
    /// Logical id of the function it invokes.
    pub function: String,
    /// The function's binary, for display.
    pub binary: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
    Greedy(String),
}

/// A request matched to a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch<'r> {
    /// The route that matched.
    pub route: &'r Route,
    /// Values of `{param}` and `{proxy+}` segments, percent-decoded.
    pub path_parameters: BTreeMap<String, String>,
}

impl Route {
    /// A route; `{name}` matches one segment, a final `{name+}` the rest of the path.
    pub fn new(method: &str, path: &str, function: &str, binary: &str) -> Self {
        let segments = split(path)
            .map(
                |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => match name.strip_suffix('+') {
                        Some(greedy) => Segment::Greedy(greedy.to_string()),
                        None => Segment::Param(name.to_string()),
                    },
                    None => Segment::Literal(segment.to_string()),
                },
            )
            .collect();
        Route {
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            function: function.to_string(),
            binary: binary.to_string(),
            segments,
        }
    }

    /// `POST /api/users/signup`, as API Gateway names it in `routeKey`.
    pub fn route_key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Path parameters if `path` (already percent-decoded per segment) fits this route.
    fn match_path(&self, path: &[String]) -> Option<BTreeMap<String, String>> {
        let mut params = BTreeMap::new();
        for (index, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Literal(literal) => {
                    if path.get(index) != Some(literal) {
                        return None;
                    }
                }
                Segment::Param(name) => {
                    let value = path.get(index).filter(|v| !v.is_empty())?;
                    params.insert(name.clone(), value.clone());
                }
                Segment::Greedy(name) => {
                    let rest = path.get(index..).filter(|rest| !rest.is_empty())?;
                    params.insert(name.clone(), rest.join("/"));
                    return Some(params);
                }
            }
        }
        (path.len() == self.segments.len()).then_some(params)
    }

    /// Segment by segment, a literal beats a parameter, which beats a greedy parameter.
    fn specificity(&self) -> Vec<u8> {
        self.segments
            .iter()
            .map(|segment| match segment {
                Segment::Literal(_) => 2,
                Segment::Param(_) => 1,
                Segment::Greedy(_) => 0,
            })
            .collect()
    }
}

/// All routes of the API.
#[derive(Debug, Clone, Default)]
pub struct Router {
    routes: Vec<Route>,
}

impl Router {
    /// A router over these routes.
    pub fn new(routes: Vec<Route>) -> Self {
        Router { routes }
    }

    /// Every `HttpApi` event of every function in the template.
    pub fn from_template(template: &Template) -> Self {
        let routes = template
            .functions
            .iter()
            .flat_map(|function| {
                function.routes.iter().map(|route| {
                    Route::new(
                        &route.method,
                        &route.path,
                        &function.logical_id,
                        &function.binary,
                    )
                })
            })
            .collect();
        Router { routes }
    }

    /// The routes, in template order.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The most specific route for this method and raw path, if any (API Gateway answers 404
    /// also when only the method differs).
    pub fn find(&self, method: &str, raw_path: &str) -> Option<RouteMatch<'_>> {
        let path: Vec<String> = split(raw_path).map(percent_decode).collect();
        self.routes
            .iter()
            .filter(|route| route.method == "ANY" || route.method.eq_ignore_ascii_case(method))
            .filter_map(|route| route.match_path(&path).map(|params| (route, params)))
            .max_by(|(a, _), (b, _)| {
                a.specificity()
                    .cmp(&b.specificity())
                    // An exact method beats ANY on the same path.
                    .then_with(|| match (a.method == "ANY", b.method == "ANY") {
                        (true, false) => Ordering::Less,
                        (false, true) => Ordering::Greater,
                        _ => Ordering::Equal,
                    })
            })
            .map(|(route, path_parameters)| RouteMatch {
                route,
                path_parameters,
            })
    }
}

/// The segments after the leading `/`.
fn split(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

/// Decodes `%XX` escapes; invalid escapes and non-UTF-8 results are kept as they are.
pub fn percent_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| input.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router() -> Router {
        Router::new(vec![
            Route::new("POST", "/api/users/signup", "SignupFunction", "signup"),
            Route::new("GET", "/api/tickets", "ListTicketsFunction", "list-tickets"),
            Route::new(
                "GET",
                "/api/tickets/{id}",
                "ShowTicketFunction",
                "show-ticket",
            ),
            Route::new(
                "GET",
                "/api/tickets/mine",
                "MyTicketsFunction",
                "my-tickets",
            ),
            Route::new(
                "PUT",
                "/api/tickets/{id}",
                "UpdateTicketFunction",
                "update-ticket",
            ),
            Route::new("ANY", "/api/files/{proxy+}", "FilesFunction", "files"),
            Route::new(
                "GET",
                "/api/files/{proxy+}",
                "GetFilesFunction",
                "get-files",
            ),
        ])
    }

    fn function(router: &Router, method: &str, path: &str) -> Option<String> {
        router.find(method, path).map(|m| m.route.function.clone())
    }

    #[test]
    fn matches_exact_paths_and_methods() {
        let router = router();
        assert_eq!(
            function(&router, "POST", "/api/users/signup").as_deref(),
            Some("SignupFunction")
        );
        assert_eq!(
            function(&router, "GET", "/api/tickets").as_deref(),
            Some("ListTicketsFunction")
        );
        assert_eq!(
            router
                .find("POST", "/api/users/signup")
                .unwrap()
                .route
                .route_key(),
            "POST /api/users/signup"
        );
    }

    #[test]
    fn extracts_decoded_path_parameters() {
        let router = router();
        let found = router.find("PUT", "/api/tickets/a%20b").unwrap();
        assert_eq!(found.route.function, "UpdateTicketFunction");
        assert_eq!(found.path_parameters["id"], "a b");
    }

    #[test]
    fn the_most_specific_route_wins() {
        let router = router();
        assert_eq!(
            function(&router, "GET", "/api/tickets/mine").as_deref(),
            Some("MyTicketsFunction")
        );
        assert_eq!(
            function(&router, "GET", "/api/tickets/123").as_deref(),
            Some("ShowTicketFunction")
        );
        // An exact method beats ANY on the same path.
        assert_eq!(
            function(&router, "GET", "/api/files/a/b").as_deref(),
            Some("GetFilesFunction")
        );
    }

    #[test]
    fn greedy_parameters_take_the_rest_of_the_path() {
        let router = router();
        let found = router.find("DELETE", "/api/files/a/b/c.txt").unwrap();
        assert_eq!(found.route.function, "FilesFunction");
        assert_eq!(found.path_parameters["proxy"], "a/b/c.txt");
        // A greedy parameter needs at least one segment.
        assert!(router.find("DELETE", "/api/files").is_none());
    }

    #[test]
    fn no_route_for_unknown_paths_or_other_methods() {
        let router = router();
        assert!(router.find("GET", "/api/users/signup").is_none());
        assert!(router.find("GET", "/api/nothing").is_none());
        assert!(router.find("GET", "/api/tickets/1/extra").is_none());
        assert!(router.find("GET", "/api/tickets/").is_none());
    }

    #[test]
    fn reads_routes_from_the_real_template() {
        let template = Template::parse(include_str!("../../template.yaml")).unwrap();
        let router = Router::from_template(&template);
        let found = router
            .find("GET", "/api/users/currentuser")
            .expect("currentuser route");
        assert_eq!(found.route.function, "CurrentUserFunction");
        assert_eq!(found.route.binary, "current-user");
    }

    #[test]
    fn percent_decoding_keeps_invalid_escapes() {
        assert_eq!(percent_decode("a%2Fb%20c"), "a/b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%C3%A9"), "é");
    }
}
