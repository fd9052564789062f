//! The API contract, `docs/openapi.yaml`: its operations (checked against template.yaml's routes
//! by `tests/openapi_matches_template.rs`) and its schemas, which [`typescript`] renders as the
//! web app's API types.

pub mod typescript;

use serde_yaml::{Mapping, Value};
use std::path::Path;

/// Where the contract lives, from the repository root.
pub const OPENAPI_PATH: &str = "docs/openapi.yaml";
/// Where its TypeScript types go, from the repository root.
pub const TYPESCRIPT_PATH: &str = "web/src/api-types.ts";

/// The OpenAPI document, parsed.
#[derive(Debug, Clone)]
pub struct OpenApi {
    doc: Value,
}

/// One operation: a method on a path.
#[derive(Debug, Clone)]
pub struct Operation<'a> {
    /// Upper case, e.g. `POST`.
    pub method: String,
    /// As written, e.g. `/api/tickets/{id}`.
    pub path: String,
    /// The operation object itself.
    pub spec: &'a Value,
    /// Parameters declared on the path item, shared by its operations.
    pub path_parameters: &'a Value,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl OpenApi {
    /// Reads and parses the document.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, String> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text)
    }

    /// Parses a document from its text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let doc: Value = serde_yaml::from_str(text).map_err(|e| format!("not YAML: {e}"))?;
        if !doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")) {
            return Err("not an OpenAPI 3 document (no `openapi: 3.x`)".into());
        }
        Ok(Self { doc })
    }

    /// Every operation, in document order.
    pub fn operations(&self) -> Vec<Operation<'_>> {
        let Some(paths) = self.doc["paths"].as_mapping() else {
            return vec![];
        };
        let mut operations = Vec::new();
        for (path, item) in paths {
            let path = path.as_str().unwrap_or_default().to_string();
            for method in METHODS {
                if let Some(spec) = item.get(method) {
                    operations.push(Operation {
                        method: method.to_ascii_uppercase(),
                        path: path.clone(),
                        spec,
                        path_parameters: &item["parameters"],
                    });
                }
            }
        }
        operations
    }

    /// `components.schemas`, in document order.
    pub fn schemas(&self) -> Option<&Mapping> {
        self.doc["components"]["schemas"].as_mapping()
    }

    /// What a local `$ref` (`#/components/...`) points at; anything else as it is.
    pub fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        let mut value = value;
        // a few hops at most (a response that refers to a response that refers ...)
        for _ in 0..8 {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return value;
            };
            let Some(pointer) = reference.strip_prefix("#/") else {
                return value;
            };
            let mut target = &self.doc;
            for part in pointer.split('/') {
                target = &target[part];
            }
            value = target;
        }
        value
    }
}
