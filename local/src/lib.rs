//! The local gateway: runs the real functions the way AWS would, against DynamoDB Local and moto.
//!
//! It reads template.yaml ([`template`], [`resolver`]), creates tables, queues, event buses and
//! rules ([`provision`]), runs each function's binary as Lambda does ([`invoker`], over a local
//! Runtime API), routes HTTP like API Gateway's HTTP API ([`routes`], [`http_api`], [`gateway`]),
//! delivers SQS messages and table stream records to functions as event source mappings do, fires
//! one-shot EventBridge Scheduler schedules that fall due ([`event_sources`]) and serves the web
//! app ([`static_site`]) behind CloudFront's headers ([`edge`]). [`emulators`] and [`testing`] serve
//! integration tests of every crate; [`openapi`] reads the API contract.

#![warn(missing_docs)]

pub mod aws;
mod batch_response;
pub mod config;
pub mod edge;
pub mod emulators;
pub mod event_sources;
pub mod faults;
mod function_pool;
pub mod gateway;
pub mod http_api;
mod instance;
pub mod invariants;
pub mod invoker;
pub mod openapi;
pub mod process;
pub mod provision;
pub mod resolver;
pub mod routes;
mod runtime_api;
mod schedule_firer;
mod sqs_event;
mod sqs_poller;
pub mod startup;
pub mod static_site;
mod stream_event;
mod stream_poller;
mod stream_retry;
pub mod template;
pub mod testing;

pub use invoker::{FunctionConfig, InvokeError, Invoker, InvokerOptions};
pub use template::Template;
