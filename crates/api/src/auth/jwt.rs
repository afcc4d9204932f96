//! HS256 access tokens with the claims `sub, tid, role, exp, iat, jti`.

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use tessera_domain::Role;
use uuid::Uuid;

const ISSUER: &str = "tessera";
const AUDIENCE: &str = "tessera-api";

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: Uuid,
    /// The user's tenant; absent for staff.
    pub tid: Option<Uuid>,
    /// The user's role when the token was issued.
    pub role: Role,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Unique token id.
    pub jti: Uuid,
    /// Always `tessera`.
    pub iss: String,
    /// Always `tessera-api`.
    pub aud: String,
}

/// Keys and validation rules, built once at start.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: i64,
}

impl JwtKeys {
    /// Builds the keys from a secret.
    pub fn new(secret: &[u8], ttl_secs: i64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs,
        }
    }

    /// Seconds an access token lives.
    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// Signs an access token for a user.
    ///
    /// # Errors
    /// Signing failed (never with a valid HMAC key).
    pub fn issue(
        &self,
        user: Uuid,
        tenant: Option<Uuid>,
        role: Role,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user,
            tid: tenant,
            role,
            exp: now + self.ttl_secs,
            iat: now,
            jti: Uuid::new_v4(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Verifies signature, algorithm, expiry, issuer and audience.
    ///
    /// # Errors
    /// The token is malformed, forged, expired or meant for someone else.
    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        decode::<Claims>(token, &self.decoding, &self.validation).map(|d| d.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_and_carry_the_claims() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 900);
        let user = Uuid::new_v4();
        let tid = Some(Uuid::new_v4());
        let token = keys.issue(user, tid, Role::OrgAdmin).unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!(claims.sub, user);
        assert_eq!(claims.tid, tid);
        assert_eq!(claims.role, Role::OrgAdmin);
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn tokens_signed_with_another_key_are_refused() {
        let a = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 900);
        let b = JwtKeys::new(b"fedcba9876543210fedcba9876543210", 900);
        let token = a.issue(Uuid::new_v4(), None, Role::Admin).unwrap();
        assert!(b.verify(&token).is_err());
    }

    #[test]
    fn expired_tokens_are_refused() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", -60);
        let token = keys.issue(Uuid::new_v4(), None, Role::Admin).unwrap();
        assert!(keys.verify(&token).is_err());
    }

    #[test]
    fn unsigned_tokens_are_refused() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 900);
        let token = keys.issue(Uuid::new_v4(), None, Role::SuperAdmin).unwrap();
        let mut parts = token.split('.');
        let (_, payload) = (parts.next(), parts.next().unwrap());
        // {"alg":"none","typ":"JWT"}
        let forged = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert!(keys.verify(&forged).is_err());
    }
}
