//! Helpers for integration tests of any crate: the test emulators, SDK clients for them, and fresh,
//! uniquely named copies of the template's tables (no state shared between tests).

use crate::aws::Clients;
use crate::provision::create_table;
use crate::template::Template;
use aws_config::SdkConfig;
use std::sync::OnceLock;

/// The workspace's template.yaml, read once.
pub fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
        Template::load(path).unwrap_or_else(|err| panic!("{err}"))
    })
}

/// An SDK config for the test emulators ([`crate::emulators::local_aws`]): DynamoDB to
/// DynamoDB Local, the rest to moto.
pub async fn sdk_config() -> SdkConfig {
    crate::emulators::local_aws().sdk_config().await
}

/// A DynamoDB client for the test DynamoDB Local.
pub async fn dynamodb_client() -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&sdk_config().await)
}

/// Clients for every service the gateway uses, on the test emulators.
pub async fn clients() -> Clients {
    Clients::new(&sdk_config().await)
}

/// Creates a new table shaped like the template's `logical_id` table and returns its name.
pub async fn fresh_table(client: &aws_sdk_dynamodb::Client, logical_id: &str) -> String {
    let table = template()
        .table(logical_id)
        .unwrap_or_else(|| panic!("template.yaml has no table {logical_id}"));
    let name = format!("test-{logical_id}-{}", uuid::Uuid::new_v4().simple());
    create_table(client, &table.spec, &name)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    name
}

/// The session signing key (an Ed25519 seed, base64url) of the integration tests. Test-only:
/// never a deployed stack's key.
pub const SESSION_SIGNING_KEY: &str = "cyC9hegEYj-VbbnxhfGh-qvINtdzBKrk_-HtZeR95f8";

/// The template parameters of the test key pair: `SessionSigningKey=... SessionPublicKeys=...`.
pub fn session_key_parameters() -> String {
    let public = ticketing::auth::token::public_key_of(SESSION_SIGNING_KEY)
        .expect("the test signing key is a valid seed");
    format!("SessionSigningKey={SESSION_SIGNING_KEY} SessionPublicKeys={public}")
}

/// Session keys that sign with [`SESSION_SIGNING_KEY`] and verify with its public key; tokens
/// live one hour.
pub fn session_keys() -> ticketing::auth::SessionKeys {
    ticketing::auth::SessionKeys::for_seed(SESSION_SIGNING_KEY, 3600)
        .expect("the test signing key is a valid seed")
}

/// The sessions of the integration tests of functions outside auth: a Users table created once
/// per test binary (each test's users have fresh ids, so nothing is shared between tests), the
/// test keys, one-hour tokens and the plain-HTTP cookie names.
pub async fn sessions() -> ticketing::auth::Sessions {
    static USERS_TABLE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let client = dynamodb_client().await;
    let table = USERS_TABLE
        .get_or_init(|| fresh_table(&client, "UsersTable"))
        .await;
    ticketing::auth::Sessions::new(
        client.clone(),
        table,
        session_keys(),
        ticketing::auth::CookieSettings { secure: false },
    )
}

/// A `Cookie` header value with a newly opened session of `user` (as sign-in would open it).
pub async fn session_cookie(user: &ticketing::auth::SessionUser) -> String {
    let opened = sessions()
        .await
        .open(user)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    format!("session={}", opened.token)
}
