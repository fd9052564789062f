//! template.yaml's edge: CloudFront is the only way in (it adds the stack's origin secret, which
//! every function is given), sends the security headers on every answer, caches no API answer
//! but the browse list's, for two seconds at most; the API's own URL is not advertised.
//! CloudFront enforces these; the local gateway plays them (tests/edge.rs), and this checks the
//! template itself.

use serde_yaml::Value;
use std::path::Path;

fn raw() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../template.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn text(value: &Value) -> String {
    serde_yaml::to_string(value).unwrap()
}

fn distribution(raw: &Value) -> &Value {
    &raw["Resources"]["WebDistribution"]["Properties"]["DistributionConfig"]
}

/// Every cache behaviour, the default first.
fn behaviours(raw: &Value) -> Vec<&Value> {
    let config = distribution(raw);
    let mut all = vec![&config["DefaultCacheBehavior"]];
    all.extend(config["CacheBehaviors"].as_sequence().unwrap());
    all
}

#[test]
fn cloudfront_proves_itself_to_the_functions_with_the_stack_s_secret() {
    let raw = raw();
    let secret = &raw["Resources"]["OriginVerifySecret"];
    assert_eq!(secret["Type"], "AWS::SecretsManager::Secret");
    assert!(
        secret["Properties"]["GenerateSecretString"]["PasswordLength"]
            .as_u64()
            .unwrap()
            >= 32
    );
    let reference = "{{resolve:secretsmanager:${OriginVerifySecret}:SecretString}}";
    let api = distribution(&raw)["Origins"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|o| o["Id"] == "api")
        .unwrap();
    let headers = api["OriginCustomHeaders"].as_sequence().unwrap();
    assert_eq!(headers.len(), 1);
    assert_eq!(headers[0]["HeaderName"], "X-Origin-Verify");
    assert!(text(&headers[0]["HeaderValue"]).contains(reference));
    let given = &raw["Globals"]["Function"]["Environment"]["Variables"]["ORIGIN_VERIFY"];
    assert!(
        text(given).contains(reference),
        "every function is given the same value"
    );
    // raising the rotation number changes both, so both read the secret again
    let rotation =
        &raw["Globals"]["Function"]["Environment"]["Variables"]["ORIGIN_VERIFY_ROTATION"];
    assert!(text(rotation).contains("OriginVerifyRotation"));
    assert!(text(&distribution(&raw)["Comment"]).contains("${OriginVerifyRotation}"));
}

#[test]
fn every_answer_gets_the_security_headers() {
    let raw = raw();
    for behaviour in behaviours(&raw) {
        assert!(
            text(&behaviour["ResponseHeadersPolicyId"]).contains("SecurityHeadersPolicy"),
            "{behaviour:?}"
        );
    }
    let config = &raw["Resources"]["SecurityHeadersPolicy"]["Properties"]
        ["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"];
    for part in [
        "StrictTransportSecurity",
        "ContentTypeOptions",
        "FrameOptions",
        "ReferrerPolicy",
        "ContentSecurityPolicy",
    ] {
        assert_eq!(config[part]["Override"], true, "{part}");
    }
    assert!(
        config["StrictTransportSecurity"]["AccessControlMaxAgeSec"]
            .as_u64()
            .unwrap()
            >= 31_536_000
    );
    let csp = text(&config["ContentSecurityPolicy"]["ContentSecurityPolicy"]);
    for wanted in [
        "frame-ancestors 'none'",
        "default-src 'self'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(wanted), "{wanted}: {csp}");
    }
    assert!(!csp.contains("unsafe-"), "{csp}");
    // the only foreign origins are Stripe's
    for word in csp.split_whitespace().filter(|w| w.starts_with("https://")) {
        let host = word.trim_start_matches("https://");
        assert!(
            host == "js.stripe.com"
                || host == "*.js.stripe.com"
                || host == "api.stripe.com"
                || host == "hooks.stripe.com",
            "{word}"
        );
    }
}

#[test]
fn no_api_answer_is_cached_but_the_browse_list_for_two_seconds() {
    let raw = raw();
    const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
    let config = distribution(&raw);
    let behaviours = config["CacheBehaviors"].as_sequence().unwrap();
    let patterns: Vec<&str> = behaviours
        .iter()
        .map(|b| b["PathPattern"].as_str().unwrap())
        .collect();
    // CloudFront takes the first behaviour that matches: the exact list path before /api/*
    assert_eq!(patterns, ["/api/tickets", "/api/*"]);
    assert_eq!(behaviours[1]["CachePolicyId"], CACHING_DISABLED);
    assert!(text(&behaviours[0]["CachePolicyId"]).contains("TicketsListCachePolicy"));
    for behaviour in behaviours {
        assert_eq!(behaviour["TargetOriginId"], "api");
        assert_eq!(
            behaviour["CachedMethods"],
            serde_yaml::from_str::<Value>("[GET, HEAD]").unwrap()
        );
    }
    let policy = &raw["Resources"]["TicketsListCachePolicy"]["Properties"]["CachePolicyConfig"];
    assert_eq!(policy["DefaultTTL"], 0, "kept only when the answer says so");
    assert!(policy["MaxTTL"].as_u64().unwrap() <= 2);
    let key = &policy["ParametersInCacheKeyAndForwardedToOrigin"];
    assert_eq!(key["QueryStringsConfig"]["QueryStringBehavior"], "all");
    assert_eq!(key["CookiesConfig"]["CookieBehavior"], "none");
    assert_eq!(key["HeadersConfig"]["HeaderBehavior"], "none");
}

#[test]
fn the_api_s_own_url_is_not_offered_as_a_way_in() {
    let raw = raw();
    let outputs = raw["Outputs"].as_mapping().unwrap();
    assert!(!outputs.contains_key("ApiUrl"));
    for (name, output) in outputs {
        let value = text(&output["Value"]);
        if value.contains("execute-api") {
            assert!(!value.contains("https://"), "{name:?} reads as a URL");
            assert!(
                output["Description"]
                    .as_str()
                    .unwrap()
                    .contains("not a way in"),
                "{name:?}"
            );
        }
    }
}

#[test]
fn a_web_acl_is_optional_and_global() {
    let raw = raw();
    let parameter = &raw["Parameters"]["WebAclArn"];
    assert_eq!(parameter["Default"], "");
    // CloudFront takes only global web ACLs, which live in us-east-1
    let pattern = parameter["AllowedPattern"].as_str().unwrap();
    assert!(pattern.contains(":wafv2:us-east-1:") && pattern.contains(":global/webacl/"));
    assert!(text(&distribution(&raw)["WebACLId"]).contains("HasWebAcl"));
}
