//! The Payouts table (pk + sk). Per seller (`SELLER#userId`): the payout account (`ACCOUNT`) and
//! one item per listed ticket (`LISTING#ticketId`) with its state and, once sold, its payout.
//! Lookups the events need: the seller of a ticket (`TICKET#id` / `SELLER`), the seller of a
//! connected account (`STRIPE_ACCOUNT#acct` / `SELLER`), and an order's payment
//! (`ORDER#id` / `PAYMENT`).

use crate::model::{Listing, ListingState, PayoutAccount, PayoutState, Sale};
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use ticketing::dynamo::{condition_failed, count, optional_text, s, text, Item};
use ticketing::error::chain;
use ticketing::money::Cents;

/// The table could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("payouts table: {0}")]
pub struct StorageError(pub String);

fn storage<E, R>(error: SdkError<E, R>) -> StorageError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
    SdkError<E, R>: std::error::Error,
{
    StorageError(chain(&error))
}

/// A transaction of conditional puts failed because an item was there already (not because
/// of a conflict with another transaction, which is retried as an error).
fn already_there<R>(
    error: &SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError, R>,
) -> bool {
    ticketing::dynamo::cancellation_reasons(error)
        .iter()
        .any(|reason| reason == "ConditionalCheckFailed")
}

fn seller_key(seller_id: &str) -> String {
    format!("SELLER#{seller_id}")
}

const ACCOUNT_SK: &str = "ACCOUNT";
const LISTING_PREFIX: &str = "LISTING#";

fn n(value: u64) -> AttributeValue {
    ticketing::dynamo::n(value)
}

fn signed(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// What applying an order event to a listing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingChange {
    Applied,
    /// The listing holds this event or a later one: nothing changed.
    Stale,
    /// No TicketCreated yet for the ticket: try again later.
    UnknownTicket,
}

/// Access to the Payouts table.
#[derive(Clone)]
pub struct Payouts {
    client: Client,
    table: String,
}

impl Payouts {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    async fn get(&self, pk: String, sk: &str) -> Result<Option<Item>, StorageError> {
        Ok(self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(&pk))
            .key("sk", s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(storage)?
            .item)
    }

    /// The seller of a ticket, once its TicketCreated is applied.
    pub async fn seller_of_ticket(&self, ticket_id: &str) -> Result<Option<String>, StorageError> {
        Ok(self
            .get(format!("TICKET#{ticket_id}"), "SELLER")
            .await?
            .and_then(|item| optional_text(&item, "sellerId")))
    }

    /// The seller a connected account was made for.
    pub async fn seller_of_account(
        &self,
        account_id: &str,
    ) -> Result<Option<String>, StorageError> {
        Ok(self
            .get(format!("STRIPE_ACCOUNT#{account_id}"), "SELLER")
            .await?
            .and_then(|item| optional_text(&item, "sellerId")))
    }

    /// Records a new listing (TicketCreated) and its seller, once: false if it was there.
    pub async fn insert_listing(&self, listing: &Listing) -> Result<bool, StorageError> {
        let listing_put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(listing_to_item(listing)))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(|e| StorageError(e.to_string()))?;
        let seller_put = Put::builder()
            .table_name(&self.table)
            .item("pk", s(&format!("TICKET#{}", listing.ticket_id)))
            .item("sk", s("SELLER"))
            .item("sellerId", s(&listing.seller_id))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(|e| StorageError(e.to_string()))?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(listing_put).build())
            .transact_items(TransactWriteItem::builder().put(seller_put).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if already_there(&e) => Ok(false),
            Err(e) => Err(storage(e)),
        }
    }

    /// Applies a TicketUpdated (title, price) when it is newer than what the listing holds:
    /// Applied, Stale, or UnknownTicket when its TicketCreated is not applied yet.
    pub async fn update_listing_ticket(
        &self,
        seller_id: &str,
        ticket_id: &str,
        title: &str,
        price: Cents,
        version: u64,
    ) -> Result<ListingChange, StorageError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&seller_key(seller_id)))
            .key("sk", s(&format!("{LISTING_PREFIX}{ticket_id}")))
            .update_expression("SET title = :title, price = :price, ticketVersion = :version")
            .condition_expression("attribute_exists(pk) AND ticketVersion < :version")
            .expression_attribute_values(":title", s(title))
            .expression_attribute_values(":price", n(price.0))
            .expression_attribute_values(":version", n(version))
            .send()
            .await;
        match result {
            Ok(_) => Ok(ListingChange::Applied),
            Err(e) if condition_failed(&e) => match self.listing(seller_id, ticket_id).await? {
                None => Ok(ListingChange::UnknownTicket),
                Some(_) => Ok(ListingChange::Stale),
            },
            Err(e) => Err(storage(e)),
        }
    }

    /// One listing of a seller.
    pub async fn listing(
        &self,
        seller_id: &str,
        ticket_id: &str,
    ) -> Result<Option<Listing>, StorageError> {
        self.get(
            seller_key(seller_id),
            &format!("{LISTING_PREFIX}{ticket_id}"),
        )
        .await?
        .map(|item| listing_from_item(&item))
        .transpose()
    }

    /// Moves a listing to what order event (`reservation`, `version`) says, only if it is newer
    /// than what the listing holds; a sold listing stays sold. `sale` is set when it sells.
    #[allow(clippy::too_many_arguments)]
    pub async fn apply_order_event(
        &self,
        seller_id: &str,
        ticket_id: &str,
        reservation: u64,
        version: u64,
        state: ListingState,
        reserved_until: Option<&str>,
        sale: Option<&Sale>,
    ) -> Result<ListingChange, StorageError> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&seller_key(seller_id)))
            .key("sk", s(&format!("{LISTING_PREFIX}{ticket_id}")))
            .condition_expression(
                "attribute_exists(pk) AND #state <> :sold AND \
                 (reservation < :reservation OR (reservation = :reservation AND orderVersion < :version))",
            )
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":sold", s(state_name(ListingState::Sold)))
            .expression_attribute_values(":reservation", n(reservation))
            .expression_attribute_values(":version", n(version))
            .expression_attribute_values(":new_state", s(state_name(state)));
        let mut set = vec![
            "#state = :new_state",
            "reservation = :reservation",
            "orderVersion = :version",
        ];
        let mut remove = Vec::new();
        match reserved_until {
            Some(until) => {
                set.push("reservedUntil = :until");
                update = update.expression_attribute_values(":until", s(until));
            }
            None => remove.push("reservedUntil"),
        }
        if let Some(sale) = sale {
            set.extend([
                "orderId = :order",
                "salePrice = :price",
                "fee = :fee",
                "amount = :amount",
                "payout = :payout",
            ]);
            update = update
                .expression_attribute_values(":order", s(&sale.order_id))
                .expression_attribute_values(":price", n(sale.price.0))
                .expression_attribute_values(":fee", n(sale.fee.0))
                .expression_attribute_values(":amount", n(sale.amount.0))
                .expression_attribute_values(":payout", s(sale.payout.as_str()));
        }
        let mut expression = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        let result = update.update_expression(expression).send().await;
        match result {
            Ok(_) => Ok(ListingChange::Applied),
            Err(e) if condition_failed(&e) => match self.listing(seller_id, ticket_id).await? {
                None => Ok(ListingChange::UnknownTicket),
                Some(_) => Ok(ListingChange::Stale),
            },
            Err(e) => Err(storage(e)),
        }
    }

    /// Records that a sale's payout was transferred; false if it was recorded before.
    pub async fn record_transfer(
        &self,
        seller_id: &str,
        ticket_id: &str,
        transfer_id: &str,
    ) -> Result<bool, StorageError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&seller_key(seller_id)))
            .key("sk", s(&format!("{LISTING_PREFIX}{ticket_id}")))
            .update_expression("SET payout = :sent, transferId = :transfer")
            .condition_expression("payout = :waiting")
            .expression_attribute_values(":sent", s(PayoutState::Sent.as_str()))
            .expression_attribute_values(":waiting", s(PayoutState::WaitingForSetup.as_str()))
            .expression_attribute_values(":transfer", s(transfer_id))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(storage(e)),
        }
    }

    /// Everything a seller has here: the payout account (if any) and every listing, oldest first.
    pub async fn seller(
        &self,
        seller_id: &str,
    ) -> Result<(Option<PayoutAccount>, Vec<Listing>), StorageError> {
        let mut account = None;
        let mut listings = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(&seller_key(seller_id)))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(storage)?;
            for item in page.items() {
                match optional_text(item, "sk").as_deref() {
                    Some(ACCOUNT_SK) => account = Some(account_from_item(item)?),
                    Some(sk) if sk.starts_with(LISTING_PREFIX) => {
                        listings.push(listing_from_item(item)?)
                    }
                    _ => {}
                }
            }
            start = page.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        listings.sort_by(|a, b| a.listed_at.cmp(&b.listed_at));
        Ok((account, listings))
    }

    /// A seller's payout account, if they started setting one up.
    pub async fn account(&self, seller_id: &str) -> Result<Option<PayoutAccount>, StorageError> {
        self.get(seller_key(seller_id), ACCOUNT_SK)
            .await?
            .map(|item| account_from_item(&item))
            .transpose()
    }

    /// Records a seller's new connected account and its owner, once. Returns the account the
    /// seller has: this one, or the one recorded first.
    pub async fn insert_account(
        &self,
        account: &PayoutAccount,
    ) -> Result<PayoutAccount, StorageError> {
        let account_put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(account_to_item(account)))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(|e| StorageError(e.to_string()))?;
        let owner_put = Put::builder()
            .table_name(&self.table)
            .item("pk", s(&format!("STRIPE_ACCOUNT#{}", account.account_id)))
            .item("sk", s("SELLER"))
            .item("sellerId", s(&account.seller_id))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(|e| StorageError(e.to_string()))?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(account_put).build())
            .transact_items(TransactWriteItem::builder().put(owner_put).build())
            .send()
            .await;
        match result {
            Ok(_) => Ok(account.clone()),
            Err(e) if already_there(&e) => self
                .account(&account.seller_id)
                .await?
                .ok_or_else(|| StorageError(format!("account of {} vanished", account.seller_id))),
            Err(e) => Err(storage(e)),
        }
    }

    /// Applies what `account.updated` says, unless a later update was applied already.
    pub async fn update_account(&self, account: &PayoutAccount) -> Result<bool, StorageError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&seller_key(&account.seller_id)))
            .key("sk", s(ACCOUNT_SK))
            .update_expression(
                "SET detailsSubmitted = :details, payoutsEnabled = :payouts, \
                 transfersActive = :transfers, updatedAt = :at",
            )
            .condition_expression("accountId = :account AND updatedAt <= :at")
            .expression_attribute_values(":account", s(&account.account_id))
            .expression_attribute_values(
                ":details",
                AttributeValue::Bool(account.details_submitted),
            )
            .expression_attribute_values(":payouts", AttributeValue::Bool(account.payouts_enabled))
            .expression_attribute_values(
                ":transfers",
                AttributeValue::Bool(account.transfers_active),
            )
            .expression_attribute_values(":at", signed(account.updated_at))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(storage(e)),
        }
    }

    /// Records the PaymentIntent that paid an order (PaymentCreated), once.
    pub async fn record_payment(
        &self,
        order_id: &str,
        payment_intent_id: &str,
    ) -> Result<bool, StorageError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(&format!("ORDER#{order_id}")))
            .item("sk", s("PAYMENT"))
            .item("paymentIntentId", s(payment_intent_id))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(storage(e)),
        }
    }

    /// The PaymentIntent that paid an order, once PaymentCreated is applied.
    pub async fn payment_of(&self, order_id: &str) -> Result<Option<String>, StorageError> {
        Ok(self
            .get(format!("ORDER#{order_id}"), "PAYMENT")
            .await?
            .and_then(|item| optional_text(&item, "paymentIntentId")))
    }
}

fn state_name(state: ListingState) -> &'static str {
    match state {
        ListingState::ForSale => "for_sale",
        ListingState::Reserved => "reserved",
        ListingState::Sold => "sold",
    }
}

fn parse_state(text: &str) -> Option<ListingState> {
    match text {
        "for_sale" => Some(ListingState::ForSale),
        "reserved" => Some(ListingState::Reserved),
        "sold" => Some(ListingState::Sold),
        _ => None,
    }
}

fn flag(item: &Item, name: &str) -> bool {
    item.get(name)
        .and_then(|v| v.as_bool().ok())
        .copied()
        .unwrap_or(false)
}

fn account_to_item(account: &PayoutAccount) -> Item {
    Item::from([
        ("pk".to_string(), s(&seller_key(&account.seller_id))),
        ("sk".to_string(), s(ACCOUNT_SK)),
        ("sellerId".to_string(), s(&account.seller_id)),
        ("accountId".to_string(), s(&account.account_id)),
        (
            "detailsSubmitted".to_string(),
            AttributeValue::Bool(account.details_submitted),
        ),
        (
            "payoutsEnabled".to_string(),
            AttributeValue::Bool(account.payouts_enabled),
        ),
        (
            "transfersActive".to_string(),
            AttributeValue::Bool(account.transfers_active),
        ),
        ("updatedAt".to_string(), signed(account.updated_at)),
    ])
}

fn account_from_item(item: &Item) -> Result<PayoutAccount, StorageError> {
    Ok(PayoutAccount {
        seller_id: text(item, "sellerId").map_err(StorageError)?,
        account_id: text(item, "accountId").map_err(StorageError)?,
        details_submitted: flag(item, "detailsSubmitted"),
        payouts_enabled: flag(item, "payoutsEnabled"),
        transfers_active: flag(item, "transfersActive"),
        updated_at: item
            .get("updatedAt")
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
    })
}

/// A listing as stored (also what the invariant checker reads).
pub fn listing_to_item(listing: &Listing) -> Item {
    let mut item = Item::from([
        ("pk".to_string(), s(&seller_key(&listing.seller_id))),
        (
            "sk".to_string(),
            s(&format!("{LISTING_PREFIX}{}", listing.ticket_id)),
        ),
        ("sellerId".to_string(), s(&listing.seller_id)),
        ("ticketId".to_string(), s(&listing.ticket_id)),
        ("title".to_string(), s(&listing.title)),
        ("price".to_string(), n(listing.price.0)),
        ("listedAt".to_string(), s(&listing.listed_at)),
        ("ticketVersion".to_string(), n(listing.ticket_version)),
        ("state".to_string(), s(state_name(listing.state))),
        ("reservation".to_string(), n(listing.applied.0)),
        ("orderVersion".to_string(), n(listing.applied.1)),
    ]);
    if let Some(until) = &listing.reserved_until {
        item.insert("reservedUntil".to_string(), s(until));
    }
    item
}

/// A listing from its item.
pub fn listing_from_item(item: &Item) -> Result<Listing, StorageError> {
    let state_text = text(item, "state").map_err(StorageError)?;
    let sale = match optional_text(item, "orderId") {
        Some(order_id) => Some(Sale {
            order_id,
            price: Cents(count(item, "salePrice").map_err(StorageError)?),
            fee: Cents(count(item, "fee").map_err(StorageError)?),
            amount: Cents(count(item, "amount").map_err(StorageError)?),
            payout: optional_text(item, "payout")
                .as_deref()
                .and_then(PayoutState::parse)
                .ok_or_else(|| StorageError("sale without a payout state".into()))?,
            transfer_id: optional_text(item, "transferId"),
        }),
        None => None,
    };
    Ok(Listing {
        seller_id: text(item, "sellerId").map_err(StorageError)?,
        ticket_id: text(item, "ticketId").map_err(StorageError)?,
        title: text(item, "title").map_err(StorageError)?,
        price: Cents(count(item, "price").map_err(StorageError)?),
        listed_at: text(item, "listedAt").map_err(StorageError)?,
        ticket_version: count(item, "ticketVersion").unwrap_or(0),
        state: parse_state(&state_text)
            .ok_or_else(|| StorageError(format!("unknown listing state {state_text}")))?,
        reserved_until: optional_text(item, "reservedUntil"),
        sale,
        applied: (
            count(item, "reservation").unwrap_or(0),
            count(item, "orderVersion").unwrap_or(0),
        ),
    })
}
