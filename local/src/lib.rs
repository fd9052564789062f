//! The local gateway: runs the real functions the way AWS would, against moto.
//!
//! It reads template.yaml ([`template`], [`resolver`]), creates the tables ([`provision`]), runs
//! each function's binary as Lambda does ([`invoker`], over a local Runtime API), routes HTTP
//! like API Gateway's HTTP API ([`routes`], [`http_api`], [`gateway`]) and serves the web app
//! ([`static_site`]). [`moto`] and [`testing`] serve integration tests of every crate.

#![warn(missing_docs)]

pub mod aws;
pub mod config;
mod function_pool;
pub mod gateway;
pub mod http_api;
mod instance;
pub mod invoker;
pub mod moto;
mod process;
pub mod provision;
pub mod resolver;
pub mod routes;
mod runtime_api;
pub mod startup;
pub mod static_site;
pub mod template;
pub mod testing;

pub use invoker::{FunctionConfig, InvokeError, Invoker, InvokerOptions};
pub use template::Template;
