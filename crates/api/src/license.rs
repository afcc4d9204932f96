//! Device licenses: Ed25519-signed compact JWS tokens (`alg` EdDSA) that devices verify
//! offline with the key from `GET /api/license/public-key`.
//!
//! The JWS is built by hand rather than through jsonwebtoken: it is three base64url parts
//! and one signature, and owning it keeps the published format (header with `kid`, claims
//! from `tessera_domain::license`) exactly what the contract says.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::Duration;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tessera_domain::license::{LICENSE_ALG, LicenseClaims, PublicJwk, PublicKeyResponse};

use crate::config::Settings;
use crate::secrets::{self, SecretError};

const ENV_VAR: &str = "TESSERA_LICENSE_SIGNING_KEY";
/// The name of the generated seed in `server_secrets`.
const SECRET_NAME: &str = "license-ed25519";

/// The JWS protected header.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    kid: Option<String>,
}

/// Why a token could not be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// Not a compact JWS carrying license claims at all (answered with 422).
    Malformed(&'static str),
    /// Well-formed, but not signed by this server's key.
    BadSignature,
}

/// The signing key, its public half and the license lifetime; built once at start.
pub struct LicenseKeys {
    signing: SigningKey,
    verifying: VerifyingKey,
    kid: String,
    ttl: Duration,
}

impl LicenseKeys {
    /// Builds the keys from a 32-byte Ed25519 seed.
    ///
    /// # Errors
    /// The seed is not 32 bytes.
    pub fn from_seed(seed: &[u8], ttl_days: i64) -> Result<Self, SecretError> {
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| SecretError::Invalid(ENV_VAR, "expected 32 bytes".into()))?;
        let signing = SigningKey::from_bytes(&seed);
        let verifying = signing.verifying_key();
        // A short, stable id derived from the public key: rotating the key changes it.
        let kid = B64.encode(Sha256::digest(verifying.as_bytes()))[..16].to_owned();
        Ok(Self {
            signing,
            verifying,
            kid,
            ttl: Duration::days(ttl_days),
        })
    }

    /// How long a license lives.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The key's id, as license headers carry it.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key in the shapes `GET /api/license/public-key` publishes.
    pub fn public_key(&self) -> PublicKeyResponse {
        let x = B64.encode(self.verifying.as_bytes());
        PublicKeyResponse {
            algorithm: LICENSE_ALG.into(),
            kid: self.kid.clone(),
            public_key: x.clone(),
            jwk: PublicJwk {
                kty: "OKP".into(),
                crv: "Ed25519".into(),
                x,
                kid: self.kid.clone(),
                alg: LICENSE_ALG.into(),
                use_: "sig".into(),
            },
        }
    }

    /// Signs the claims as a compact JWS.
    ///
    /// # Errors
    /// The claims could not be serialised (never for [`LicenseClaims`]).
    pub fn issue(&self, claims: &LicenseClaims) -> Result<String, serde_json::Error> {
        let header = Header {
            alg: LICENSE_ALG.into(),
            typ: Some("JWT".into()),
            kid: Some(self.kid.clone()),
        };
        let input = format!(
            "{}.{}",
            B64.encode(serde_json::to_vec(&header)?),
            B64.encode(serde_json::to_vec(claims)?)
        );
        let signature = self.signing.sign(input.as_bytes());
        Ok(format!("{input}.{}", B64.encode(signature.to_bytes())))
    }

    /// Parses a token and checks its signature (not its expiry: the caller reports that
    /// separately so devices learn why).
    ///
    /// # Errors
    /// [`VerifyError::Malformed`] for anything that is not a license token,
    /// [`VerifyError::BadSignature`] for one this server did not sign.
    pub fn verify(&self, token: &str) -> Result<LicenseClaims, VerifyError> {
        let (claims, header, input, signature) = parse(token.trim())?;
        if header.alg != LICENSE_ALG || header.kid.as_deref().is_some_and(|k| k != self.kid) {
            return Err(VerifyError::BadSignature);
        }
        self.verifying
            .verify_strict(input.as_bytes(), &signature)
            .map_err(|_| VerifyError::BadSignature)?;
        Ok(claims)
    }
}

/// Splits and decodes a compact JWS: claims, header, signing input and signature.
fn parse(token: &str) -> Result<(LicenseClaims, Header, &str, Signature), VerifyError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(VerifyError::Malformed(
            "must be a compact JWS: three base64url parts separated by dots",
        ));
    };
    let header: Header = B64
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(VerifyError::Malformed("has an unreadable header"))?;
    let claims: LicenseClaims = B64
        .decode(p)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(VerifyError::Malformed("does not carry license claims"))?;
    let signature = B64
        .decode(s)
        .ok()
        .and_then(|b| Signature::from_slice(&b).ok())
        .ok_or(VerifyError::Malformed("has an unreadable signature"))?;
    Ok((claims, header, &token[..h.len() + 1 + p.len()], signature))
}

/// The license keys: from `TESSERA_LICENSE_SIGNING_KEY`, or (outside production) a seed
/// generated once and stored in the database so every replica signs with the same key.
///
/// # Errors
/// The configured key is not base64url of 32 bytes, it is missing in production, or the
/// database failed.
pub async fn load(
    db: &DatabaseConnection,
    settings: &Settings,
) -> Result<LicenseKeys, SecretError> {
    let seed = match settings.license_signing_key.as_deref() {
        Some(configured) => B64
            .decode(configured.trim().trim_end_matches('='))
            .map_err(|_| SecretError::Invalid(ENV_VAR, "expected base64url".into()))?,
        None => {
            secrets::load_or_create(db, SECRET_NAME, ENV_VAR, None, settings.is_production())
                .await?
        }
    };
    LicenseKeys::from_seed(&seed, settings.license_ttl_days)
}

#[cfg(test)]
mod tests {
    use tessera_domain::license::Entitlements;
    use uuid::Uuid;

    use super::*;

    fn claims() -> LicenseClaims {
        LicenseClaims {
            iss: "tessera".into(),
            tenant_id: Uuid::new_v4(),
            tenant_slug: "acme".into(),
            device_id: Uuid::new_v4(),
            fingerprint: "fp-1".into(),
            plan: "pro".into(),
            entitlements: Entitlements {
                plan: "pro".into(),
                project_quota: 25,
                device_quota: 100,
            },
            iat: 1,
            exp: 2,
        }
    }

    #[test]
    fn issued_licenses_verify_and_carry_the_claims() {
        let keys = LicenseKeys::from_seed(&[7; 32], 30).unwrap();
        let c = claims();
        let token = keys.issue(&c).unwrap();
        assert_eq!(keys.verify(&token).unwrap(), c);
        let header: serde_json::Value =
            serde_json::from_slice(&B64.decode(token.split('.').next().unwrap()).unwrap()).unwrap();
        assert_eq!(header["alg"], "EdDSA");
        assert_eq!(header["typ"], "JWT");
        assert_eq!(header["kid"], keys.kid());
    }

    #[test]
    fn another_key_or_a_changed_payload_is_a_bad_signature() {
        let a = LicenseKeys::from_seed(&[7; 32], 30).unwrap();
        let b = LicenseKeys::from_seed(&[8; 32], 30).unwrap();
        let token = a.issue(&claims()).unwrap();
        assert_eq!(b.verify(&token), Err(VerifyError::BadSignature));
        let mut forged = claims();
        forged.plan = "enterprise".into();
        let parts: Vec<&str> = token.split('.').collect();
        let tampered = format!(
            "{}.{}.{}",
            parts[0],
            B64.encode(serde_json::to_vec(&forged).unwrap()),
            parts[2]
        );
        assert_eq!(a.verify(&tampered), Err(VerifyError::BadSignature));
    }

    #[test]
    fn garbage_is_malformed() {
        let keys = LicenseKeys::from_seed(&[7; 32], 30).unwrap();
        for t in [
            "",
            "a.b",
            "a.b.c",
            "x.y.z.w",
            "eyJhbGciOiJFZERTQSJ9.e30.AAAA",
        ] {
            assert!(
                matches!(keys.verify(t), Err(VerifyError::Malformed(_))),
                "{t}"
            );
        }
    }

    #[test]
    fn seeds_must_be_32_bytes() {
        assert!(LicenseKeys::from_seed(&[1; 31], 30).is_err());
    }

    #[test]
    fn the_public_key_is_published_as_raw_and_jwk() {
        let keys = LicenseKeys::from_seed(&[7; 32], 30).unwrap();
        let pk = keys.public_key();
        assert_eq!(pk.algorithm, "EdDSA");
        assert_eq!(pk.jwk.x, pk.public_key);
        assert_eq!(B64.decode(&pk.public_key).unwrap().len(), 32);
        assert_eq!(pk.jwk.kid, keys.kid());
    }
}
