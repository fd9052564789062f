//! template.yaml's limits: API Gateway throttles every route and the password routes far more,
//! and no SQS consumer can take more than its share of the account's concurrent executions. AWS
//! enforces these; the local gateway does not, so the template is what is tested.

use serde_yaml::Value;
use std::path::Path;

fn raw() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../template.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The default of the parameter a `!Ref` names.
fn parameter_default(raw: &Value, reference: &Value) -> u64 {
    let text = serde_yaml::to_string(reference).unwrap();
    let name = text.trim().trim_start_matches("!Ref").trim().to_string();
    raw["Parameters"][name.as_str()]["Default"]
        .as_u64()
        .unwrap_or_else(|| panic!("parameter {name} has a numeric default"))
}

/// Every `Type: HttpApi` event's route key (`POST /api/users/signin`).
fn routes(raw: &Value) -> Vec<String> {
    let mut routes = Vec::new();
    for resource in raw["Resources"].as_mapping().unwrap().values() {
        let events = &resource["Properties"]["Events"];
        for event in events.as_mapping().into_iter().flat_map(|m| m.values()) {
            if event["Type"].as_str() == Some("HttpApi") {
                let props = &event["Properties"];
                routes.push(format!(
                    "{} {}",
                    props["Method"].as_str().unwrap(),
                    props["Path"].as_str().unwrap()
                ));
            }
        }
    }
    routes
}

#[test]
fn every_route_is_throttled_and_the_password_routes_much_more() {
    let raw = raw();
    let api = &raw["Resources"]["HttpApi"]["Properties"];
    let default_rate = parameter_default(&raw, &api["DefaultRouteSettings"]["ThrottlingRateLimit"]);
    let default_burst =
        parameter_default(&raw, &api["DefaultRouteSettings"]["ThrottlingBurstLimit"]);
    assert!(default_rate > 0 && default_burst >= default_rate);
    let known = routes(&raw);
    for route in [
        "POST /api/users/signin",
        "POST /api/users/signup",
        "POST /api/users/password",
    ] {
        assert!(known.contains(&route.to_string()), "{route} is a route");
        let settings = &api["RouteSettings"][route];
        let rate = parameter_default(&raw, &settings["ThrottlingRateLimit"]);
        let burst = parameter_default(&raw, &settings["ThrottlingBurstLimit"]);
        assert!(
            rate * 10 <= default_rate,
            "{route}: {rate}/s is not much less than {default_rate}/s"
        );
        assert!(burst < default_burst, "{route}");
    }
    // a throttled route must be one the API has
    for (key, _) in api["RouteSettings"].as_mapping().unwrap() {
        assert!(
            known.contains(&key.as_str().unwrap().to_string()),
            "{key:?}"
        );
    }
}

#[test]
fn background_consumers_cannot_take_the_api_s_concurrency() {
    let raw = raw();
    let mut total = 0;
    for (id, resource) in raw["Resources"].as_mapping().unwrap() {
        let events = &resource["Properties"]["Events"];
        for event in events.as_mapping().into_iter().flat_map(|m| m.values()) {
            if event["Type"].as_str() == Some("SQS") {
                let most = event["Properties"]["ScalingConfig"]["MaximumConcurrency"]
                    .as_u64()
                    .unwrap_or_else(|| {
                        panic!("{id:?}: an SQS consumer without MaximumConcurrency")
                    });
                assert!((2..=1000).contains(&most), "{id:?}");
                total += most;
            }
        }
    }
    // an account starts with 1000 concurrent executions: the consumers together leave most of
    // them to the API, the webhook and the stream publishers
    assert!(
        total <= 200,
        "the consumers may take {total} executions at once"
    );
}

#[test]
fn the_auth_functions_and_the_webhook_have_concurrency_of_their_own() {
    let raw = raw();
    let mut reserved = 0;
    for id in [
        "SignupFunction",
        "SigninFunction",
        "ChangePasswordFunction",
        "SignoutFunction",
        "CurrentUserFunction",
        "StripeWebhookFunction",
    ] {
        let most = raw["Resources"][id]["Properties"]["ReservedConcurrentExecutions"]
            .as_u64()
            .unwrap_or_else(|| panic!("{id} has ReservedConcurrentExecutions"));
        assert!(most >= 10, "{id}: {most}");
        reserved += most;
    }
    // Lambda refuses a reservation that leaves fewer than 100 unreserved executions; on an
    // account's default 1000, the reservations and the consumers' ceilings leave the rest
    // of the API far more than that
    assert!(reserved <= 200, "{reserved} reserved");
}
