//! Names and ARNs of schedule groups and IAM roles.

use super::{Resolver, ACCOUNT_ID};
use crate::template::TemplateError;

impl Resolver<'_> {
    /// `!Ref ScheduleGroup`: its `Name`, else `{stack}-{LogicalId}`.
    pub fn schedule_group_name(&self, logical_id: &str) -> Result<String, TemplateError> {
        let group = self
            .template
            .schedule_group(logical_id)
            .ok_or_else(|| TemplateError::UnknownReference(logical_id.to_string()))?;
        match &group.name {
            Some(name) => self.resolve(name),
            None => Ok(self.physical_name(logical_id)),
        }
    }

    /// `!GetAtt ScheduleGroup.Arn`.
    pub fn schedule_group_arn(&self, logical_id: &str) -> Result<String, TemplateError> {
        Ok(self.arn(
            "scheduler",
            &format!("schedule-group/{}", self.schedule_group_name(logical_id)?),
        ))
    }

    /// `!Ref Role`: its `RoleName`, else `{stack}-{LogicalId}`.
    pub fn role_name(&self, logical_id: &str) -> Result<String, TemplateError> {
        let role = self
            .template
            .role(logical_id)
            .ok_or_else(|| TemplateError::UnknownReference(logical_id.to_string()))?;
        match &role.role_name {
            Some(name) => self.resolve(name),
            None => Ok(self.physical_name(logical_id)),
        }
    }

    /// `!GetAtt Role.Arn`: IAM is global, so the ARN names no region.
    pub fn role_arn(&self, logical_id: &str) -> Result<String, TemplateError> {
        let path = self
            .template
            .role(logical_id)
            .map_or("/", |role| role.path.as_str());
        Ok(format!(
            "arn:aws:iam::{ACCOUNT_ID}:role{path}{}",
            self.role_name(logical_id)?
        ))
    }
}

#[cfg(test)]
mod tests {
    use crate::resolver::Resolver;
    use crate::template::Template;
    use std::collections::BTreeMap;

    const YAML: &str = r#"
Resources:
  Expiry:
    Type: AWS::Scheduler::ScheduleGroup
    Properties: { Name: !Sub "${AWS::StackName}-order-expiry" }
  Unnamed:
    Type: AWS::Scheduler::ScheduleGroup
  Role:
    Type: AWS::IAM::Role
    Properties: { AssumeRolePolicyDocument: { Statement: [] } }
  NamedRole:
    Type: AWS::IAM::Role
    Properties: { RoleName: !Sub "${AWS::StackName}-named", Path: /service/ }
  Fn:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: f } }
    Properties:
      Environment:
        Variables:
          GROUP: !Ref Expiry
          GROUP_ARN: !GetAtt Expiry.Arn
          UNNAMED: !Ref Unnamed
          ROLE: !Ref Role
          ROLE_ARN: !GetAtt Role.Arn
          NAMED_ROLE_ARN: { "Fn::GetAtt": [NamedRole, Arn] }
          POLICY: !Sub "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/${Expiry}/*"
"#;

    #[test]
    fn resolves_schedule_groups_roles_and_the_partition() {
        let template = Template::parse(YAML).unwrap();
        let resolver = Resolver::new(&template, "stack", "eu-west-1", BTreeMap::new()).unwrap();
        let env = resolver
            .function_environment(template.function("Fn").unwrap())
            .unwrap();

        assert_eq!(env["GROUP"], "stack-order-expiry");
        assert_eq!(
            env["GROUP_ARN"],
            "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/stack-order-expiry"
        );
        assert_eq!(env["UNNAMED"], "stack-Unnamed");
        assert_eq!(env["ROLE"], "stack-Role");
        assert_eq!(env["ROLE_ARN"], "arn:aws:iam::123456789012:role/stack-Role");
        assert_eq!(
            env["NAMED_ROLE_ARN"],
            "arn:aws:iam::123456789012:role/service/stack-named"
        );
        assert_eq!(
            env["POLICY"],
            "arn:aws:scheduler:eu-west-1:123456789012:schedule/stack-order-expiry/*"
        );
    }
}
