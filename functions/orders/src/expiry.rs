//! The expiry of an order: a one-shot EventBridge Scheduler schedule at `expiresAt` that puts
//! `{"orderId"}` on the expiry queue, deleted by the scheduler once it has run.

use aws_sdk_scheduler::types::{
    ActionAfterCompletion, DeadLetterConfig, FlexibleTimeWindow, FlexibleTimeWindowMode,
    RetryPolicy, Target,
};
use ticketing::error::chain;
use time::OffsetDateTime;

/// The message a fired schedule delivers to the expire-order function.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ExpiryMessage {
    pub order_id: String,
}

/// Creates and removes the expiry schedules of one schedule group.
#[derive(Clone)]
pub struct ExpirySchedules {
    pub client: aws_sdk_scheduler::Client,
    pub group: String,
}

/// Where a fired expiry schedule delivers, as whom, and where undeliverable ones go.
#[derive(Clone)]
pub struct ExpiryTarget {
    pub queue_arn: String,
    pub role_arn: String,
    pub dead_letter_arn: String,
}

/// The scheduler refused or could not be reached.
#[derive(Debug, thiserror::Error)]
#[error("expiry schedule: {0}")]
pub struct ScheduleError(String);

/// The schedule's name for an order.
pub fn schedule_name(order_id: &str) -> String {
    format!("order-{order_id}")
}

/// `at(...)` for a moment, rounded up to the whole second so the schedule never fires early.
pub fn at_expression(moment: OffsetDateTime) -> String {
    let whole = if moment.nanosecond() == 0 {
        moment
    } else {
        moment.replace_nanosecond(0).unwrap_or(moment) + time::Duration::SECOND
    };
    let utc = whole.to_offset(time::UtcOffset::UTC);
    format!(
        "at({:04}-{:02}-{:02}T{:02}:{:02}:{:02})",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second()
    )
}

impl ExpirySchedules {
    /// The group named by `EXPIRY_SCHEDULE_GROUP`, with a client from `sdk`.
    pub fn from_env(
        sdk: &ticketing::aws::SdkConfig,
    ) -> Result<Self, ticketing::config::ConfigError> {
        Ok(Self {
            client: ticketing::aws::scheduler(sdk),
            group: ticketing::config::required("EXPIRY_SCHEDULE_GROUP")?,
        })
    }

    /// Schedules the expiry of `order_id` at `expires_at`: delivered to `target`, retried for up
    /// to an hour, then dead-lettered.
    pub async fn create(
        &self,
        order_id: &str,
        expires_at: OffsetDateTime,
        target: &ExpiryTarget,
    ) -> Result<(), ScheduleError> {
        let input = serde_json::to_string(&ExpiryMessage {
            order_id: order_id.to_string(),
        })
        .map_err(|e| ScheduleError(e.to_string()))?;
        let target = Target::builder()
            .arn(&target.queue_arn)
            .role_arn(&target.role_arn)
            .input(input)
            .retry_policy(
                RetryPolicy::builder()
                    .maximum_retry_attempts(10)
                    .maximum_event_age_in_seconds(3600)
                    .build(),
            )
            .dead_letter_config(
                DeadLetterConfig::builder()
                    .arn(&target.dead_letter_arn)
                    .build(),
            )
            .build()
            .map_err(|e| ScheduleError(e.to_string()))?;
        let window = FlexibleTimeWindow::builder()
            .mode(FlexibleTimeWindowMode::Off)
            .build()
            .map_err(|e| ScheduleError(e.to_string()))?;
        self.client
            .create_schedule()
            .name(schedule_name(order_id))
            .group_name(&self.group)
            .schedule_expression(at_expression(expires_at))
            .schedule_expression_timezone("UTC")
            .flexible_time_window(window)
            .target(target)
            .action_after_completion(ActionAfterCompletion::Delete)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| ScheduleError(chain(&e)))
    }

    /// Removes the schedule of an order that no longer needs it (never stored, cancelled or
    /// complete). Best effort, and a missing schedule is fine: a stray one only makes
    /// expire-order look at an order it leaves alone.
    pub async fn delete(&self, order_id: &str) {
        let result = self
            .client
            .delete_schedule()
            .name(schedule_name(order_id))
            .group_name(&self.group)
            .send()
            .await;
        match result {
            Ok(_) => {}
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) => {}
            Err(error) => tracing::warn!(
                order_id,
                error = chain(&error),
                "could not delete an expiry schedule"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_runs_at_the_next_whole_second() {
        let exact = OffsetDateTime::from_unix_timestamp(1_795_694_400).unwrap();
        assert_eq!(at_expression(exact), "at(2026-11-26T12:00:00)");
        let fraction =
            OffsetDateTime::from_unix_timestamp_nanos(1_795_694_400_250_000_000).unwrap();
        assert_eq!(at_expression(fraction), "at(2026-11-26T12:00:01)");
    }
}
