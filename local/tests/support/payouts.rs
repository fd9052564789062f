//! The payouts side of a test stack: a seller's payout setup through the stand-in's hosted
//! onboarding page, "My listings", and Stripe's transfers checked against the tables.

use super::Stack;
use serde_json::Value;
use stripe_standin::StandIn;

/// POST /api/payouts/onboarding as `seller`: the onboarding link's URL.
pub async fn onboarding_link(stack: &Stack, seller: &str) -> String {
    let (status, _, answer) = stack
        .http("POST", "/api/payouts/onboarding", Some(seller), None)
        .await;
    assert_eq!(status, 200, "{answer}");
    answer["url"].as_str().unwrap().to_string()
}

/// Goes through the hosted onboarding page as a browser does: opens it, then presses "Finish
/// onboarding" (`finish`) or "Leave for now". Returns where the stand-in sent the browser back.
pub async fn go_through_onboarding(url: &str, finish: bool) -> String {
    let page = raw_request("GET", url).await;
    assert_eq!(page.0, 200, "the onboarding page: {}", page.2);
    assert!(page.2.contains("Finish onboarding"), "{}", page.2);
    let action = if finish { "finish" } else { "leave" };
    let (status, location, body) = raw_request("POST", &format!("{url}/{action}")).await;
    assert_eq!(status, 303, "{body}");
    location.expect("a redirect back to the app")
}

/// One plain HTTP/1.1 request: (status, Location, body).
async fn raw_request(method: &str, url: &str) -> (u16, Option<String>, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let port: u16 = host.rsplit(':').next().unwrap().parse().unwrap();
    let request = format!(
        "{method} /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let raw = super::exchange(port, &request).await;
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap();
    let location = head
        .lines()
        .find_map(|line| {
            line.strip_prefix("location: ")
                .or_else(|| line.strip_prefix("Location: "))
        })
        .map(str::to_string);
    (status, location, body.to_string())
}

/// GET /api/payouts as `seller`.
pub async fn payouts(stack: &Stack, seller: &str) -> Value {
    let (status, _, answer) = stack.http("GET", "/api/payouts", Some(seller), None).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

/// Polls "My listings" until the listing of `ticket_id` satisfies `done`; returns it.
pub async fn wait_for_listing(
    stack: &Stack,
    seller: &str,
    ticket_id: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    stack
        .eventually("the listing", || async {
            let answer = payouts(stack, seller).await;
            answer["listings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["ticketId"] == ticket_id)
                .filter(|l| done(l))
                .cloned()
        })
        .await
}

/// Stripe's transfers as the invariant checker takes them.
pub fn transfer_facts(stripe: &StandIn) -> Vec<local::invariants::TransferFact> {
    stripe
        .transfers()
        .into_iter()
        .map(|t| local::invariants::TransferFact {
            id: t.id.to_string(),
            amount: t.amount as u64,
            destination: t
                .destination
                .map(|d| d.id().to_string())
                .unwrap_or_default(),
            transfer_group: t.transfer_group,
        })
        .collect()
}

/// Polls until the tables' invariants hold and Stripe's transfers agree with them.
pub async fn payouts_hold(stack: &Stack, stripe: &StandIn) {
    stack.invariants_hold().await;
    let tables = local::invariants::Tables::of_stack(&stack.name);
    stack
        .eventually("Stripe's transfers to agree with the tables", || async {
            let broken = local::invariants::transfer_violations(
                &stack.clients.dynamodb,
                &tables,
                &transfer_facts(stripe),
            )
            .await
            .unwrap();
            broken.is_empty().then_some(())
        })
        .await;
}
