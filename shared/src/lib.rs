//! `ticketing`: the library every ticketing Lambda links.
//!
//! It holds what would otherwise be repeated in each function: configuration from the
//! environment, the one error type and its HTTP mapping, JSON request/response helpers,
//! authentication (argon2id passwords, HS256 session tokens, the session cookie) and
//! construction of AWS clients once per cold start.

pub mod auth;
pub mod aws;
pub mod config;
pub mod error;
pub mod http;
pub mod telemetry;

pub use error::{ApiError, FieldError};
