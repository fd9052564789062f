//! The Users table: one item per user, keyed by the normalised email.

use crate::credentials::Email;
use crate::signin_attempts::{SigninAttempts, SigninPolicy};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;
use ticketing::auth::{CookieSettings, SessionKeys, Sessions};
use ticketing::dynamo::condition_failed;
use ticketing::error::chain as error_chain;

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub created_at_ms: u64,
}

/// The table could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("users table: {0}")]
pub struct StorageError(String);

/// Why a new user was not stored.
#[derive(Debug, thiserror::Error)]
pub enum InsertUserError {
    #[error("email already in use")]
    EmailTaken,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Access to the Users table.
#[derive(Clone)]
pub struct Users {
    client: Client,
    table: String,
}

impl Users {
    /// The table named `table`, through `client`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// The sign-in attempt counts kept in the same table, under `policy`.
    pub fn signin_attempts(&self, policy: SigninPolicy) -> SigninAttempts {
        SigninAttempts::new(self.client.clone(), &self.table, policy)
    }

    /// The sessions kept in the same table.
    pub fn sessions(&self, keys: SessionKeys, cookies: CookieSettings) -> Sessions {
        Sessions::new(self.client.clone(), &self.table, keys, cookies)
    }

    /// Replaces the password hash of the user `user_id` at `email`; false if no such user is stored.
    pub async fn set_password_hash(
        &self,
        email: &str,
        user_id: &str,
        password_hash: &str,
    ) -> Result<bool, StorageError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(email.to_string()))
            .update_expression("SET passwordHash = :hash")
            .condition_expression("id = :id")
            .expression_attribute_values(":hash", AttributeValue::S(password_hash.to_string()))
            .expression_attribute_values(":id", AttributeValue::S(user_id.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) if condition_failed(&error) => Ok(false),
            Err(error) => Err(StorageError(error_chain(&error.into_service_error()))),
        }
    }

    /// Stores a new user; a taken email is refused by the write's condition, never by a read first.
    pub async fn insert(&self, user: &User) -> Result<(), InsertUserError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(user)))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) if condition_failed(&error) => Err(InsertUserError::EmailTaken),
            Err(error) => Err(StorageError(error_chain(&error.into_service_error())).into()),
        }
    }

    /// The user with this email, if any.
    pub async fn find(&self, email: &Email) -> Result<Option<User>, StorageError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(email.as_str().to_string()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StorageError(error_chain(&e.into_service_error())))?;
        output.item.map(|item| from_item(&item)).transpose()
    }
}

fn to_item(user: &User) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("pk".to_string(), AttributeValue::S(user.email.clone())),
        ("id".to_string(), AttributeValue::S(user.id.clone())),
        ("email".to_string(), AttributeValue::S(user.email.clone())),
        (
            "passwordHash".to_string(),
            AttributeValue::S(user.password_hash.clone()),
        ),
        (
            "createdAt".to_string(),
            AttributeValue::N(user.created_at_ms.to_string()),
        ),
    ])
}

fn from_item(item: &HashMap<String, AttributeValue>) -> Result<User, StorageError> {
    let text = |name: &str| {
        item.get(name)
            .and_then(|v| v.as_s().ok())
            .cloned()
            .ok_or_else(|| StorageError(format!("user item without {name}")))
    };
    let created_at_ms = item
        .get("createdAt")
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .unwrap_or_default();
    Ok(User {
        id: text("id")?,
        email: text("email")?,
        password_hash: text("passwordHash")?,
        created_at_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_round_trips() {
        let user = User {
            id: "u-1".into(),
            email: "alice@example.com".into(),
            password_hash: "$argon2id$...".into(),
            created_at_ms: 1_700_000_000_000,
        };
        let item = to_item(&user);
        assert_eq!(item["pk"].as_s().unwrap(), "alice@example.com");
        assert_eq!(from_item(&item).unwrap(), user);
    }

    #[test]
    fn an_item_missing_a_field_is_an_error() {
        let mut item = to_item(&User {
            id: "u".into(),
            email: "e@x.io".into(),
            password_hash: "h".into(),
            created_at_ms: 0,
        });
        item.remove("passwordHash");
        assert!(from_item(&item).is_err());
    }
}
