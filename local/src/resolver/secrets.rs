//! Secrets Manager secrets the stack generates (`GenerateSecretString`), and the dynamic
//! references (`{{resolve:secretsmanager:<arn>:SecretString}}`) that stand for their values.
//! CloudFormation fills a generated secret with random characters when it creates it; locally
//! each stack gets fresh random values when its resolver is made, shared by every clone, so
//! CloudFront's stand-in (the gateway) and the functions see the same value.

use super::Resolver;
use crate::template::{Template, TemplateError};
use std::collections::BTreeMap;

const TYPE: &str = "AWS::SecretsManager::Secret";
const PREFIX: &str = "{{resolve:secretsmanager:";
const SUFFIX: &str = ":SecretString}}";

/// A random value for every generated secret of the template, by logical id.
pub(super) fn generate(template: &Template) -> BTreeMap<String, String> {
    template
        .resources
        .iter()
        .filter(|(_, resource)| {
            resource.kind == TYPE && resource.properties.contains_key("GenerateSecretString")
        })
        .map(|(id, _)| {
            let value = format!(
                "{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            );
            (id.clone(), value[..48].to_string())
        })
        .collect()
}

impl Resolver<'_> {
    /// `!Ref Secret`: its ARN (Secrets Manager ends it with six random characters).
    pub fn secret_arn(&self, logical_id: &str) -> String {
        self.arn(
            "secretsmanager",
            &format!("secret:{}-{logical_id}-local0", self.stack_name),
        )
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
                .secrets
                .keys()
                .find(|id| self.secret_arn(id) == arn)
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
        let resolver = Resolver::new(&template, "stack", "eu-west-1", BTreeMap::new()).unwrap();
        let env = resolver
            .function_environment(template.function("Fn").unwrap())
            .unwrap();
        let value = resolver.secret_value("Verify").unwrap();
        assert_eq!(value.len(), 48);
        assert_eq!(env["VALUE"], value);
        assert_eq!(
            env["ARN"],
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:stack-Verify-local0"
        );
        // a clone shares the value; another stack gets another one
        assert_eq!(resolver.clone().secret_value("Verify").unwrap(), value);
        let other = Resolver::new(&template, "stack", "eu-west-1", BTreeMap::new()).unwrap();
        assert_ne!(other.secret_value("Verify").unwrap(), value);
        assert!(resolver.secret_value("Given").is_err());
    }
}
