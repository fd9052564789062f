//! template.yaml keeps secrets out of functions' environments (which `lambda:GetFunctionConfiguration`
//! shows to anyone with ReadOnlyAccess): a secret parameter only ever becomes a Secrets Manager
//! secret, a function gets that secret's ARN and may read exactly the secrets it names, and only
//! sign-up and sign-in can read the session signing key. IAM is AWS's to enforce, so the
//! template is what is tested; that the functions then read their secrets from Secrets Manager
//! is shown by every test that runs them through the gateway (moto's Secrets Manager).

use serde_yaml::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn raw() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../template.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The words (logical ids, names) in a value.
fn words(value: &Value) -> BTreeSet<String> {
    serde_yaml::to_string(value)
        .unwrap()
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn resources_of<'a>(raw: &'a Value, kind: &str) -> Vec<(String, &'a Value)> {
    raw["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some(kind))
        .map(|(id, r)| (id.as_str().unwrap().to_string(), r))
        .collect()
}

/// The secrets a function's policy lets it read (`secretsmanager:GetSecretValue` resources).
fn readable_secrets(function: &Value, secrets: &BTreeSet<String>) -> BTreeSet<String> {
    let mut readable = BTreeSet::new();
    for policy in function["Properties"]["Policies"]
        .as_sequence()
        .into_iter()
        .flatten()
    {
        for statement in policy["Statement"].as_sequence().into_iter().flatten() {
            if serde_yaml::to_string(&statement["Action"])
                .unwrap()
                .contains("secretsmanager:")
            {
                assert_eq!(
                    statement["Action"],
                    Value::Sequence(vec![Value::String("secretsmanager:GetSecretValue".into())]),
                    "a function may only read secrets"
                );
                let named: BTreeSet<String> = words(&statement["Resource"])
                    .intersection(secrets)
                    .cloned()
                    .collect();
                assert_eq!(named.len(), 1, "one secret per statement: {statement:?}");
                readable.extend(named);
            }
        }
    }
    readable
}

#[test]
fn secret_parameters_only_ever_become_secrets_manager_secrets() {
    let raw = raw();
    let no_echo: BTreeSet<String> = raw["Parameters"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, p)| p["NoEcho"].as_bool() == Some(true))
        .map(|(name, _)| name.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        no_echo,
        [
            "SessionSigningKey",
            "StripeConnectWebhookSecret",
            "StripeSecretKey",
            "StripeWebhookSecret"
        ]
        .map(String::from)
        .into(),
    );
    let secrets = resources_of(&raw, "AWS::SecretsManager::Secret");
    let stored: BTreeSet<String> = secrets
        .iter()
        .flat_map(|(_, s)| words(&s["Properties"]["SecretString"]))
        .filter(|w| no_echo.contains(w))
        .collect();
    assert_eq!(stored, no_echo, "each secret parameter is kept in a secret");
    // Nowhere else: not in any function, output, or other resource.
    for (id, resource) in raw["Resources"].as_mapping().unwrap() {
        if resource["Type"].as_str() == Some("AWS::SecretsManager::Secret") {
            continue;
        }
        let used: Vec<_> = words(resource).intersection(&no_echo).cloned().collect();
        assert!(used.is_empty(), "{id:?} uses {used:?} directly");
    }
    let outputs: Vec<_> = words(&raw["Outputs"])
        .intersection(&no_echo)
        .cloned()
        .collect();
    assert!(outputs.is_empty(), "outputs show {outputs:?}");
}

#[test]
fn the_only_secret_every_function_sees_is_cloudfronts_origin_marker() {
    // X-Origin-Verify's value is in CloudFront's origin configuration in clear (CloudFront sends
    // it), so it is no more exposed in the functions' configuration; it proves a request came
    // through CloudFront and grants nothing else (docs/OPERATIONS.md, "Secrets").
    let raw = raw();
    let secrets: BTreeSet<String> = resources_of(&raw, "AWS::SecretsManager::Secret")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let globals = &raw["Globals"]["Function"]["Environment"]["Variables"];
    let in_globals: BTreeSet<String> = words(globals).intersection(&secrets).cloned().collect();
    assert_eq!(in_globals, ["OriginVerifySecret".to_string()].into());
    let generated = &raw["Resources"]["OriginVerifySecret"]["Properties"];
    assert!(
        generated["GenerateSecretString"].is_mapping(),
        "made by the stack, typed by nobody"
    );
}

#[test]
fn each_function_reads_exactly_the_secrets_it_is_given_and_only_sign_up_and_sign_in_can_mint_sessions(
) {
    let raw = raw();
    let secrets: BTreeSet<String> = resources_of(&raw, "AWS::SecretsManager::Secret")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut signers = BTreeSet::new();
    for (id, function) in resources_of(&raw, "AWS::Serverless::Function") {
        let environment = &function["Properties"]["Environment"]["Variables"];
        let given: BTreeSet<String> = words(environment).intersection(&secrets).cloned().collect();
        for (name, value) in environment.as_mapping().into_iter().flatten() {
            if !words(value).is_disjoint(&secrets) {
                assert!(
                    name.as_str().unwrap().ends_with("_ARN"),
                    "{id}: {name:?} holds a secret's ARN and says so"
                );
            }
        }
        assert_eq!(
            readable_secrets(function, &secrets),
            given,
            "{id} may read the secrets whose ARNs it has, and no other"
        );
        if given.contains("SessionSigningKeySecret") {
            signers.insert(id);
        }
    }
    assert_eq!(
        signers,
        ["SigninFunction", "SignupFunction"]
            .map(String::from)
            .into()
    );
}
