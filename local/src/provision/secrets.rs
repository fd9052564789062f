//! Creates the template's Secrets Manager secrets with their values, as CloudFormation would:
//! the value of `SecretString` (a parameter, resolved), or for `GenerateSecretString` the random
//! value the resolver made for this stack. Functions then read them through the same code as in AWS.

use super::{ProvisionError, Provisioned};
use crate::resolver::Resolver;
use crate::template::{SecretValue, Template};
use aws_sdk_secretsmanager::error::DisplayErrorContext;
use aws_sdk_secretsmanager::Client;
use std::collections::BTreeMap;

/// Creates every secret of the template and returns their ARNs by logical id (for
/// [`Resolver::with_secret_arns`]). An existing secret takes this stack's value.
pub async fn provision_secrets(
    client: &Client,
    template: &Template,
    resolver: &Resolver<'_>,
) -> Result<(BTreeMap<String, String>, Vec<(String, Provisioned)>), ProvisionError> {
    let mut arns = BTreeMap::new();
    let mut done = Vec::new();
    for secret in &template.secrets {
        let fail =
            |message: String| ProvisionError::new(format!("secret {}", secret.logical_id), message);
        let name = resolver
            .secret_name(&secret.logical_id)
            .map_err(|e| fail(e.to_string()))?;
        // A generated value is the one the resolver made for this stack (the template's dynamic
        // references resolve to it), so moto, CloudFront's stand-in and the functions agree.
        let value = match &secret.value {
            SecretValue::Given(value) => resolver.resolve(value),
            SecretValue::Generated { .. } => resolver.secret_value(&secret.logical_id),
        }
        .map_err(|e| fail(e.to_string()))?;
        let (arn, outcome) = match existing_arn(client, &name).await.map_err(fail)? {
            Some(arn) => {
                client
                    .put_secret_value()
                    .secret_id(&arn)
                    .secret_string(&value)
                    .send()
                    .await
                    .map_err(|e| fail(DisplayErrorContext(&e).to_string()))?;
                (arn, Provisioned::Existing)
            }
            None => {
                let created = client
                    .create_secret()
                    .name(&name)
                    .secret_string(value)
                    .send()
                    .await
                    .map_err(|e| fail(DisplayErrorContext(&e).to_string()))?;
                let arn = created
                    .arn
                    .ok_or_else(|| fail("CreateSecret answered no ARN".into()))?;
                (arn, Provisioned::Created)
            }
        };
        arns.insert(secret.logical_id.clone(), arn);
        done.push((name, outcome));
    }
    Ok((arns, done))
}

/// The ARN of the secret called `name`, if there is one.
async fn existing_arn(client: &Client, name: &str) -> Result<Option<String>, String> {
    match client.describe_secret().secret_id(name).send().await {
        Ok(found) => Ok(found.arn),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(err) => Err(DisplayErrorContext(&err).to_string()),
    }
}
