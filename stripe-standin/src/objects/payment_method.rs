//! A card PaymentMethod (`pm_...`), as async-stripe's `PaymentMethod`.

use std::collections::HashMap;

use stripe_shared::{
    Address, BillingDetails, Networks, PaymentMethod, PaymentMethodCard, PaymentMethodCardChecks,
    PaymentMethodType, ThreeDSecureUsage,
};

use crate::cards::Card;
use crate::form::Form;

/// `billing_details[name|email|phone|address][...]` from a request (`prefix` is
/// `billing_details`, or `payment_method_data[billing_details]`).
pub fn billing_details(form: &Form, prefix: &str) -> BillingDetails {
    let get = |field: &str| form.get(&format!("{prefix}[{field}]")).map(str::to_string);
    let address = form.hash(&format!("{prefix}[address]"));
    BillingDetails {
        address: (!address.is_empty()).then(|| Address {
            city: address.get("city").cloned(),
            country: address.get("country").cloned(),
            line1: address.get("line1").cloned(),
            line2: address.get("line2").cloned(),
            postal_code: address.get("postal_code").cloned(),
            state: address.get("state").cloned(),
        }),
        email: get("email"),
        name: get("name"),
        phone: get("phone"),
        tax_id: None,
    }
}

/// A new card PaymentMethod.
pub fn card(
    id: &str,
    card: &Card,
    billing_details: BillingDetails,
    metadata: HashMap<String, String>,
    created: i64,
) -> PaymentMethod {
    PaymentMethod {
        acss_debit: None,
        affirm: None,
        afterpay_clearpay: None,
        alipay: None,
        allow_redisplay: Some(stripe_shared::PaymentMethodAllowRedisplay::Unspecified),
        alma: None,
        amazon_pay: None,
        au_becs_debit: None,
        bacs_debit: None,
        bancontact: None,
        billie: None,
        billing_details,
        bizum: None,
        blik: None,
        boleto: None,
        card: Some(PaymentMethodCard {
            brand: card.brand().to_string(),
            checks: Some(PaymentMethodCardChecks {
                address_line1_check: None,
                address_postal_code_check: None,
                cvc_check: Some("unchecked".to_string()),
            }),
            country: Some("US".to_string()),
            description: None,
            display_brand: Some(card.brand().to_string()),
            exp_month: card.exp_month,
            exp_year: card.exp_year,
            fingerprint: Some(card.fingerprint()),
            funding: card.funding().to_string(),
            generated_from: None,
            iin: None,
            issuer: None,
            last4: card.last4(),
            networks: Some(Networks {
                available: vec![card.brand().to_string()],
                preferred: None,
            }),
            regulated_status: None,
            three_d_secure_usage: Some(ThreeDSecureUsage { supported: true }),
            wallet: None,
        }),
        card_present: None,
        cashapp: None,
        created,
        crypto: None,
        custom: None,
        customer: None,
        customer_account: None,
        customer_balance: None,
        eps: None,
        fpx: None,
        giropay: None,
        grabpay: None,
        id: id.into(),
        ideal: None,
        interac_present: None,
        kakao_pay: None,
        klarna: None,
        konbini: None,
        kr_card: None,
        link: None,
        livemode: false,
        mb_way: None,
        metadata: Some(metadata),
        mobilepay: None,
        multibanco: None,
        naver_pay: None,
        nz_bank_account: None,
        oxxo: None,
        p24: None,
        pay_by_bank: None,
        payco: None,
        paynow: None,
        paypal: None,
        paypay: None,
        payto: None,
        pix: None,
        promptpay: None,
        radar_options: None,
        revolut_pay: None,
        samsung_pay: None,
        satispay: None,
        scalapay: None,
        sepa_debit: None,
        sequra: None,
        sofort: None,
        sunbit: None,
        swish: None,
        twint: None,
        type_: PaymentMethodType::Card,
        upi: None,
        us_bank_account: None,
        wechat_pay: None,
        zip: None,
    }
}
