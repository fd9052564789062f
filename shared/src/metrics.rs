//! Custom CloudWatch metrics in the embedded metric format (EMF): one JSON object per line on
//! standard output, which Lambda sends to CloudWatch Logs and CloudWatch turns into a metric. No
//! API call on the request's path and no extra permission; template.yaml's alarms watch them.

use serde_json::{json, Value};

/// The namespace of every metric of ours.
pub const NAMESPACE: &str = "Ticketing";

/// The EMF line that adds `value` to the count `metric` of `stack` at `timestamp_ms`.
pub fn count_line(metric: &str, value: u64, stack: &str, timestamp_ms: i128) -> Value {
    json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Stack"]],
                "Metrics": [{ "Name": metric, "Unit": "Count" }],
            }],
        },
        "Stack": stack,
        metric: value,
    })
}

/// Counts one `metric` for this stack (`STACK_NAME`, or `local` when it is not set).
pub fn count(metric: &str) {
    let stack = std::env::var("STACK_NAME").unwrap_or_else(|_| "local".to_string());
    let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    println!("{}", count_line(metric, 1, &stack, now));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_is_one_emf_object_naming_its_metric_dimension_and_value() {
        let line = count_line("UnmatchedPayments", 1, "ticketing", 1_700_000_000_000);
        let text = line.to_string();
        assert!(!text.contains('\n'));
        let spec = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(spec["Namespace"], "Ticketing");
        assert_eq!(spec["Dimensions"], json!([["Stack"]]));
        assert_eq!(
            spec["Metrics"],
            json!([{"Name": "UnmatchedPayments", "Unit": "Count"}])
        );
        assert_eq!(line["_aws"]["Timestamp"], 1_700_000_000_000_i64);
        assert_eq!(line["Stack"], "ticketing");
        assert_eq!(line["UnmatchedPayments"], 1);
    }
}
