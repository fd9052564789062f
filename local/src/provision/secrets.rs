//! Creates the template's Secrets Manager secrets with their values, as CloudFormation would:
//! the value of `SecretString` (a parameter, resolved), or a random one for
//! `GenerateSecretString`. Functions then read them through the same code as in AWS.

use super::{ProvisionError, Provisioned};
use crate::resolver::Resolver;
use crate::template::{SecretValue, Template};
use aws_sdk_secretsmanager::error::DisplayErrorContext;
use aws_sdk_secretsmanager::Client;
use std::collections::BTreeMap;

/// Creates every secret of the template and returns their ARNs by logical id (for
/// [`Resolver::with_secret_arns`]). An existing secret takes the template's value, as a stack
/// update would; a generated one keeps its value.
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
        let given = match &secret.value {
            SecretValue::Given(value) => {
                Some(resolver.resolve(value).map_err(|e| fail(e.to_string()))?)
            }
            SecretValue::Generated { .. } => None,
        };
        let (arn, outcome) = match existing_arn(client, &name).await.map_err(fail)? {
            Some(arn) => {
                if let Some(value) = &given {
                    client
                        .put_secret_value()
                        .secret_id(&arn)
                        .secret_string(value)
                        .send()
                        .await
                        .map_err(|e| fail(DisplayErrorContext(&e).to_string()))?;
                }
                (arn, Provisioned::Existing)
            }
            None => {
                let value = match (&given, &secret.value) {
                    (Some(value), _) => value.clone(),
                    (
                        None,
                        SecretValue::Generated {
                            length,
                            exclude_punctuation,
                        },
                    ) => random_string(*length, *exclude_punctuation),
                    (None, SecretValue::Given(_)) => unreachable!("a given value was resolved"),
                };
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

/// `length` random characters: letters and digits, and punctuation unless excluded.
fn random_string(length: usize, exclude_punctuation: bool) -> String {
    const ALPHANUMERIC: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const PUNCTUATION: &str = "!#$%&()*+,-./:;<=>?@[]^_{|}~";
    let alphabet: Vec<char> = if exclude_punctuation {
        ALPHANUMERIC.chars().collect()
    } else {
        ALPHANUMERIC.chars().chain(PUNCTUATION.chars()).collect()
    };
    let mut out = String::with_capacity(length);
    while out.len() < length {
        // A v4 UUID's bytes 6 and 8 carry its version and variant; the other 14 are random.
        let uuid = uuid::Uuid::new_v4();
        let random = uuid
            .as_bytes()
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 6 && *i != 8)
            .map(|(_, byte)| byte);
        for byte in random {
            // Rejection sampling keeps every character equally likely.
            let limit = 256 - 256 % alphabet.len();
            if usize::from(*byte) < limit && out.len() < length {
                out.push(alphabet[usize::from(*byte) % alphabet.len()]);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::random_string;

    #[test]
    fn random_strings_have_the_length_and_characters_asked_for() {
        let plain = random_string(64, true);
        assert_eq!(plain.len(), 64);
        assert!(plain.chars().all(|c| c.is_ascii_alphanumeric()), "{plain}");
        assert_ne!(plain, random_string(64, true));
        assert_eq!(random_string(5, false).len(), 5);
    }
}
