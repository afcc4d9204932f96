//! High-entropy tokens and their keyed hashes (HMAC-SHA256 with the server key).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::secrets::random_bytes;

/// Hashes secrets for storage so a database leak alone reveals nothing usable.
pub struct TokenHasher {
    key: Vec<u8>,
}

impl TokenHasher {
    /// Builds a hasher with the server's HMAC key.
    pub fn new(key: Vec<u8>) -> Self {
        Self { key }
    }

    /// The hex HMAC-SHA256 of `value`, with a purpose label so one secret's hash never
    /// matches another kind's.
    pub fn hash(&self, purpose: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .expect("HMAC takes keys of any length");
        mac.update(purpose.as_bytes());
        mac.update(b":");
        mac.update(value.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// A new random token of 32 bytes, base64url without padding.
pub fn random_token() -> String {
    B64.encode(random_bytes(32))
}

/// A uniformly random six-digit code.
pub fn random_otp() -> String {
    loop {
        let b = random_bytes(4);
        let n = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        // Reject the top sliver so every code is equally likely.
        if n < 4_294_000_000 {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_depend_on_key_purpose_and_value() {
        let a = TokenHasher::new(b"key-a".to_vec());
        let b = TokenHasher::new(b"key-b".to_vec());
        assert_eq!(a.hash("refresh", "t"), a.hash("refresh", "t"));
        assert_ne!(a.hash("refresh", "t"), b.hash("refresh", "t"));
        assert_ne!(a.hash("refresh", "t"), a.hash("otp", "t"));
        assert_eq!(a.hash("refresh", "t").len(), 64);
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let t = random_token();
        assert_eq!(t.len(), 43);
        assert_ne!(t, random_token());
    }

    #[test]
    fn otps_are_six_digits() {
        for _ in 0..100 {
            let c = random_otp();
            assert_eq!(c.len(), 6);
            assert!(c.chars().all(|ch| ch.is_ascii_digit()));
        }
    }
}
