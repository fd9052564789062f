//! The expiry of an order: a one-shot EventBridge Scheduler schedule at `expiresAt` that puts
//! `{"orderId"}` on the expiry queue, deleted by the scheduler once it has run.

use aws_sdk_scheduler::types::{
    ActionAfterCompletion, FlexibleTimeWindow, FlexibleTimeWindowMode, Target,
};
use ticketing::error::chain;
use time::OffsetDateTime;

/// The message a fired schedule delivers to the expire-order function.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ExpiryMessage {
    pub order_id: String,
}

/// Creates and removes expiry schedules.
#[derive(Clone)]
pub struct ExpirySchedules {
    pub client: aws_sdk_scheduler::Client,
    pub group: String,
    pub queue_arn: String,
    pub role_arn: String,
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
    /// Schedules the expiry of `order_id` at `expires_at`.
    pub async fn create(
        &self,
        order_id: &str,
        expires_at: OffsetDateTime,
    ) -> Result<(), ScheduleError> {
        let input = serde_json::to_string(&ExpiryMessage {
            order_id: order_id.to_string(),
        })
        .map_err(|e| ScheduleError(e.to_string()))?;
        let target = Target::builder()
            .arn(&self.queue_arn)
            .role_arn(&self.role_arn)
            .input(input)
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

    /// Removes the schedule of an order that was never stored (best effort: a stray schedule
    /// only makes expire-order look for an order that is not there).
    pub async fn delete(&self, order_id: &str) {
        let result = self
            .client
            .delete_schedule()
            .name(schedule_name(order_id))
            .group_name(&self.group)
            .send()
            .await;
        if let Err(error) = result {
            tracing::warn!(
                order_id,
                error = chain(&error),
                "could not delete an unused expiry schedule"
            );
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
