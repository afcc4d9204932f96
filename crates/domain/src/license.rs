//! Device activation and signed licenses: requests, answers and the token's claims.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::code::ActivationCode;
use crate::device::DeviceView;
use crate::problem::FieldError;
use crate::validation::{self, Errors};

/// The JWS `alg` of license tokens.
pub const LICENSE_ALG: &str = "EdDSA";
/// The `iss` claim of license tokens.
pub const LICENSE_ISSUER: &str = "tessera";

/// Activate a device with a code (public).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivateRequest {
    /// The activation code; case, spaces and dashes do not matter.
    pub code: String,
    /// A stable identifier of the machine (1 to 256 characters). Activating the same
    /// fingerprint with the same code again returns the same device and a fresh license.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 256))]
    pub fingerprint: String,
    /// A name people recognise the device by (1 to 120 characters).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub name: String,
    /// The device's platform, e.g. `windows-x86_64` (1 to 40 characters).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 40))]
    pub platform: String,
}

impl ActivateRequest {
    /// Applies the shared input rules.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        e.check("code", ActivationCode::parse(&self.code).map(|_| ()));
        e.check("fingerprint", validation::fingerprint(&self.fingerprint));
        e.check("name", validation::name(&self.name, 120));
        e.check("platform", validation::name(&self.platform, 40));
        e.finish()
    }
}

/// What a device gets when it activates.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivateResponse {
    /// The device record.
    pub device: DeviceView,
    /// A compact JWS (`alg` EdDSA) carrying [`LicenseClaims`]; verify it offline with the key
    /// from `GET /api/license/public-key`.
    pub license: String,
    /// When the license expires; activate again (same code and fingerprint) to renew it.
    pub expires_at: DateTime<Utc>,
}

/// What a license entitles its device to, copied from the tenant's plan at issue time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entitlements {
    /// The plan's code.
    pub plan: String,
    /// Projects the tenant may have.
    pub project_quota: i32,
    /// Devices the tenant may activate.
    pub device_quota: i32,
}

/// The payload of a license token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicenseClaims {
    /// Always `tessera`.
    pub iss: String,
    /// The tenant's id.
    pub tenant_id: Uuid,
    /// The tenant's slug.
    pub tenant_slug: String,
    /// The device's id.
    pub device_id: Uuid,
    /// The fingerprint the device activated with.
    pub fingerprint: String,
    /// The tenant's plan code.
    pub plan: String,
    /// What the plan grants.
    pub entitlements: Entitlements,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
}

/// Check a license (public).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ValidateLicenseRequest {
    /// The license token from activation.
    pub license: String,
}

/// The verdict on a license.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LicenseStatus {
    /// Signed by this server, unexpired, for an active device of an active tenant.
    Valid,
    /// Past its `exp`; activate again to renew.
    Expired,
    /// Not signed by this server's license key (forged, tampered or from another server).
    InvalidSignature,
    /// The device no longer exists (e.g. its tenant was deleted).
    DeviceNotFound,
    /// The device was revoked.
    DeviceRevoked,
    /// The device's tenant is suspended.
    TenantSuspended,
}

/// The answer to a validation: 200 for every well-formed token, valid or not.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidateLicenseResponse {
    /// True only for `VALID`.
    pub valid: bool,
    /// Why the license is or is not valid.
    pub code: LicenseStatus,
    /// The device, when the signature verified and the device exists.
    pub device: Option<DeviceView>,
    /// The license's expiry, when the signature verified.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The license verification key as a JWK (RFC 8037).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicJwk {
    /// Always `OKP`.
    pub kty: String,
    /// Always `Ed25519`.
    pub crv: String,
    /// The 32-byte public key, base64url without padding.
    pub x: String,
    /// The key's id; license headers carry the same `kid`.
    pub kid: String,
    /// Always `EdDSA`.
    pub alg: String,
    /// Always `sig`.
    #[serde(rename = "use")]
    pub use_: String,
}

/// The key devices verify licenses with, offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicKeyResponse {
    /// Always `EdDSA` (Ed25519 signatures over `header.payload`).
    pub algorithm: String,
    /// The key's id.
    pub kid: String,
    /// The 32-byte raw public key, base64url without padding.
    pub public_key: String,
    /// The same key as a JWK.
    pub jwk: PublicJwk,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_requests_name_every_bad_field() {
        let bad = ActivateRequest {
            code: "nope".into(),
            fingerprint: " ".into(),
            name: String::new(),
            platform: "p".repeat(41),
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["code", "fingerprint", "name", "platform"]);
    }

    #[test]
    fn license_statuses_are_upper_snake() {
        let s = serde_json::to_string(&LicenseStatus::InvalidSignature).unwrap();
        assert_eq!(s, "\"INVALID_SIGNATURE\"");
    }
}
