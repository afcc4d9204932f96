//! Authentication: access tokens, password and token hashing, and the request extractors.

pub mod extractor;
pub mod jwt;
pub mod password;
pub mod session;
pub mod tokens;

pub use extractor::{AuthUser, ClientIp};
