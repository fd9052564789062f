//! Stripe's request parameters: `application/x-www-form-urlencoded` bodies (and query strings)
//! with bracket notation: `metadata[orderId]=42`, `card[number]=4242...`,
//! `payment_method_types[]=card` or `payment_method_types[0]=card` (async-stripe numbers them).

use std::collections::HashMap;

use crate::errors::ApiError;

/// The decoded parameters of one request, in the order they were sent.
#[derive(Clone, Debug, Default)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    /// Decodes a form body or query string. Array indices are normalized: `a[0]` becomes `a[]`.
    pub fn parse(raw: &[u8]) -> Form {
        let pairs = form_urlencoded::parse(raw)
            .map(|(key, value)| (normalize_key(&key), value.into_owned()))
            .collect();
        Form { pairs }
    }

    /// Takes a plain parameter out (Stripe.js sends its publishable key as `key=pk_...`).
    pub fn remove(&mut self, name: &str) -> Option<String> {
        let value = self.get(name).map(str::to_string);
        self.pairs.retain(|(key, _)| key != name);
        value
    }

    /// Every parameter in a canonical order, to compare two requests' parameters.
    pub fn canonical(&self) -> Vec<(String, String)> {
        let mut pairs = self.pairs.clone();
        // Stable: the values of one array keep their order.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs
    }

    /// A plain parameter `name=value`. An empty value counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(key, value)| key == name && !value.is_empty())
            .map(|(_, value)| value.as_str())
    }

    /// A required plain parameter.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name).ok_or_else(|| ApiError::missing_param(name))
    }

    /// An integer parameter.
    pub fn integer(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(raw) => raw.parse().map(Some).map_err(|_| {
                ApiError::invalid_param(
                    Some("parameter_invalid_integer"),
                    name,
                    format!("Invalid integer: {raw}"),
                )
            }),
        }
    }

    /// A boolean parameter (`true` / `false`).
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(raw) => Err(ApiError::invalid_param(
                None,
                name,
                format!("Invalid boolean: {raw}"),
            )),
        }
    }

    /// A hash parameter such as `metadata[key]=value`, one level deep. Empty values are dropped
    /// (for Stripe, `metadata[key]=` unsets a key).
    pub fn hash(&self, name: &str) -> HashMap<String, String> {
        let prefix = format!("{name}[");
        self.pairs
            .iter()
            .filter_map(|(key, value)| {
                let inner = key.strip_prefix(&prefix)?.strip_suffix(']')?;
                (!inner.is_empty() && !inner.contains('[') && !value.is_empty())
                    .then(|| (inner.to_string(), value.clone()))
            })
            .collect()
    }

    /// An array parameter: `name[]=a&name[]=b` (or numbered).
    pub fn array(&self, name: &str) -> Vec<String> {
        let key_wanted = format!("{name}[]");
        self.pairs
            .iter()
            .filter(|(key, value)| *key == key_wanted && !value.is_empty())
            .map(|(_, value)| value.clone())
            .collect()
    }

    /// Fails with Stripe's `parameter_unknown` on the first parameter not in `allowed`.
    /// `allowed` names top-level parameters (`amount`, `metadata`) or exact nested ones
    /// (`card[number]`); a top-level name allows everything under it.
    pub fn only(&self, allowed: &[&str]) -> Result<(), ApiError> {
        for (key, _) in &self.pairs {
            let root = key.split('[').next().unwrap_or(key);
            let known = allowed.iter().any(|name| name == &root || name == key);
            if !known {
                return Err(ApiError::invalid_param(
                    Some("parameter_unknown"),
                    key,
                    format!(
                        "Received unknown parameter: {key}. The stripe-standin supports: {}.",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// `a[0][b]` -> `a[][b]`: numbered and unnumbered array items are the same thing.
fn normalize_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut rest = key;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        let Some(close) = rest.find(']') else { break };
        let segment = &rest[..close];
        if !segment.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(segment);
        }
        out.push(']');
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_plain_hash_and_array_parameters() {
        let form = Form::parse(
            b"amount=1500&currency=eur&metadata%5BorderId%5D=o-1&metadata[empty]=\
              &payment_method_types[0]=card&payment_method_types[]=link\
              &automatic_payment_methods[enabled]=true",
        );
        assert_eq!(form.get("amount"), Some("1500"));
        assert_eq!(form.integer("amount").unwrap(), Some(1500));
        assert_eq!(
            form.hash("metadata"),
            HashMap::from([("orderId".to_string(), "o-1".to_string())])
        );
        assert_eq!(form.array("payment_method_types"), vec!["card", "link"]);
        assert_eq!(
            form.boolean("automatic_payment_methods[enabled]").unwrap(),
            Some(true)
        );
        assert!(form.get("description").is_none());
    }

    #[test]
    fn bad_integers_and_unknown_parameters_are_stripe_errors() {
        let form = Form::parse(b"amount=12x&colour=red");
        let err = form.integer("amount").unwrap_err();
        assert_eq!(err.body()["error"]["code"], "parameter_invalid_integer");
        let err = form.only(&["amount"]).unwrap_err();
        assert_eq!(err.body()["error"]["param"], "colour");
        assert!(Form::parse(b"card[number]=4242").only(&["card"]).is_ok());
    }

    #[test]
    fn numbered_and_unnumbered_arrays_compare_equal() {
        let a = Form::parse(b"expand[0]=latest_charge&amount=1");
        let b = Form::parse(b"amount=1&expand[]=latest_charge");
        assert_eq!(a.canonical(), b.canonical());
    }
}
