//! A Refund (`re_...`), as async-stripe's `Refund`.

use std::collections::HashMap;

use stripe_shared::{Charge, Refund, RefundReason};
use stripe_types::Expandable;

/// A refund of `amount` of `charge`, done at once as card refunds are in test mode.
pub fn succeeded(
    id: &str,
    charge: &Charge,
    amount: i64,
    reason: Option<RefundReason>,
    metadata: HashMap<String, String>,
    created: i64,
) -> Refund {
    Refund {
        amount,
        balance_transaction: None,
        charge: Some(Expandable::Id(charge.id.clone())),
        created,
        currency: charge.currency.clone(),
        customer: None,
        customer_account: None,
        description: None,
        destination_details: None,
        failure_balance_transaction: None,
        failure_reason: None,
        id: id.into(),
        instructions_email: None,
        metadata: Some(metadata),
        next_action: None,
        payment_intent: charge
            .payment_intent
            .as_ref()
            .map(|intent| Expandable::Id(intent.id().clone())),
        payment_method: charge
            .payment_method
            .as_ref()
            .map(|pm| Expandable::Id(pm.as_str().into())),
        pending_reason: None,
        presentment_details: None,
        reason,
        receipt_number: None,
        source_transfer_reversal: None,
        status: Some("succeeded".to_string()),
        transfer_reversal: None,
    }
}
