//! Creates the template's EventBridge Scheduler schedule groups.

use super::{ProvisionError, Provisioned};
use crate::resolver::Resolver;
use crate::template::Template;
use aws_sdk_scheduler::error::DisplayErrorContext;
use aws_sdk_scheduler::Client;

/// Creates every schedule group of the template; existing ones (and their schedules) are kept.
pub async fn provision_schedule_groups(
    client: &Client,
    template: &Template,
    resolver: &Resolver<'_>,
) -> Result<Vec<(String, Provisioned)>, ProvisionError> {
    let mut done = Vec::new();
    for group in &template.schedule_groups {
        let name = resolver
            .schedule_group_name(&group.logical_id)
            .map_err(|err| {
                ProvisionError::new(
                    format!("schedule group {}", group.logical_id),
                    err.to_string(),
                )
            })?;
        done.push((name.clone(), create_schedule_group(client, &name).await?));
    }
    Ok(done)
}

/// Creates one schedule group unless it exists.
async fn create_schedule_group(client: &Client, name: &str) -> Result<Provisioned, ProvisionError> {
    let fail = |message: String| ProvisionError::new(format!("schedule group {name}"), message);
    // Look first: moto's CreateScheduleGroup replaces an existing group, schedules and all,
    // where AWS refuses with a ConflictException.
    match client.get_schedule_group().name(name).send().await {
        Ok(_) => return Ok(Provisioned::Existing),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) => {}
        Err(err) => return Err(fail(DisplayErrorContext(&err).to_string())),
    }
    match client.create_schedule_group().name(name).send().await {
        Ok(_) => Ok(Provisioned::Created),
        // Someone else created it since we looked.
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_conflict_exception()) =>
        {
            Ok(Provisioned::Existing)
        }
        Err(err) => Err(fail(DisplayErrorContext(&err).to_string())),
    }
}
