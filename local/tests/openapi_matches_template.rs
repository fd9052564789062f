//! docs/openapi.yaml and the code agree: every route of template.yaml is an operation of the
//! contract and every operation a route; every operation lists the errors it can answer, each
//! in the `{"errors":[...]}` body; and web/src/api-types.ts is what the contract's schemas say.

use local::openapi::{typescript, OpenApi, Operation, OPENAPI_PATH, TYPESCRIPT_PATH};
use local::template::Template;
use serde_yaml::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn openapi() -> OpenApi {
    OpenApi::load(root().join(OPENAPI_PATH)).unwrap_or_else(|e| panic!("{OPENAPI_PATH}: {e}"))
}

fn name(operation: &Operation<'_>) -> String {
    format!("{} {}", operation.method, operation.path)
}

/// The Stripe webhook reads its raw body for the signature check, not through the shared JSON
/// body parser, so it has no 413/415 of its own (API Gateway's 6 MB limit applies).
fn reads_json_body(operation: &Operation<'_>) -> bool {
    // Stripe's webhooks verify the raw body, whatever its Content-Type.
    !operation.spec["requestBody"].is_null() && !operation.path.starts_with("/api/webhooks/")
}

fn requires_session(operation: &Operation<'_>) -> bool {
    operation.spec["security"]
        .as_sequence()
        .is_some_and(|options| options.iter().all(|o| !o["session"].is_null()))
}

fn has_path_id(operation: &Operation<'_>) -> bool {
    operation.path.contains("{id}")
}

#[test]
fn every_route_is_in_the_contract_and_every_operation_is_a_route() {
    let template = Template::load(root().join("template.yaml")).expect("template.yaml parses");
    let routes: BTreeSet<String> = template
        .functions
        .iter()
        .flat_map(|f| f.routes.iter())
        .map(|r| format!("{} {}", r.method.to_ascii_uppercase(), r.path))
        .collect();
    let api = openapi();
    let operations: BTreeSet<String> = api.operations().iter().map(name).collect();
    let undocumented: Vec<_> = routes.difference(&operations).collect();
    let unrouted: Vec<_> = operations.difference(&routes).collect();
    assert!(
        undocumented.is_empty(),
        "routes of template.yaml missing from {OPENAPI_PATH}: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "operations of {OPENAPI_PATH} that template.yaml does not route: {unrouted:?}"
    );
    assert_eq!(
        operations.len(),
        api.operations().len(),
        "an operation twice"
    );
}

#[test]
fn every_operation_has_an_id_a_success_and_its_errors() {
    let api = openapi();
    let mut ids = BTreeSet::new();
    for operation in api.operations() {
        let name = name(&operation);
        let id = operation.spec["operationId"].as_str();
        assert!(
            id.is_some_and(|id| ids.insert(id.to_string())),
            "{name}: no operationId, or one used twice"
        );
        let statuses: BTreeSet<&str> = operation.spec["responses"]
            .as_mapping()
            .unwrap_or_else(|| panic!("{name}: no responses"))
            .keys()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            statuses.iter().any(|s| s.starts_with('2')),
            "{name}: no success response"
        );
        let mut expected = vec!["500"];
        if reads_json_body(&operation) {
            expected.extend(["400", "413", "415"]);
        }
        if requires_session(&operation) {
            expected.push("401");
        }
        if has_path_id(&operation) {
            expected.push("404");
        }
        for status in expected {
            assert!(
                statuses.contains(status),
                "{name}: {status} is not documented"
            );
        }
    }
}

#[test]
fn every_error_response_is_the_errors_body() {
    let api = openapi();
    for operation in api.operations() {
        let responses = operation.spec["responses"].as_mapping().unwrap();
        for (status, response) in responses {
            let status = status.as_str().unwrap();
            if status.starts_with('2') {
                continue;
            }
            let schema = &api.resolve(response)["content"]["application/json"]["schema"];
            assert_eq!(
                schema["$ref"].as_str(),
                Some("#/components/schemas/ErrorBody"),
                "{} {status}: the errors body",
                name(&operation)
            );
        }
    }
    let reference: Value = serde_yaml::from_str("$ref: '#/components/schemas/ErrorBody'").unwrap();
    let body = api.resolve(&reference);
    let item = api.resolve(&body["properties"]["errors"]["items"]);
    assert_eq!(
        item["required"],
        serde_yaml::from_str::<Value>("[message]").unwrap(),
        "message required, field optional"
    );
    assert!(!item["properties"]["field"].is_null());
}

#[test]
fn path_parameters_are_declared() {
    let api = openapi();
    for operation in api.operations() {
        let declared: BTreeSet<String> = operation
            .path_parameters
            .as_sequence()
            .into_iter()
            .chain(operation.spec["parameters"].as_sequence())
            .flatten()
            .map(|p| api.resolve(p))
            .filter(|p| p["in"].as_str() == Some("path"))
            .filter_map(|p| p["name"].as_str().map(str::to_string))
            .collect();
        let in_path: BTreeSet<String> = operation
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_string)
            .collect();
        assert_eq!(declared, in_path, "{}", name(&operation));
    }
}

#[test]
fn the_web_app_types_are_generated_from_the_contract() {
    let expected = typescript::render(&openapi()).expect("the schemas render as TypeScript");
    let committed = std::fs::read_to_string(root().join(TYPESCRIPT_PATH)).unwrap_or_default();
    assert!(
        committed == expected,
        "{TYPESCRIPT_PATH} is not what {OPENAPI_PATH} says: run `make api-types` and commit it"
    );
}
