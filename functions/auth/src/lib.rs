//! The auth domain: sign up, sign in, sign out, current user, change password.
//!
//! Each `src/bin/*.rs` is one Lambda and only wires things together; the logic is here,
//! where the tests call it directly.

pub mod context;
pub mod credentials;
pub mod handlers;
pub mod signin_attempts;
pub mod trusted_devices;
pub mod users;

pub use context::AuthContext;
