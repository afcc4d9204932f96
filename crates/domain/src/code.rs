//! Activation codes: their format, the status derived from their counters, and the
//! request/response types of the code endpoints.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::problem::FieldError;
use crate::validation::{self, Errors};

/// The 31 symbols codes are made of: digits and capitals without the ambiguous 0, O, 1, I, L.
pub const CODE_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Symbols in a code (four groups of four): 31^16, about 79 bits.
pub const CODE_LEN: usize = 16;
/// Symbols of a code shown in lists so people can tell codes apart without the secret.
pub const CODE_PREFIX_LEN: usize = 4;
/// Most codes one request may generate.
pub const MAX_CODES_PER_REQUEST: i64 = 1000;
/// Most uses one code may allow.
pub const MAX_USES: i64 = 1_000_000;
/// Longest lifetime a code may have, in days (ten years).
pub const MAX_TTL_DAYS: i64 = 3650;
/// Fields the code lists sort by.
pub const CODE_SORT_FIELDS: [&str; 5] =
    ["created_at", "expires_at", "use_count", "label", "prefix"];
/// The label of the codes a new tenant gets.
pub const AUTO_CODE_LABEL: &str = "Auto-generated on tenant creation";

/// A well-formed activation code, whatever case, spaces or dashes it was typed with.
#[derive(Clone, PartialEq, Eq)]
pub struct ActivationCode(String);

impl ActivationCode {
    /// Normalises and checks a code as people type it: case, spaces and dashes do not matter.
    ///
    /// # Errors
    /// A message for people when it is not 16 symbols of [`CODE_ALPHABET`].
    pub fn parse(input: &str) -> Result<Self, String> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let symbols_ok = compact.bytes().all(|b| CODE_ALPHABET.contains(&b));
        if compact.chars().count() != CODE_LEN || !symbols_ok {
            return Err(
                "must be a code like XXXX-XXXX-XXXX-XXXX (digits 2-9 and letters without I, L, O)"
                    .into(),
            );
        }
        Ok(Self(compact))
    }

    /// Builds a code from 16 indices into [`CODE_ALPHABET`] (the server draws them from a CSPRNG).
    ///
    /// # Errors
    /// `None` when an index is out of range.
    pub fn from_indices(indices: [u8; CODE_LEN]) -> Option<Self> {
        indices
            .iter()
            .map(|i| CODE_ALPHABET.get(usize::from(*i)).map(|b| char::from(*b)))
            .collect::<Option<String>>()
            .map(Self)
    }

    /// The 16 symbols without dashes: the form that is hashed for storage.
    pub fn compact(&self) -> &str {
        &self.0
    }

    /// The first four symbols, stored in clear so lists can show which code is which.
    pub fn prefix(&self) -> &str {
        &self.0[..CODE_PREFIX_LEN]
    }
}

impl fmt::Display for ActivationCode {
    /// `XXXX-XXXX-XXXX-XXXX`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let groups: Vec<&str> = (0..CODE_LEN)
            .step_by(4)
            .map(|i| &self.0[i..i + 4])
            .collect();
        f.write_str(&groups.join("-"))
    }
}

impl fmt::Debug for ActivationCode {
    /// Only the prefix: codes are secrets and must not end up in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActivationCode({}-****)", self.prefix())
    }
}

/// Where a code stands, derived from its counters and dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CodeStatus {
    /// Can still be redeemed.
    Active,
    /// Every use has been redeemed.
    Used,
    /// Its time to live has passed.
    Expired,
    /// Revoked by staff.
    Revoked,
}

impl CodeStatus {
    /// Derives the status; the first that applies wins: revoked, used, expired, active.
    pub fn derive(
        revoked_at: Option<DateTime<Utc>>,
        use_count: i32,
        max_uses: i32,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        if revoked_at.is_some() {
            CodeStatus::Revoked
        } else if use_count >= max_uses {
            CodeStatus::Used
        } else if expires_at.is_some_and(|e| e <= now) {
            CodeStatus::Expired
        } else {
            CodeStatus::Active
        }
    }
}

/// Generate activation codes for a tenant (staff).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateCodesRequest {
    /// The tenant's slug or id.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub tenant: String,
    /// How many codes to generate (1 to 1000).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
    pub count: i64,
    /// A note shown in lists, e.g. the order number (up to 120 characters).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 120))]
    pub label: Option<String>,
    /// How many devices each code may activate (1 to 1,000,000; default 1).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000000))]
    pub max_uses: Option<i64>,
    /// Days until the codes expire (1 to 3650); absent means they never expire.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub ttl_days: Option<i64>,
}

impl CreateCodesRequest {
    /// Applies the shared input rules.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        e.check("tenant", validation::name(&self.tenant, 64));
        e.check(
            "count",
            validation::range(self.count, 1, MAX_CODES_PER_REQUEST),
        );
        if let Some(l) = &self.label {
            e.check("label", validation::text(l, 120));
        }
        if let Some(m) = self.max_uses {
            e.check("max_uses", validation::range(m, 1, MAX_USES));
        }
        if let Some(t) = self.ttl_days {
            e.check("ttl_days", validation::range(t, 1, MAX_TTL_DAYS));
        }
        e.finish()
    }
}

/// A code as lists show it: never the code itself, only its prefix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeView {
    /// The code's id.
    pub id: Uuid,
    /// The tenant whose devices it activates.
    pub tenant_id: Uuid,
    /// That tenant's slug.
    pub tenant_slug: String,
    /// The first four symbols.
    pub prefix: String,
    /// The note given at creation.
    pub label: Option<String>,
    /// Devices it may activate.
    pub max_uses: i32,
    /// Devices it has activated.
    pub use_count: i32,
    /// When it stops working; `null` for never.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The staff member who generated it (for auto-generated codes: who created the tenant).
    pub created_by: Option<Uuid>,
    /// When it was generated.
    pub created_at: DateTime<Utc>,
    /// `active`, `used`, `expired` or `revoked`.
    pub status: CodeStatus,
}

/// A freshly generated code, with its plaintext: shown in this answer only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedCode {
    /// The code's id.
    pub id: Uuid,
    /// The code, `XXXX-XXXX-XXXX-XXXX`. Only a hash is stored: copy it now.
    pub code: String,
    /// The first four symbols, as lists show them.
    pub prefix: String,
    /// The note given at creation.
    pub label: Option<String>,
    /// Devices it may activate.
    pub max_uses: i32,
    /// When it stops working; `null` for never.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The answer to generating codes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateCodesResponse {
    /// The tenant the codes belong to.
    pub tenant_id: Uuid,
    /// That tenant's slug.
    pub tenant_slug: String,
    /// The codes with their plaintext, shown once.
    pub codes: Vec<IssuedCode>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alphabet_has_31_unambiguous_symbols() {
        assert_eq!(CODE_ALPHABET.len(), 31);
        for ambiguous in b"01OIL" {
            assert!(!CODE_ALPHABET.contains(ambiguous));
        }
    }

    #[test]
    fn codes_are_normalised_for_case_spaces_and_dashes() {
        let a = ActivationCode::parse("abcd-efgh-jkmn-pqrs").unwrap();
        let b = ActivationCode::parse(" ABCD EFGH jkmn\tPQRS ").unwrap();
        let c = ActivationCode::parse("ABCDEFGHJKMNPQRS").unwrap();
        assert_eq!(a, b);
        assert_eq!(b, c);
        assert_eq!(a.compact(), "ABCDEFGHJKMNPQRS");
        assert_eq!(a.to_string(), "ABCD-EFGH-JKMN-PQRS");
        assert_eq!(a.prefix(), "ABCD");
    }

    #[test]
    fn malformed_codes_are_refused() {
        assert!(ActivationCode::parse("").is_err());
        assert!(ActivationCode::parse("ABCD-EFGH-JKMN-PQR").is_err());
        assert!(ActivationCode::parse("ABCD-EFGH-JKMN-PQRST").is_err());
        // 0, O, 1, I and L are not in the alphabet.
        assert!(ActivationCode::parse("0BCD-EFGH-JKMN-PQRS").is_err());
        assert!(ActivationCode::parse("ABCD-EFGH-JKMN-PQRL").is_err());
        assert!(ActivationCode::parse("ÄBCD-EFGH-JKMN-PQRS").is_err());
    }

    #[test]
    fn codes_are_built_from_alphabet_indices() {
        let c = ActivationCode::from_indices([0; CODE_LEN]).unwrap();
        assert_eq!(c.to_string(), "2222-2222-2222-2222");
        let c = ActivationCode::from_indices([30; CODE_LEN]).unwrap();
        assert_eq!(c.compact(), "Z".repeat(16));
        assert!(ActivationCode::from_indices([31; CODE_LEN]).is_none());
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let c = ActivationCode::parse("ABCD-EFGH-JKMN-PQRS").unwrap();
        assert!(!format!("{c:?}").contains("EFGH"));
    }

    #[test]
    fn status_is_revoked_then_used_then_expired_then_active() {
        let now = Utc::now();
        let past = Some(now - chrono::Duration::days(1));
        let future = Some(now + chrono::Duration::days(1));
        assert_eq!(
            CodeStatus::derive(past, 0, 1, None, now),
            CodeStatus::Revoked
        );
        assert_eq!(CodeStatus::derive(None, 1, 1, past, now), CodeStatus::Used);
        assert_eq!(
            CodeStatus::derive(None, 0, 1, past, now),
            CodeStatus::Expired
        );
        assert_eq!(
            CodeStatus::derive(None, 0, 1, future, now),
            CodeStatus::Active
        );
        assert_eq!(
            CodeStatus::derive(None, 2, 3, None, now),
            CodeStatus::Active
        );
    }

    #[test]
    fn code_requests_are_bounded() {
        let bad = CreateCodesRequest {
            tenant: String::new(),
            count: 1001,
            label: Some("x".repeat(121)),
            max_uses: Some(0),
            ttl_days: Some(0),
        };
        assert_eq!(bad.validate().unwrap_err().len(), 5);
        let ok = CreateCodesRequest {
            tenant: "acme".into(),
            count: 1000,
            label: None,
            max_uses: None,
            ttl_days: None,
        };
        assert!(ok.validate().is_ok());
    }
}
