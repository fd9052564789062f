//! The promises the product makes, checked on the data of a stack: no ticket is held by two live
//! orders; a buyer's listed open orders are `created` orders of theirs, at most 3; every complete order has exactly one succeeded payment; every refunded payment belongs
//! to a cancelled order; and, once the queues are drained, every replica holds its source's
//! version. Used by the integration tests and by `check-invariants` (for `make dev` and the
//! flash-sale benchmark).

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use std::collections::{BTreeMap, HashMap};

type Item = HashMap<String, AttributeValue>;

/// How many orders awaiting payment a buyer may hold (orders' `MAX_OPEN_ORDERS`).
const MAX_OPEN_ORDERS: usize = 3;

/// The physical names of the three domain tables.
#[derive(Debug, Clone)]
pub struct Tables {
    /// Tickets (pk `id`).
    pub tickets: String,
    /// Orders and the orders-side ticket replicas (pk `ORDER#` / `TICKET#`).
    pub orders: String,
    /// Payments and the payments-side order replicas (pk `PAYMENT#` / `ORDER#`).
    pub payments: String,
}

impl Tables {
    /// The tables of a stack as the gateway (and CloudFormation, by default) names them.
    pub fn of_stack(stack: &str) -> Self {
        Tables {
            tickets: format!("{stack}-TicketsTable"),
            orders: format!("{stack}-OrdersTable"),
            payments: format!("{stack}-PaymentsTable"),
        }
    }
}

async fn scan(client: &Client, table: &str) -> Result<Vec<Item>, String> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "scan {table}: {}",
                    aws_sdk_dynamodb::error::DisplayErrorContext(e)
                )
            })?;
        items.extend(page.items.unwrap_or_default());
        start = page.last_evaluated_key;
        if start.is_none() {
            return Ok(items);
        }
    }
}

fn text<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

fn strings<'a>(item: &'a Item, name: &str) -> Vec<&'a str> {
    item.get(name)
        .and_then(|v| v.as_ss().ok())
        .map(|set| set.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

fn number(item: &Item, name: &str) -> Option<u64> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
}

fn with_prefix<'a>(
    items: &'a [Item],
    prefix: &'a str,
) -> impl Iterator<Item = (&'a str, &'a Item)> {
    items.iter().filter_map(move |item| {
        text(item, "pk")
            .and_then(|pk| pk.strip_prefix(prefix))
            .map(|id| (id, item))
    })
}

/// Every broken promise, described; empty when all hold. `drained` adds the replica checks,
/// which only hold once every event has been delivered.
pub async fn violations(
    client: &Client,
    tables: &Tables,
    drained: bool,
) -> Result<Vec<String>, String> {
    let tickets = scan(client, &tables.tickets).await?;
    let orders = scan(client, &tables.orders).await?;
    let payments = scan(client, &tables.payments).await?;
    let mut broken = Vec::new();

    // No ticket is held by two live orders.
    let mut live: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut order_status: BTreeMap<&str, &str> = BTreeMap::new();
    for (id, order) in with_prefix(&orders, "ORDER#") {
        let status = text(order, "status").unwrap_or("?");
        order_status.insert(id, status);
        if matches!(status, "created" | "complete") {
            live.entry(text(order, "ticketId").unwrap_or("?"))
                .or_default()
                .push(id);
        }
    }
    for (ticket, holders) in &live {
        if holders.len() > 1 {
            broken.push(format!(
                "ticket {ticket} is held by {} live orders: {holders:?}",
                holders.len()
            ));
        }
    }

    // A buyer's listed open orders are `created` orders of theirs, at most 3; and no buyer has
    // more than 3 `created` orders (orders from before the list existed are not listed).
    let mut created_by_buyer: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, order) in with_prefix(&orders, "ORDER#") {
        if text(order, "status") == Some("created") {
            created_by_buyer
                .entry(text(order, "userId").unwrap_or("?"))
                .or_default()
                .push(id);
        }
    }
    for (buyer, item) in with_prefix(&orders, "OPEN-ORDERS#") {
        let listed = strings(item, "openOrders");
        if listed.len() > MAX_OPEN_ORDERS {
            broken.push(format!("buyer {buyer} lists {} open orders", listed.len()));
        }
        let created = created_by_buyer.get(buyer).cloned().unwrap_or_default();
        for id in listed.iter().filter(|id| !created.contains(id)) {
            broken.push(format!(
                "buyer {buyer} lists order {id} as open, but it is not a created order of theirs"
            ));
        }
    }
    for (buyer, created) in &created_by_buyer {
        if created.len() > MAX_OPEN_ORDERS {
            broken.push(format!(
                "buyer {buyer} has {} orders awaiting payment",
                created.len()
            ));
        }
    }

    // Every complete order has exactly one succeeded payment; refunds only for cancelled orders.
    let mut succeeded: BTreeMap<&str, usize> = BTreeMap::new();
    for (id, payment) in with_prefix(&payments, "PAYMENT#") {
        let order = text(payment, "orderId").unwrap_or("?");
        match text(payment, "status") {
            Some("succeeded") => *succeeded.entry(order).or_default() += 1,
            Some("refunded") if order_status.get(order) != Some(&"cancelled") => {
                broken.push(format!(
                    "payment {id} was refunded but its order {order} is {:?}",
                    order_status.get(order)
                ))
            }
            _ => {}
        }
    }
    for (order, status) in &order_status {
        let count = succeeded.get(order).copied().unwrap_or(0);
        if *status == "complete" && count != 1 {
            broken.push(format!(
                "complete order {order} has {count} succeeded payments"
            ));
        }
    }

    if drained {
        // Each replica holds its source's version.
        let replicas: BTreeMap<&str, Option<u64>> = with_prefix(&orders, "TICKET#")
            .map(|(id, item)| (id, number(item, "version")))
            .collect();
        for ticket in &tickets {
            let id = text(ticket, "id").unwrap_or("?");
            let version = number(ticket, "version");
            match replicas.get(id) {
                Some(held) if *held == version => {}
                held => broken.push(format!(
                    "orders holds ticket {id} at {:?}, tickets at {version:?}",
                    held.copied().flatten()
                )),
            }
        }
        let payment_replicas: BTreeMap<&str, Option<u64>> = with_prefix(&payments, "ORDER#")
            .map(|(id, item)| (id, number(item, "version")))
            .collect();
        for (id, order) in with_prefix(&orders, "ORDER#") {
            let version = number(order, "version");
            match payment_replicas.get(id) {
                Some(held) if *held == version => {}
                held => broken.push(format!(
                    "payments holds order {id} at {:?}, orders at {version:?}",
                    held.copied().flatten()
                )),
            }
        }
    }
    Ok(broken)
}
