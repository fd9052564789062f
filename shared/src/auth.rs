//! Authentication shared by every function: passwords, session tokens, the auth cookies and
//! the sessions the server can end.

pub mod cookie;
pub mod password;
pub mod sessions;
pub mod token;

pub use cookie::CookieSettings;
pub use sessions::{require_session, require_user, Sessions};
pub use token::{SessionKeys, SessionToken, SessionUser};
