//! Secrets Manager secrets: their names and ARNs, the values of the ones the stack generates
//! (`GenerateSecretString`), and the dynamic references
//! (`{{resolve:secretsmanager:<arn>:SecretString}}`) that stand for those values.
//!
//! A secret's ARN is known once it exists (Secrets Manager ends it with six random characters):
//! the provisioner creates each secret in moto (`provision/secrets.rs`) and hands the ARNs over
//! ([`Resolver::with_secret_arns`]). CloudFormation fills a generated secret with random
//! characters when it creates it; locally each stack's values are made when its resolver is made,
//! shared by every clone, and the provisioner puts exactly these into moto, so CloudFront's
//! stand-in (the gateway), the functions' dynamic references and Secrets Manager agree.

use super::Resolver;
use crate::template::{SecretValue, Template, TemplateError};
use std::collections::BTreeMap;

const PREFIX: &str = "{{resolve:secretsmanager:";
const SUFFIX: &str = ":SecretString}}";

/// A random value for every generated secret of the template, by logical id.
pub(super) fn generate(template: &Template) -> BTreeMap<String, String> {
    template
        .secrets
        .iter()
        .filter_map(|secret| match secret.value {
            SecretValue::Generated {
                length,
                exclude_punctuation,
            } => Some((
                secret.logical_id.clone(),
                random_string(length, exclude_punctuation),
            )),
            SecretValue::Given(_) => None,
        })
        .collect()
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

impl Resolver<'_> {
    /// Secrets' ARNs (logical id → ARN), so that `!Ref Secret` resolves once they exist.
    pub fn with_secret_arns(mut self, secret_arns: BTreeMap<String, String>) -> Self {
        self.secret_arns.extend(secret_arns);
        self
    }

    /// A secret's name: its `Name`, else `{stack}-{LogicalId}`.
    pub fn secret_name(&self, logical_id: &str) -> Result<String, TemplateError> {
        let secret = self
            .template
            .secret(logical_id)
            .ok_or_else(|| TemplateError::UnknownReference(logical_id.to_string()))?;
        match &secret.name {
            Some(name) => self.resolve(name),
            None => Ok(self.physical_name(logical_id)),
        }
    }

    /// `!Ref Secret`: its ARN, once it is created.
    pub(super) fn secret_arn(&self, logical_id: &str) -> Result<String, TemplateError> {
        self.secret_arns.get(logical_id).cloned().ok_or_else(|| {
            TemplateError::Invalid(format!(
                "secret {logical_id} has no ARN yet: it is known once the secret is created"
            ))
        })
    }

    /// The value of a generated secret.
    pub fn secret_value(&self, logical_id: &str) -> Result<String, TemplateError> {
        self.secrets.get(logical_id).cloned().ok_or_else(|| {
            TemplateError::Unsupported(format!(
                "the value of {logical_id} (only secrets with GenerateSecretString have one locally)"
            ))
        })
    }

    /// `text` with every `{{resolve:secretsmanager:<arn>:SecretString}}` replaced by the value
    /// of the stack's secret with that ARN.
    pub(super) fn resolve_dynamic_references(&self, text: String) -> Result<String, TemplateError> {
        if !text.contains(PREFIX) {
            return Ok(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(start) = rest.find(PREFIX) {
            out.push_str(&rest[..start]);
            let after = &rest[start + PREFIX.len()..];
            let end = after.find(SUFFIX).ok_or_else(|| {
                TemplateError::Unsupported(format!(
                    "a dynamic reference other than {PREFIX}<arn>{SUFFIX} in {text:?}"
                ))
            })?;
            let arn = &after[..end];
            let id = self
                .secret_arns
                .iter()
                .find(|(_, known)| known.as_str() == arn)
                .map(|(id, _)| id)
                .ok_or_else(|| TemplateError::UnknownReference(arn.to_string()))?;
            out.push_str(&self.secret_value(id)?);
            rest = &after[end + SUFFIX.len()..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::resolver::Resolver;
    use crate::template::Template;
    use std::collections::BTreeMap;

    const YAML: &str = r#"
Resources:
  Verify:
    Type: AWS::SecretsManager::Secret
    Properties:
      GenerateSecretString:
        PasswordLength: 48
  Given:
    Type: AWS::SecretsManager::Secret
    Properties:
      SecretString: "x"
  Fn:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties:
        Binary: fn
    Properties:
      Environment:
        Variables:
          VALUE: !Sub "{{resolve:secretsmanager:${Verify}:SecretString}}"
          ARN: !Ref Verify
"#;

    #[test]
    fn a_generated_secret_resolves_to_one_random_value_per_stack() {
        let template = Template::parse(YAML).unwrap();
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:stack-Verify-AbCdEf";
        let resolver = Resolver::new(&template, "stack", "eu-west-1", BTreeMap::new())
            .unwrap()
            .with_secret_arns(BTreeMap::from([("Verify".to_string(), arn.to_string())]));
        let env = resolver
            .function_environment(template.function("Fn").unwrap())
            .unwrap();
        let value = resolver.secret_value("Verify").unwrap();
        assert_eq!(value.len(), 48);
        assert_eq!(env["VALUE"], value);
        assert_eq!(env["ARN"], arn);
        // a clone shares the value; another stack gets another one
        assert_eq!(resolver.clone().secret_value("Verify").unwrap(), value);
        let other = Resolver::new(&template, "stack", "eu-west-1", BTreeMap::new()).unwrap();
        assert_ne!(other.secret_value("Verify").unwrap(), value);
        assert!(resolver.secret_value("Given").is_err());
    }

    #[test]
    fn random_strings_have_the_length_and_characters_asked_for() {
        let plain = super::random_string(64, true);
        assert_eq!(plain.len(), 64);
        assert!(plain.chars().all(|c| c.is_ascii_alphanumeric()), "{plain}");
        assert_ne!(plain, super::random_string(64, true));
        assert_eq!(super::random_string(5, false).len(), 5);
    }
}
