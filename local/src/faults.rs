//! Faults the local stack injects on request, so tests can prove the product survives what AWS
//! does now and then: a consumer that fails, a function that dies after its work but before its
//! answer. Off unless `LOCAL_FAULTS` names some; never part of `make dev`.
//!
//! `LOCAL_FAULTS` is a space-separated list of `<kind>:<FunctionLogicalId>`:
//! - `fail-every-other-message`: an SQS consumer fails each message on every other delivery
//!   (the 1st, 3rd, ...) before its code sees it; the message comes back after the retry
//!   delay, behind the ones that followed it.
//! - `fail-every-other-invocation`: every other invocation of the function (the 1st, 3rd, ...)
//!   fails before its code runs, as if its process died starting up.
//! - `lose-every-other-answer`: every other invocation of the function (the 1st, 3rd, ...)
//!   runs to the end, then its process "crashes" before the answer reaches the caller, so the
//!   caller (API Gateway, a poller) sees a failure for work that was done.
//! - `hold-messages`: the function's SQS pollers receive nothing, as if its event source mapping
//!   were disabled, until the test lets them go ([`Faults::release`]); the messages wait in the
//!   queue. A test holds one consumer back to open a window another consumer has already closed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What can go wrong on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// See the module docs.
    FailEveryOtherMessage,
    /// See the module docs.
    FailEveryOtherInvocation,
    /// See the module docs.
    LoseEveryOtherAnswer,
    /// See the module docs.
    HoldMessages,
}

impl FaultKind {
    fn parse(name: &str) -> Option<Self> {
        match name {
            "fail-every-other-message" => Some(Self::FailEveryOtherMessage),
            "fail-every-other-invocation" => Some(Self::FailEveryOtherInvocation),
            "lose-every-other-answer" => Some(Self::LoseEveryOtherAnswer),
            "hold-messages" => Some(Self::HoldMessages),
            _ => None,
        }
    }
}

/// The faults in force and how often each has come up; clones share the counts.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Per fault in force, the turns it has had (per message: `function message-id`).
    turns: Arc<Mutex<HashMap<(FaultKind, String), u64>>>,
}

impl Faults {
    /// Reads `LOCAL_FAULTS`' value; an unknown kind or an entry without a function is an error.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut turns = HashMap::new();
        for entry in spec.split_whitespace() {
            let (kind, function) = entry
                .split_once(':')
                .filter(|(_, f)| !f.is_empty())
                .ok_or_else(|| format!("LOCAL_FAULTS entry {entry:?} is not <kind>:<Function>"))?;
            let kind = FaultKind::parse(kind)
                .ok_or_else(|| format!("LOCAL_FAULTS: unknown fault {kind:?}"))?;
            turns.insert((kind, function.to_string()), 0);
        }
        Ok(Self {
            turns: Arc::new(Mutex::new(turns)),
        })
    }

    /// True if any fault is in force.
    pub fn any(&self) -> bool {
        !self.turns.lock().expect("fault counts").is_empty()
    }

    /// Whether `kind` strikes `function` this time: on its 1st, 3rd, 5th... turn.
    pub fn strikes(&self, kind: FaultKind, function: &str) -> bool {
        let mut turns = self.turns.lock().expect("fault counts");
        match turns.get_mut(&(kind, function.to_string())) {
            None => false,
            Some(turn) => {
                *turn += 1;
                *turn % 2 == 1
            }
        }
    }

    /// Whether `hold-messages` holds `function`'s SQS pollers back now.
    pub fn holds_messages(&self, function: &str) -> bool {
        let turns = self.turns.lock().expect("fault counts");
        turns.contains_key(&(FaultKind::HoldMessages, function.to_string()))
    }

    /// Lets `function`'s held messages go: its pollers receive again from now on.
    pub fn release(&self, function: &str) {
        let mut turns = self.turns.lock().expect("fault counts");
        turns.remove(&(FaultKind::HoldMessages, function.to_string()));
    }

    /// Whether `fail-every-other-message` fails this delivery of `message_id` to `function`:
    /// on its 1st, 3rd, 5th... delivery.
    pub fn fails_message(&self, function: &str, message_id: &str) -> bool {
        let kind = FaultKind::FailEveryOtherMessage;
        let mut turns = self.turns.lock().expect("fault counts");
        if !turns.contains_key(&(kind, function.to_string())) {
            return false;
        }
        let turn = turns
            .entry((kind, format!("{function} {message_id}")))
            .or_default();
        *turn += 1;
        *turn % 2 == 1
    }

    /// The faults in force, as `kind:Function` lines, for the start-up report.
    pub fn describe(&self) -> Vec<String> {
        let turns = self.turns.lock().expect("fault counts");
        let mut lines: Vec<String> = turns
            .keys()
            .filter(|(_, function)| !function.contains(' '))
            .map(|(kind, function)| format!("{kind:?}:{function}"))
            .collect();
        lines.sort();
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_strikes_every_other_turn_starting_with_the_first() {
        let faults = Faults::parse("fail-every-other-invocation:F").unwrap();
        let turns: Vec<bool> = (0..4)
            .map(|_| faults.strikes(FaultKind::FailEveryOtherInvocation, "F"))
            .collect();
        assert_eq!(turns, [true, false, true, false]);
        assert!(!faults.strikes(FaultKind::LoseEveryOtherAnswer, "F"));
        assert!(!faults.strikes(FaultKind::FailEveryOtherInvocation, "Other"));
        assert_eq!(faults.describe(), ["FailEveryOtherInvocation:F"]);
    }

    #[test]
    fn a_failing_consumer_fails_each_message_on_every_other_delivery() {
        let faults = Faults::parse("fail-every-other-message:Consumer").unwrap();
        let deliveries = ["m1", "m2", "m1", "m2", "m1"];
        let failed: Vec<bool> = deliveries
            .iter()
            .map(|id| faults.fails_message("Consumer", id))
            .collect();
        assert_eq!(failed, [true, true, false, false, true]);
        assert!(!faults.fails_message("Other", "m1"));
        assert_eq!(faults.describe(), ["FailEveryOtherMessage:Consumer"]);
    }

    #[test]
    fn held_messages_wait_until_released() {
        let faults = Faults::parse("hold-messages:Consumer").unwrap();
        let test_side = faults.clone();
        assert!(faults.holds_messages("Consumer"));
        assert!(!faults.holds_messages("Other"));
        test_side.release("Consumer");
        assert!(!faults.holds_messages("Consumer"));
    }

    #[test]
    fn clones_share_the_turns() {
        let faults = Faults::parse("lose-every-other-answer:F").unwrap();
        let clone = faults.clone();
        assert!(faults.strikes(FaultKind::LoseEveryOtherAnswer, "F"));
        assert!(!clone.strikes(FaultKind::LoseEveryOtherAnswer, "F"));
    }

    #[test]
    fn nothing_is_in_force_by_default_and_bad_entries_are_refused() {
        assert!(!Faults::parse("").unwrap().any());
        assert!(Faults::parse("explode:F").is_err());
        assert!(Faults::parse("lose-every-other-answer").is_err());
        assert!(Faults::parse("lose-every-other-answer:").is_err());
    }
}
