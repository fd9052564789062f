//! The tickets domain: list, sell, show and edit tickets, and lock/unlock them on order events.
//!
//! Each `src/bin/*.rs` is one Lambda and only wires things together; the logic is here.

pub mod consumers;
pub mod context;
pub mod cursor;
pub mod events;
pub mod handlers;
pub mod store;
pub mod ticket;

pub use context::WriteContext;
pub use store::Tickets;
