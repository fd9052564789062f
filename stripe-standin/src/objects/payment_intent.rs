//! A PaymentIntent (`pi_...`), as async-stripe's `PaymentIntent`.

use std::collections::HashMap;

use stripe_shared::{
    PaymentFlowsAutomaticPaymentMethodsPaymentIntent, PaymentIntent, PaymentIntentCaptureMethod,
    PaymentIntentConfirmationMethod, PaymentIntentStatus,
};
use stripe_types::Currency;

/// What `POST /v1/payment_intents` asked for.
pub struct NewPaymentIntent {
    pub id: String,
    pub client_secret: String,
    pub amount: i64,
    pub currency: Currency,
    pub metadata: HashMap<String, String>,
    pub description: Option<String>,
    pub receipt_email: Option<String>,
    pub statement_descriptor: Option<String>,
    pub statement_descriptor_suffix: Option<String>,
    pub automatic_payment_methods: Option<bool>,
    pub payment_method_types: Vec<String>,
    pub created: i64,
}

/// A new PaymentIntent, waiting for a payment method.
pub fn new(request: NewPaymentIntent) -> PaymentIntent {
    PaymentIntent {
        allowed_payment_method_types: None,
        amount: request.amount,
        amount_capturable: 0,
        amount_details: None,
        amount_received: 0,
        application: None,
        application_fee_amount: None,
        automatic_payment_methods: request.automatic_payment_methods.map(|enabled| {
            PaymentFlowsAutomaticPaymentMethodsPaymentIntent {
                allow_redirects: None,
                enabled,
            }
        }),
        canceled_at: None,
        cancellation_reason: None,
        capture_method: PaymentIntentCaptureMethod::Automatic,
        client_secret: Some(request.client_secret),
        confirmation_method: PaymentIntentConfirmationMethod::Automatic,
        created: request.created,
        currency: request.currency,
        customer: None,
        customer_account: None,
        description: request.description,
        excluded_payment_method_types: None,
        hooks: None,
        id: request.id.into(),
        last_payment_error: None,
        latest_charge: None,
        livemode: false,
        managed_payments: None,
        metadata: request.metadata,
        next_action: None,
        on_behalf_of: None,
        payment_details: None,
        payment_method: None,
        payment_method_configuration_details: None,
        payment_method_options: None,
        payment_method_types: request.payment_method_types,
        payment_record: None,
        presentment_details: None,
        processing: None,
        receipt_email: request.receipt_email,
        review: None,
        setup_future_usage: None,
        shipping: None,
        source: None,
        statement_descriptor: request.statement_descriptor,
        statement_descriptor_suffix: request.statement_descriptor_suffix,
        status: PaymentIntentStatus::RequiresPaymentMethod,
        transfer_data: None,
        transfer_group: None,
    }
}
