//! `ticketing::secrets::Secret` against moto's Secrets Manager, the same calls as in AWS: read on
//! first use, kept, read again once old (a rotation arrives without a redeploy), and an old copy
//! kept through a failed re-read.

use std::time::Duration;
use ticketing::secrets::Secret;

async fn client() -> aws_sdk_secretsmanager::Client {
    aws_sdk_secretsmanager::Client::new(&local::testing::sdk_config().await)
}

async fn create(client: &aws_sdk_secretsmanager::Client, value: &str) -> String {
    let name = format!("test-secret-{}", uuid::Uuid::new_v4().simple());
    client
        .create_secret()
        .name(&name)
        .secret_string(value)
        .send()
        .await
        .unwrap()
        .arn
        .unwrap()
}

#[tokio::test]
async fn a_secret_is_read_on_first_use_and_kept() {
    let client = client().await;
    let arn = create(&client, "first").await;
    let secret = Secret::in_secrets_manager(client.clone(), &arn);
    assert_eq!(&*secret.value().await.unwrap(), "first");
    // a new value is not read while the copy is fresh (5 minutes)
    client
        .put_secret_value()
        .secret_id(&arn)
        .secret_string("second")
        .send()
        .await
        .unwrap();
    assert_eq!(&*secret.value().await.unwrap(), "first");
}

#[tokio::test]
async fn a_rotated_value_is_read_once_the_copy_is_old() {
    let client = client().await;
    let arn = create(&client, "before rotation").await;
    let secret =
        Secret::in_secrets_manager(client.clone(), &arn).with_max_age(Duration::from_millis(1));
    assert_eq!(&*secret.value().await.unwrap(), "before rotation");
    client
        .put_secret_value()
        .secret_id(&arn)
        .secret_string("after rotation")
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(&*secret.value().await.unwrap(), "after rotation");
}

#[tokio::test]
async fn a_failed_re_read_keeps_the_old_value_and_a_failed_first_read_is_an_error() {
    let client = client().await;
    let arn = create(&client, "kept").await;
    let secret =
        Secret::in_secrets_manager(client.clone(), &arn).with_max_age(Duration::from_millis(1));
    assert_eq!(&*secret.value().await.unwrap(), "kept");
    client
        .delete_secret()
        .secret_id(&arn)
        .force_delete_without_recovery(true)
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(&*secret.value().await.unwrap(), "kept");

    let missing = Secret::in_secrets_manager(client, format!("{arn}-never-created"));
    let error = missing.value().await.unwrap_err();
    assert!(error.to_string().contains("never-created"), "{error}");
}
