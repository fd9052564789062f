//! The template's EventBridge Scheduler groups and IAM roles, as plain types.
//!
//! Schedules themselves are not template resources here: functions create one-shot schedules at
//! run time (an order's expiry), in a group the template declares.

use super::TemplateError;
use serde_yaml::{Mapping, Value};

/// An `AWS::Scheduler::ScheduleGroup`.
#[derive(Debug, Clone)]
pub struct ScheduleGroupDef {
    /// The logical id.
    pub logical_id: String,
    /// `Name`, unresolved, if the template sets one.
    pub name: Option<Value>,
}

/// An `AWS::IAM::Role`: nothing to create locally (moto's services do not check permissions),
/// but functions are handed its ARN.
#[derive(Debug, Clone)]
pub struct RoleDef {
    /// The logical id.
    pub logical_id: String,
    /// `RoleName`, unresolved, if the template sets one.
    pub role_name: Option<Value>,
    /// `Path`; IAM's default is `/`.
    pub path: String,
}

pub(super) fn parse_schedule_group(id: &str, props: &Mapping) -> ScheduleGroupDef {
    ScheduleGroupDef {
        logical_id: id.to_string(),
        name: props.get("Name").cloned(),
    }
}

pub(super) fn parse_role(id: &str, props: &Mapping) -> Result<RoleDef, TemplateError> {
    let path = match props.get("Path") {
        None => "/".to_string(),
        Some(Value::String(path)) if path.starts_with('/') && path.ends_with('/') => path.clone(),
        Some(other) => {
            let problem = format!("Path must be a string that starts and ends with /: {other:?}");
            return Err(TemplateError::Invalid(format!("role {id}: {problem}")));
        }
    };
    Ok(RoleDef {
        logical_id: id.to_string(),
        role_name: props.get("RoleName").cloned(),
        path,
    })
}

#[cfg(test)]
mod tests {
    use crate::template::Template;

    const YAML: &str = r#"
Resources:
  Expiry:
    Type: AWS::Scheduler::ScheduleGroup
    Properties: { Name: !Sub "${AWS::StackName}-order-expiry" }
  Unnamed:
    Type: AWS::Scheduler::ScheduleGroup
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [] }
  NamedRole:
    Type: AWS::IAM::Role
    Properties: { RoleName: named, Path: /service/ }
"#;

    #[test]
    fn reads_schedule_groups_and_roles() {
        let template = Template::parse(YAML).unwrap();
        assert_eq!(template.schedule_groups.len(), 2);
        let expiry = template.schedule_group("Expiry").unwrap();
        assert!(expiry.name.is_some());
        assert!(template.schedule_group("Unnamed").unwrap().name.is_none());

        let role = template.role("Role").unwrap();
        assert!(role.role_name.is_none());
        assert_eq!(role.path, "/");
        assert_eq!(template.role("NamedRole").unwrap().path, "/service/");
    }

    #[test]
    fn a_malformed_role_path_is_an_error() {
        let yaml =
            "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: { Path: service }\n";
        let err = Template::parse(yaml).unwrap_err();
        assert!(err.to_string().contains("Path"), "{err}");
    }
}
