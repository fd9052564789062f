//! The template's Secrets Manager secrets, as plain types.

use super::TemplateError;
use serde_yaml::{Mapping, Value};

/// An `AWS::SecretsManager::Secret`: its value is given (`SecretString`) or made by
/// CloudFormation (`GenerateSecretString`).
#[derive(Debug, Clone)]
pub struct SecretDef {
    /// The logical id.
    pub logical_id: String,
    /// `Name`, unresolved, if the template sets one.
    pub name: Option<Value>,
    /// Where its value comes from.
    pub value: SecretValue,
}

/// Where a secret's first value comes from.
#[derive(Debug, Clone)]
pub enum SecretValue {
    /// `SecretString`, unresolved.
    Given(Value),
    /// `GenerateSecretString`: a random string of this many characters, letters and digits only
    /// when `ExcludePunctuation` is true (the only options the template uses).
    Generated {
        /// `PasswordLength` (32 when not given).
        length: usize,
        /// `ExcludePunctuation`: letters and digits only.
        exclude_punctuation: bool,
    },
}

/// Secrets Manager's default `PasswordLength`.
const DEFAULT_LENGTH: usize = 32;

pub(super) fn parse_secret(id: &str, props: &Mapping) -> Result<SecretDef, TemplateError> {
    let invalid = |problem: &str| TemplateError::Invalid(format!("secret {id}: {problem}"));
    let value = match (props.get("SecretString"), props.get("GenerateSecretString")) {
        (Some(given), None) => SecretValue::Given(given.clone()),
        (None, Some(generate)) => {
            let known = ["PasswordLength", "ExcludePunctuation"];
            if let Some(other) = generate.as_mapping().and_then(|m| {
                m.keys()
                    .filter_map(Value::as_str)
                    .find(|k| !known.contains(k))
            }) {
                return Err(TemplateError::Unsupported(format!(
                    "secret {id}: GenerateSecretString.{other}"
                )));
            }
            let length = match generate.get("PasswordLength") {
                None => DEFAULT_LENGTH,
                Some(n) => n
                    .as_u64()
                    .filter(|n| (1..=4096).contains(n))
                    .ok_or_else(|| invalid("PasswordLength must be 1 to 4096"))?
                    as usize,
            };
            SecretValue::Generated {
                length,
                exclude_punctuation: generate
                    .get("ExcludePunctuation")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            }
        }
        (Some(_), Some(_)) => {
            return Err(invalid(
                "SecretString and GenerateSecretString are mutually exclusive",
            ))
        }
        (None, None) => return Err(invalid("needs SecretString or GenerateSecretString")),
    };
    Ok(SecretDef {
        logical_id: id.to_string(),
        name: props.get("Name").cloned(),
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::SecretValue;
    use crate::template::Template;

    #[test]
    fn reads_given_and_generated_secrets_and_refuses_what_it_cannot_make() {
        let template = Template::parse(
            r#"
Parameters:
  Key: { Type: String, NoEcho: true }
Resources:
  Given:
    Type: AWS::SecretsManager::Secret
    Properties: { SecretString: !Ref Key }
  Made:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: made
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true }
"#,
        )
        .unwrap();
        assert!(matches!(
            template.secret("Given").unwrap().value,
            SecretValue::Given(_)
        ));
        assert!(matches!(
            template.secret("Made").unwrap().value,
            SecretValue::Generated {
                length: 48,
                exclude_punctuation: true
            }
        ));
        for body in [
            "{}",
            "{ SecretString: a, GenerateSecretString: {} }",
            "{ GenerateSecretString: { SecretStringTemplate: '{}' } }",
        ] {
            let yaml = format!(
                "Resources:\n  S:\n    Type: AWS::SecretsManager::Secret\n    Properties: {body}\n"
            );
            assert!(Template::parse(&yaml).is_err(), "{body}");
        }
    }
}
