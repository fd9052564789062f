//! The invariant checker finds each kind of broken promise, and passes consistent data.

use aws_sdk_dynamodb::types::AttributeValue;
use local::invariants::{transfer_violations, violations, Tables, TransferFact};

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

struct Data {
    client: aws_sdk_dynamodb::Client,
    tables: Tables,
}

impl Data {
    async fn new() -> Self {
        let client = local::testing::dynamodb_client().await;
        let tables = Tables {
            tickets: local::testing::fresh_table(&client, "TicketsTable").await,
            orders: local::testing::fresh_table(&client, "OrdersTable").await,
            payments: local::testing::fresh_table(&client, "PaymentsTable").await,
            payouts: local::testing::fresh_table(&client, "PayoutsTable").await,
        };
        Data { client, tables }
    }

    async fn put(&self, table: &str, item: &[(&str, AttributeValue)]) {
        let mut request = self.client.put_item().table_name(table);
        for (name, value) in item {
            request = request.item(*name, value.clone());
        }
        request.send().await.unwrap();
    }

    /// A ticket at `version`, with the orders-side replica at `replica_version`.
    async fn ticket(&self, id: &str, version: u64, replica_version: u64) {
        self.put(
            &self.tables.tickets,
            &[("id", s(id)), ("version", n(version))],
        )
        .await;
        self.put(
            &self.tables.orders,
            &[
                ("pk", s(&format!("TICKET#{id}"))),
                ("version", n(replica_version)),
            ],
        )
        .await;
    }

    /// An order for `ticket`, replicated to payments at the same version.
    async fn order(&self, id: &str, ticket: &str, status: &str, version: u64) {
        self.put(
            &self.tables.orders,
            &[
                ("pk", s(&format!("ORDER#{id}"))),
                ("ticketId", s(ticket)),
                ("status", s(status)),
                ("version", n(version)),
            ],
        )
        .await;
        self.put(
            &self.tables.payments,
            &[("pk", s(&format!("ORDER#{id}"))), ("version", n(version))],
        )
        .await;
    }

    async fn payment(&self, id: &str, order: &str, status: &str) {
        self.put(
            &self.tables.payments,
            &[
                ("pk", s(&format!("PAYMENT#{id}"))),
                ("orderId", s(order)),
                ("status", s(status)),
            ],
        )
        .await;
    }

    /// The sale of `order` (price `price`) on its seller's listing, as payouts holds it.
    async fn sale(
        &self,
        seller: &str,
        order: &str,
        price: u64,
        payout: &str,
        transfer: Option<&str>,
    ) {
        let fee = price / 10;
        let mut item = vec![
            ("pk", s(&format!("SELLER#{seller}"))),
            ("sk", s(&format!("LISTING#t-of-{order}"))),
            ("sellerId", s(seller)),
            ("orderId", s(order)),
            ("amount", n(price - fee)),
            ("fee", n(fee)),
            ("payout", s(payout)),
        ];
        if let Some(transfer) = transfer {
            item.push(("transferId", s(transfer)));
        }
        self.put(&self.tables.payouts, &item).await;
    }

    /// A seller's connected account, ready to be paid or not.
    async fn account(&self, seller: &str, account: &str, ready: bool) {
        let flag = AttributeValue::Bool(ready);
        self.put(
            &self.tables.payouts,
            &[
                ("pk", s(&format!("SELLER#{seller}"))),
                ("sk", s("ACCOUNT")),
                ("sellerId", s(seller)),
                ("accountId", s(account)),
                ("detailsSubmitted", flag.clone()),
                ("payoutsEnabled", flag.clone()),
                ("transfersActive", flag),
            ],
        )
        .await;
    }

    async fn broken(&self, drained: bool) -> Vec<String> {
        violations(&self.client, &self.tables, drained)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn consistent_data_breaks_nothing() {
    let data = Data::new().await;
    data.ticket("t-1", 1, 1).await;
    data.order("o-1", "t-1", "cancelled", 1).await;
    data.payment("pi_1", "o-1", "refunded").await;
    data.order("o-2", "t-1", "complete", 1).await;
    data.payment("pi_2", "o-2", "succeeded").await;
    data.sale("seller", "o-2", 0, "waiting_for_setup", None)
        .await;
    assert_eq!(data.broken(true).await, Vec::<String>::new());
}

fn transfer(id: &str, amount: u64, destination: &str, group: &str) -> TransferFact {
    TransferFact {
        id: id.into(),
        amount,
        destination: destination.into(),
        transfer_group: Some(group.into()),
    }
}

#[tokio::test]
async fn each_broken_payout_promise_is_reported() {
    let data = Data::new().await;
    data.account("paid", "acct_paid", true).await;
    data.account("waiting", "acct_waiting", false).await;
    // fine: sent once to the right account, and waiting for a seller who is not ready
    data.order("o-1", "t-1", "complete", 1).await;
    data.sale("paid", "o-1", 0, "sent", Some("tr_1")).await;
    data.order("o-2", "t-2", "complete", 1).await;
    data.sale("waiting", "o-2", 0, "waiting_for_setup", None)
        .await;
    // broken: a complete order nobody was paid for, a cancelled order that is a sale, and a
    // payout waiting although its seller is ready
    data.order("o-3", "t-3", "complete", 1).await;
    data.order("o-4", "t-4", "cancelled", 1).await;
    data.sale("paid", "o-4", 0, "waiting_for_setup", None).await;
    data.order("o-5", "t-5", "complete", 1).await;
    data.sale("paid", "o-5", 0, "waiting_for_setup", None).await;
    let broken: Vec<String> = data
        .broken(true)
        .await
        .into_iter()
        .filter(|b| !b.contains("payments holds") && !b.contains("succeeded payments"))
        .collect();
    let has = |text: &str| broken.iter().any(|b| b.contains(text));
    assert!(has("complete order o-3 is 0 sales"), "{broken:#?}");
    assert!(has("cancelled order o-4 is a sale"), "{broken:#?}");
    assert!(
        has("order o-5's payout is waiting_for_setup"),
        "{broken:#?}"
    );
    assert_eq!(broken.len(), 3, "{broken:#?}");

    // Stripe's side: one transfer of the amount to the account, nothing for the others.
    let right = [transfer("tr_1", 0, "acct_paid", "o-1")];
    let transfers = |extra: &[TransferFact]| [&right[..], extra].concat();
    let check = |t: Vec<TransferFact>| {
        let client = data.client.clone();
        let tables = data.tables.clone();
        async move { transfer_violations(&client, &tables, &t).await.unwrap() }
    };
    assert_eq!(check(transfers(&[])).await, Vec::<String>::new());
    let twice = check(transfers(&[transfer("tr_2", 0, "acct_paid", "o-1")])).await;
    assert!(
        twice
            .iter()
            .any(|b| b.contains("order o-1 was paid out by 2 transfers")),
        "{twice:#?}"
    );
    let cancelled = check(transfers(&[transfer("tr_3", 0, "acct_paid", "o-4")])).await;
    assert!(
        cancelled.iter().any(|b| b.contains("order o-4")),
        "{cancelled:#?}"
    );
    let elsewhere = check(vec![transfer("tr_1", 0, "acct_waiting", "o-1")]).await;
    assert!(
        elsewhere.iter().any(|b| b.contains("order o-1's transfer")),
        "{elsewhere:#?}"
    );
}

#[tokio::test]
async fn each_broken_promise_is_reported() {
    let data = Data::new().await;
    // a ticket held by two live orders
    data.ticket("t-1", 0, 0).await;
    data.order("o-1", "t-1", "created", 0).await;
    data.order("o-2", "t-1", "complete", 1).await;
    data.payment("pi_2", "o-2", "succeeded").await;
    // a complete order without a payment, and one with two
    data.ticket("t-2", 0, 0).await;
    data.order("o-3", "t-2", "complete", 1).await;
    data.ticket("t-3", 0, 0).await;
    data.order("o-4", "t-3", "complete", 1).await;
    data.payment("pi_4a", "o-4", "succeeded").await;
    data.payment("pi_4b", "o-4", "succeeded").await;
    // a refund for an order that is not cancelled
    data.ticket("t-4", 0, 0).await;
    data.order("o-5", "t-4", "created", 0).await;
    data.payment("pi_5", "o-5", "refunded").await;

    // a buyer listing a cancelled order as open, and a buyer with 4 orders awaiting payment
    data.ticket("t-5", 0, 0).await;
    data.order("o-6", "t-5", "cancelled", 1).await;
    data.put(
        &data.tables.orders,
        &[
            ("pk", s("OPEN-ORDERS#alice")),
            ("openOrders", AttributeValue::Ss(vec!["o-6".into()])),
        ],
    )
    .await;
    for k in 7..=10 {
        let (ticket, order) = (format!("t-{k}"), format!("o-{k}"));
        data.ticket(&ticket, 0, 0).await;
        data.order(&order, &ticket, "created", 0).await;
        data.put(
            &data.tables.orders,
            &[
                ("pk", s(&format!("ORDER#{order}"))),
                ("ticketId", s(&ticket)),
                ("status", s("created")),
                ("version", n(0)),
                ("userId", s("hoarder")),
            ],
        )
        .await;
    }

    let broken = data.broken(false).await;
    let has = |text: &str| broken.iter().any(|b| b.contains(text));
    assert!(
        has("buyer alice lists order o-6 as open, but it is not a created order of theirs"),
        "{broken:#?}"
    );
    assert!(
        has("buyer hoarder has 4 orders awaiting payment"),
        "{broken:#?}"
    );
    assert!(has("ticket t-1 is held by 2 live orders"), "{broken:#?}");
    assert!(
        has("complete order o-3 has 0 succeeded payments"),
        "{broken:#?}"
    );
    assert!(
        has("complete order o-4 has 2 succeeded payments"),
        "{broken:#?}"
    );
    assert!(has("payment pi_5 was refunded"), "{broken:#?}");
    assert_eq!(broken.len(), 6, "{broken:#?}");
}

#[tokio::test]
async fn a_replica_behind_its_source_is_reported_once_drained() {
    let data = Data::new().await;
    data.ticket("t-1", 2, 1).await;
    assert!(data.broken(false).await.is_empty());
    let broken = data.broken(true).await;
    assert_eq!(broken.len(), 1, "{broken:#?}");
    assert!(
        broken[0].contains("orders holds ticket t-1 at Some(1), tickets at Some(2)"),
        "{broken:#?}"
    );
}
