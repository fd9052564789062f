//! Fires EventBridge Scheduler one-shot schedules, which moto stores but never fires.
//!
//! moto's Scheduler keeps schedule groups and schedules (create, get, update, delete, list,
//! tags) and answers as AWS does, but nothing ever runs: no schedule reaches its target, and
//! `ActionAfterCompletion: DELETE` deletes nothing. So every [`TICK`] the firer lists the enabled
//! schedules of every group the template declares, and for each `at(yyyy-mm-ddThh:mm:ss)`
//! schedule whose time (in its `ScheduleExpressionTimezone`, UTC by default) has come, delivers
//! `Target.Input` to `Target.Arn` as the Scheduler would:
//! - an SQS queue: `SendMessage` (with `SqsParameters.MessageGroupId` for a FIFO queue);
//! - a function of the template: one invocation through the [`Invoker`]. The Scheduler invokes
//!   Lambda asynchronously, so a function that ran and failed counts as delivered (Lambda's own
//!   asynchronous retries are not emulated).
//!
//! Then it deletes the schedule if `ActionAfterCompletion` is `DELETE`, else remembers that this
//! version of the schedule fired (an update re-arms it). A delivery that fails (queue missing,
//! binary not built) is tried again on the next tick.
//!
//! Local differences: `rate()`/`cron()` schedules and targets of other services are not fired
//! (one log line each); `FlexibleTimeWindow`, `StartDate`/`EndDate`, `RetryPolicy` and dead-letter
//! queues are ignored; what fired is remembered in memory only, so after a restart a past-due
//! schedule kept with `ActionAfterCompletion: NONE` fires again; deliveries run one at a time.

use crate::event_sources::StopSignal;
use crate::invoker::{InvokeError, Invoker};
use crate::sqs_poller::queue_url;
use aws_sdk_scheduler::error::DisplayErrorContext;
use aws_sdk_scheduler::operation::get_schedule::GetScheduleOutput;
use aws_sdk_scheduler::types::{ActionAfterCompletion, ScheduleState, ScheduleSummary};
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

/// How often the schedules are looked at: a schedule fires at most this late.
pub const TICK: Duration = Duration::from_millis(250);
/// The Scheduler's time zone when a schedule names none.
const DEFAULT_TIMEZONE: &str = "UTC";
/// What an SQS target receives when the schedule has no `Input` (a message can't be empty).
const EMPTY_INPUT: &str = "{}";

/// When a schedule fires, read from its `ScheduleExpression`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expression {
    /// `at(...)`: once, at this instant.
    At(Timestamp),
    /// `rate(...)` or `cron(...)`: recurring, which the firer does not do.
    Recurring,
}

impl Expression {
    /// Reads `at(yyyy-mm-ddThh:mm:ss)` in `timezone` (an IANA name; UTC when `None`), or
    /// recognises a `rate(...)`/`cron(...)`.
    pub(crate) fn parse(expression: &str, timezone: Option<&str>) -> Result<Self, String> {
        let expression = expression.trim();
        let inner = |prefix: &str| {
            expression
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(')'))
        };
        if inner("rate(").is_some() || inner("cron(").is_some() {
            return Ok(Expression::Recurring);
        }
        let Some(when) = inner("at(") else {
            return Err(format!(
                "{expression:?} is not an at(), rate() or cron() expression"
            ));
        };
        let civil = DateTime::strptime("%Y-%m-%dT%H:%M:%S", when.trim())
            .map_err(|err| format!("{expression:?}: expected at(yyyy-mm-ddThh:mm:ss): {err}"))?;
        let zone_name = timezone
            .filter(|z| !z.is_empty())
            .unwrap_or(DEFAULT_TIMEZONE);
        let zone =
            TimeZone::get(zone_name).map_err(|err| format!("time zone {zone_name:?}: {err}"))?;
        let zoned = civil
            .to_zoned_datetime(zone)
            .map_err(|err| format!("{expression:?} in {zone_name}: {err}"))?;
        Ok(Expression::At(zoned.timestamp()))
    }

    /// Whether a one-shot schedule's time has come at `now`; recurring ones never are.
    pub(crate) fn is_due(&self, now: Timestamp) -> bool {
        matches!(self, Expression::At(at) if *at <= now)
    }
}

/// Where a schedule delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Destination {
    /// An SQS queue, by ARN.
    Queue {
        /// The queue's ARN.
        arn: String,
        /// `SqsParameters.MessageGroupId`.
        message_group_id: Option<String>,
    },
    /// A function of the template, by logical id.
    Function(String),
}

impl Destination {
    /// The destination of a target ARN; `functions` maps deployed names to logical ids.
    pub(crate) fn of(
        arn: &str,
        message_group_id: Option<String>,
        functions: &BTreeMap<String, String>,
    ) -> Result<Self, String> {
        let parts: Vec<&str> = arn.split(':').collect();
        match parts[..] {
            [_, _, "sqs", _, _, _] => Ok(Destination::Queue {
                arn: arn.to_string(),
                message_group_id,
            }),
            // A qualifier (`:alias` or `:version`) runs the same local binary.
            [_, _, "lambda", _, _, "function", name, ..] => functions
                .get(name)
                .map(|logical_id| Destination::Function(logical_id.clone()))
                .ok_or_else(|| format!("{arn} is not a function of the template")),
            [_, _, service, ..] => Err(format!(
                "{arn}: {service} targets are not delivered locally (only SQS and Lambda)"
            )),
            _ => Err(format!("{arn} is not an ARN")),
        }
    }
}

/// A one-shot schedule waiting for its time.
#[derive(Debug, Clone)]
struct OneShot {
    at: Expression,
    destination: Destination,
    input: Option<String>,
    delete_after: bool,
}

/// What the firer knows about one version of a schedule.
#[derive(Debug)]
enum Plan {
    /// Fires when due.
    Pending(OneShot),
    /// Delivered; `delete` while `ActionAfterCompletion: DELETE` has yet to succeed.
    Fired { delete: bool },
    /// Never fired locally (recurring, or a target it can't reach); logged once.
    Ignored,
}

/// A schedule as tracked between ticks.
struct Tracked {
    /// Creation and last modification dates: a new version is read again.
    version: Version,
    plan: Plan,
    /// The last failure logged, so a retry that fails the same way is not logged every tick.
    last_error: Option<String>,
}

type Version = (Option<(i64, u32)>, Option<(i64, u32)>);

/// Fires the due schedules of some groups until stopped.
pub(crate) struct ScheduleFirer {
    /// The template's schedule groups (physical names).
    pub groups: Vec<String>,
    /// Deployed function name → logical id, for Lambda targets.
    pub functions: BTreeMap<String, String>,
    /// The local Scheduler.
    pub scheduler: aws_sdk_scheduler::Client,
    /// The local SQS, for queue targets.
    pub sqs: aws_sdk_sqs::Client,
    /// Runs function targets.
    pub invoker: Invoker,
}

impl ScheduleFirer {
    /// Looks at the schedules every [`TICK`] until `stop`.
    pub(crate) async fn run(self, mut stop: StopSignal) {
        let mut tracked: BTreeMap<(String, String), Tracked> = BTreeMap::new();
        let mut list_errors: HashMap<String, String> = HashMap::new();
        loop {
            tokio::select! {
                () = stop.wait() => return,
                () = self.tick(&mut tracked, &mut list_errors) => {}
            }
            if stop.sleep(TICK).await {
                return;
            }
        }
    }

    /// One look at every group: reads new or changed schedules, fires the due ones, deletes
    /// the fired ones that ask for it, and forgets the ones that are gone.
    async fn tick(
        &self,
        tracked: &mut BTreeMap<(String, String), Tracked>,
        list_errors: &mut HashMap<String, String>,
    ) {
        let now = Timestamp::now();
        let mut listed = BTreeSet::new();
        for group in &self.groups {
            let summaries = match self.list(group).await {
                Ok(summaries) => {
                    list_errors.remove(group);
                    summaries
                }
                Err(err) => {
                    if list_errors.get(group) != Some(&err) {
                        eprintln!("[scheduler] listing schedules of {group}: {err}");
                        list_errors.insert(group.clone(), err);
                    }
                    // Keep what is known about this group until it can be listed again.
                    listed.extend(tracked.keys().filter(|(g, _)| g == group).cloned());
                    continue;
                }
            };
            for summary in &summaries {
                let Some(name) = summary.name() else { continue };
                let key = (group.clone(), name.to_string());
                let version = version_of(summary);
                if tracked.get(&key).is_none_or(|t| t.version != version) {
                    match self.read(group, name).await {
                        Ok(plan) => {
                            tracked.insert(
                                key.clone(),
                                Tracked {
                                    version,
                                    plan,
                                    last_error: None,
                                },
                            );
                        }
                        Err(err) => {
                            eprintln!("[scheduler] reading {group}/{name}: {err}");
                            continue;
                        }
                    }
                }
                listed.insert(key.clone());
                if let Some(schedule) = tracked.get_mut(&key) {
                    self.advance(group, name, schedule, now).await;
                }
            }
        }
        tracked.retain(|key, _| listed.contains(key));
    }

    /// Fires a due schedule, then deletes it if it asks for that.
    async fn advance(&self, group: &str, name: &str, schedule: &mut Tracked, now: Timestamp) {
        if let Plan::Pending(shot) = &schedule.plan {
            if !shot.at.is_due(now) {
                return;
            }
            match self.deliver(shot).await {
                Ok(()) => {
                    println!(
                        "schedule {group}/{name} fired -> {}",
                        describe(&shot.destination)
                    );
                    schedule.plan = Plan::Fired {
                        delete: shot.delete_after,
                    };
                    schedule.last_error = None;
                }
                Err(err) => {
                    if schedule.last_error.as_ref() != Some(&err) {
                        eprintln!("[scheduler] {group}/{name}: delivery failed, retrying: {err}");
                        schedule.last_error = Some(err);
                    }
                    return;
                }
            }
        }
        if let Plan::Fired { delete: true } = schedule.plan {
            match self
                .scheduler
                .delete_schedule()
                .group_name(group)
                .name(name)
                .send()
                .await
            {
                Ok(_) => schedule.plan = Plan::Fired { delete: false },
                Err(err)
                    if err
                        .as_service_error()
                        .is_some_and(|e| e.is_resource_not_found_exception()) =>
                {
                    schedule.plan = Plan::Fired { delete: false }
                }
                Err(err) => {
                    let err = DisplayErrorContext(&err).to_string();
                    if schedule.last_error.as_ref() != Some(&err) {
                        eprintln!("[scheduler] {group}/{name}: deleting after firing: {err}");
                        schedule.last_error = Some(err);
                    }
                }
            }
        }
    }

    /// The enabled schedules of a group, every page.
    async fn list(&self, group: &str) -> Result<Vec<ScheduleSummary>, String> {
        let mut summaries = Vec::new();
        let mut next_token = None;
        loop {
            let page = self
                .scheduler
                .list_schedules()
                .group_name(group)
                .state(ScheduleState::Enabled)
                .set_next_token(next_token)
                .send()
                .await
                .map_err(|err| DisplayErrorContext(&err).to_string())?;
            summaries.extend(page.schedules().iter().cloned());
            next_token = page.next_token().map(str::to_string);
            if next_token.is_none() {
                return Ok(summaries);
            }
        }
    }

    /// Reads a schedule's expression and target into a plan (logging why one is ignored).
    async fn read(&self, group: &str, name: &str) -> Result<Plan, String> {
        let schedule = self
            .scheduler
            .get_schedule()
            .group_name(group)
            .name(name)
            .send()
            .await
            .map_err(|err| DisplayErrorContext(&err).to_string())?;
        Ok(match self.one_shot(&schedule) {
            Ok(shot) => Plan::Pending(shot),
            Err(why) => {
                println!("schedule {group}/{name} is not fired locally: {why}");
                Plan::Ignored
            }
        })
    }

    fn one_shot(&self, schedule: &GetScheduleOutput) -> Result<OneShot, String> {
        if schedule.state() != Some(&ScheduleState::Enabled) {
            return Err("it is disabled".into());
        }
        let at = Expression::parse(
            schedule.schedule_expression().unwrap_or_default(),
            schedule.schedule_expression_timezone(),
        )?;
        if at == Expression::Recurring {
            return Err("rate() and cron() schedules are not fired locally".into());
        }
        let target = schedule.target().ok_or("it has no target")?;
        let group_id = target
            .sqs_parameters()
            .and_then(|p| p.message_group_id())
            .map(str::to_string);
        Ok(OneShot {
            at,
            destination: Destination::of(target.arn(), group_id, &self.functions)?,
            input: target.input().map(str::to_string),
            delete_after: schedule.action_after_completion()
                == Some(&ActionAfterCompletion::Delete),
        })
    }

    /// Sends the input to the target once.
    async fn deliver(&self, shot: &OneShot) -> Result<(), String> {
        match &shot.destination {
            Destination::Queue {
                arn,
                message_group_id,
            } => {
                let url = queue_url(&self.sqs, arn).await?;
                self.sqs
                    .send_message()
                    .queue_url(url)
                    .message_body(shot.input.as_deref().unwrap_or(EMPTY_INPUT))
                    .set_message_group_id(message_group_id.clone())
                    .send()
                    .await
                    .map_err(|err| aws_sdk_sqs::error::DisplayErrorContext(&err).to_string())?;
                Ok(())
            }
            Destination::Function(logical_id) => {
                let input = shot.input.as_deref().unwrap_or(EMPTY_INPUT);
                // Text that is not JSON reaches the function as a JSON string.
                let payload = serde_json::from_str(input)
                    .unwrap_or_else(|_| serde_json::Value::String(input.to_string()));
                match self.invoker.invoke(logical_id, payload).await {
                    Ok(_) => Ok(()),
                    Err(
                        err @ (InvokeError::Function { .. }
                        | InvokeError::Timeout { .. }
                        | InvokeError::Crashed { .. }
                        | InvokeError::InvalidResponse { .. }),
                    ) => {
                        eprintln!("[scheduler] {err}");
                        Ok(())
                    }
                    Err(err) => Err(err.to_string()),
                }
            }
        }
    }
}

fn version_of(summary: &ScheduleSummary) -> Version {
    let instant = |d: &aws_sdk_scheduler::primitives::DateTime| (d.secs(), d.subsec_nanos());
    (
        summary.creation_date().map(instant),
        summary.last_modification_date().map(instant),
    )
}

fn describe(destination: &Destination) -> String {
    match destination {
        Destination::Queue { arn, .. } => format!("SQS {}", arn.rsplit(':').next().unwrap_or(arn)),
        Destination::Function(logical_id) => logical_id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn reads_at_expressions_in_utc_by_default() {
        assert_eq!(
            Expression::parse("at(2026-03-01T12:30:05)", None).unwrap(),
            Expression::At(at("2026-03-01T12:30:05Z"))
        );
        assert_eq!(
            Expression::parse(" at(2026-03-01T12:30:05) ", Some("")).unwrap(),
            Expression::At(at("2026-03-01T12:30:05Z"))
        );
    }

    #[test]
    fn reads_at_expressions_in_their_time_zone() {
        // Paris is UTC+1 in winter and UTC+2 in summer.
        assert_eq!(
            Expression::parse("at(2026-01-15T09:00:00)", Some("Europe/Paris")).unwrap(),
            Expression::At(at("2026-01-15T08:00:00Z"))
        );
        assert_eq!(
            Expression::parse("at(2026-07-15T09:00:00)", Some("Europe/Paris")).unwrap(),
            Expression::At(at("2026-07-15T07:00:00Z"))
        );
        assert_eq!(
            Expression::parse("at(2026-07-15T09:00:00)", Some("America/New_York")).unwrap(),
            Expression::At(at("2026-07-15T13:00:00Z"))
        );
    }

    #[test]
    fn recognises_recurring_and_rejects_malformed_expressions() {
        for recurring in ["rate(5 minutes)", "cron(0 12 * * ? *)"] {
            assert_eq!(
                Expression::parse(recurring, None).unwrap(),
                Expression::Recurring
            );
        }
        for bad in [
            "at(2026-03-01 12:30:05)",
            "at(2026-03-01T12:30)",
            "at(tomorrow)",
            "every(5 minutes)",
            "",
        ] {
            assert!(Expression::parse(bad, None).is_err(), "{bad}");
        }
        let zone = Expression::parse("at(2026-03-01T12:30:05)", Some("Mars/Olympus")).unwrap_err();
        assert!(zone.contains("Mars/Olympus"), "{zone}");
    }

    #[test]
    fn a_one_shot_is_due_from_its_time_on_and_a_recurring_one_never() {
        let shot = Expression::At(at("2026-03-01T12:00:00Z"));
        assert!(!shot.is_due(at("2026-03-01T11:59:59.999Z")));
        assert!(shot.is_due(at("2026-03-01T12:00:00Z")));
        assert!(shot.is_due(at("2026-03-01T12:00:01Z")));
        assert!(!Expression::Recurring.is_due(at("2100-01-01T00:00:00Z")));
    }

    #[test]
    fn targets_are_queues_or_template_functions() {
        let functions = BTreeMap::from([("stack-ExpireFn".to_string(), "ExpireFn".to_string())]);
        assert_eq!(
            Destination::of(
                "arn:aws:sqs:us-east-1:123456789012:stack-Q",
                Some("g".into()),
                &functions
            )
            .unwrap(),
            Destination::Queue {
                arn: "arn:aws:sqs:us-east-1:123456789012:stack-Q".into(),
                message_group_id: Some("g".into())
            }
        );
        for arn in [
            "arn:aws:lambda:us-east-1:123456789012:function:stack-ExpireFn",
            "arn:aws:lambda:us-east-1:123456789012:function:stack-ExpireFn:live",
        ] {
            assert_eq!(
                Destination::of(arn, None, &functions).unwrap(),
                Destination::Function("ExpireFn".into())
            );
        }
        let unknown = Destination::of(
            "arn:aws:lambda:us-east-1:123456789012:function:other",
            None,
            &functions,
        )
        .unwrap_err();
        assert!(
            unknown.contains("not a function of the template"),
            "{unknown}"
        );
        let sns = Destination::of("arn:aws:sns:us-east-1:123456789012:topic", None, &functions)
            .unwrap_err();
        assert!(sns.contains("sns targets"), "{sns}");
    }
}
