//! `ticketing`: the library every ticketing Lambda links.
//!
//! It holds what would otherwise be repeated in each function: configuration from the
//! environment, the one error type and its HTTP mapping, JSON request/response helpers,
//! authentication (argon2id passwords, EdDSA session tokens, the session cookie), secrets
//! from Secrets Manager,
//! construction of AWS clients once per cold start, domain events, the SQS consumer driver
//! and the table-stream event publisher.

pub mod auth;
pub mod aws;
pub mod body;
pub mod config;
pub mod consumer;
pub mod dynamo;
pub mod dynamo_json;
pub mod edge_cache;
pub mod error;
pub mod events;
pub mod http;
pub mod id;
pub mod metrics;
pub mod money;
pub mod origin_verify;
pub mod same_origin;
pub mod secrets;
pub mod stream;
pub mod telemetry;
pub mod time;
pub mod unwind;

pub use error::{ApiError, FieldError};
