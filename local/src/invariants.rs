//! The promises the product makes, checked on the data of a stack: no ticket is held by two live
//! orders; a buyer's listed open orders are `created` orders of theirs, at most 3; every complete order has exactly one succeeded payment; every refunded payment belongs
//! to a cancelled order; and, once the queues are drained, every replica holds its source's
//! version; every complete order is its seller's sale, with one transfer of price minus fee or
//! waiting for the seller's payout setup, and no cancelled order is anyone's sale (checked
//! against Stripe's transfers too, by [`transfer_violations`]). Used by the integration tests and by `check-invariants` (for `make dev` and the
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
    /// Payouts: sellers' accounts and listings (pk `SELLER#`, sk `ACCOUNT` / `LISTING#`).
    pub payouts: String,
}

impl Tables {
    /// The tables of a stack as the gateway (and CloudFormation, by default) names them.
    pub fn of_stack(stack: &str) -> Self {
        Tables {
            tickets: format!("{stack}-TicketsTable"),
            orders: format!("{stack}-OrdersTable"),
            payments: format!("{stack}-PaymentsTable"),
            payouts: format!("{stack}-PayoutsTable"),
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
    let payouts = scan(client, &tables.payouts).await?;
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
        broken.extend(sale_violations(&orders, &payouts));
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

/// What payouts hold of one sale.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SaleFact {
    order_id: String,
    seller_id: String,
    amount: u64,
    fee: u64,
    payout: String,
    transfer_id: Option<String>,
}

fn sales(payouts: &[Item]) -> Vec<SaleFact> {
    payouts
        .iter()
        .filter(|item| text(item, "sk").is_some_and(|sk| sk.starts_with("LISTING#")))
        .filter_map(|item| {
            Some(SaleFact {
                order_id: text(item, "orderId")?.to_string(),
                seller_id: text(item, "sellerId").unwrap_or("?").to_string(),
                amount: number(item, "amount").unwrap_or(0),
                fee: number(item, "fee").unwrap_or(0),
                payout: text(item, "payout").unwrap_or("?").to_string(),
                transfer_id: text(item, "transferId").map(str::to_string),
            })
        })
        .collect()
}

/// Sellers' connected accounts: seller id -> (account id, ready to be paid).
fn accounts(payouts: &[Item]) -> BTreeMap<String, (String, bool)> {
    let flag = |item: &Item, name: &str| {
        item.get(name).and_then(|v| v.as_bool().ok()).copied() == Some(true)
    };
    payouts
        .iter()
        .filter(|item| text(item, "sk") == Some("ACCOUNT"))
        .filter_map(|item| {
            let ready = flag(item, "detailsSubmitted")
                && flag(item, "payoutsEnabled")
                && flag(item, "transfersActive");
            Some((
                text(item, "sellerId")?.to_string(),
                (text(item, "accountId")?.to_string(), ready),
            ))
        })
        .collect()
}

/// Every complete order is exactly one sale, its amount plus fee its price, sent with a
/// transfer or waiting for a seller whose account is not ready; no cancelled order is a sale.
fn sale_violations(orders: &[Item], payouts: &[Item]) -> Vec<String> {
    let mut broken = Vec::new();
    let sales = sales(payouts);
    let accounts = accounts(payouts);
    for (id, order) in with_prefix(orders, "ORDER#") {
        let of_order: Vec<&SaleFact> = sales.iter().filter(|sale| sale.order_id == id).collect();
        match text(order, "status") {
            Some("complete") => {
                let [sale] = of_order.as_slice() else {
                    broken.push(format!("complete order {id} is {} sales", of_order.len()));
                    continue;
                };
                let price = number(order, "ticketPrice").unwrap_or(0);
                if sale.amount + sale.fee != price {
                    broken.push(format!(
                        "order {id} cost {price} but its seller gets {} and the fee is {}",
                        sale.amount, sale.fee
                    ));
                }
                let ready = accounts
                    .get(&sale.seller_id)
                    .is_some_and(|(_, ready)| *ready);
                match (sale.payout.as_str(), &sale.transfer_id) {
                    ("sent", Some(_)) => {}
                    ("waiting_for_setup", None) if !ready => {}
                    (payout, transfer) => broken.push(format!(
                        "order {id}'s payout is {payout} (transfer {transfer:?}) with the seller's account {}",
                        if ready { "ready" } else { "not ready" }
                    )),
                }
            }
            Some("cancelled") if !of_order.is_empty() => {
                broken.push(format!("cancelled order {id} is a sale"))
            }
            _ => {}
        }
    }
    broken
}

/// One transfer as Stripe holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferFact {
    /// `tr_...`
    pub id: String,
    /// Integer cents.
    pub amount: u64,
    /// The connected account paid (`acct_...`).
    pub destination: String,
    /// The order it pays for.
    pub transfer_group: Option<String>,
}

/// Checks Stripe's transfers against the tables: every complete order whose payout is sent has
/// exactly one transfer (its transfer group the order), of the sale's amount, to its seller's
/// account, the one recorded; an order whose payout waits, and every cancelled order, has none.
pub async fn transfer_violations(
    client: &Client,
    tables: &Tables,
    transfers: &[TransferFact],
) -> Result<Vec<String>, String> {
    let orders = scan(client, &tables.orders).await?;
    let payouts = scan(client, &tables.payouts).await?;
    let sales = sales(&payouts);
    let accounts = accounts(&payouts);
    let mut broken = Vec::new();
    for (id, order) in with_prefix(&orders, "ORDER#") {
        let of_order: Vec<&TransferFact> = transfers
            .iter()
            .filter(|t| t.transfer_group.as_deref() == Some(id))
            .collect();
        let sale = sales.iter().find(|sale| sale.order_id == id);
        match (text(order, "status"), sale) {
            (Some("complete"), Some(sale)) if sale.payout == "sent" => {
                let [transfer] = of_order.as_slice() else {
                    broken.push(format!(
                        "order {id} was paid out by {} transfers",
                        of_order.len()
                    ));
                    continue;
                };
                let account = accounts
                    .get(&sale.seller_id)
                    .map(|(account, _)| account.as_str());
                if transfer.amount != sale.amount
                    || Some(transfer.destination.as_str()) != account
                    || sale.transfer_id.as_deref() != Some(transfer.id.as_str())
                {
                    broken.push(format!(
                        "order {id}'s transfer {transfer:?} is not its sale's {sale:?} to {account:?}"
                    ));
                }
            }
            (status, _) if !of_order.is_empty() => broken.push(format!(
                "order {id} ({status:?}, payout not sent) has {} transfers",
                of_order.len()
            )),
            _ => {}
        }
    }
    Ok(broken)
}
