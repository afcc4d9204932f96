//! Sign-up, sign-in, token and profile types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::problem::FieldError;
use crate::role::Role;
use crate::validation::{self, Errors};

/// Sign up an organisation: creates its tenant and first `org_admin`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// The organisation's display name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub organization_name: String,
    /// The tenant's unique slug, e.g. `acme`.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 3, max_length = 48, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")
    )]
    pub slug: String,
    /// The first administrator's e-mail address.
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub email: String,
    /// The first administrator's username.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 3, max_length = 32, pattern = "^[a-z0-9][a-z0-9._-]*$")
    )]
    pub username: String,
    /// The first administrator's password (10 to 128 characters).
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 128))]
    pub password: String,
}

impl RegisterRequest {
    /// Applies the shared input rules.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        e.check(
            "organization_name",
            validation::name(&self.organization_name, 120),
        );
        e.check("slug", validation::slug(&self.slug));
        e.check("email", validation::email(&self.email));
        e.check("username", validation::username(&self.username));
        e.check("password", validation::password(&self.password));
        e.finish()
    }
}

/// Sign in with an e-mail address or a username.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// E-mail address or username.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 254))]
    pub login: String,
    /// The password.
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub password: String,
}

impl LoginRequest {
    /// Both fields are required.
    ///
    /// # Errors
    /// One entry per empty field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        e.check("login", validation::name(&self.login, 254));
        e.check(
            "password",
            if self.password.is_empty() {
                Err("is required".into())
            } else {
                Ok(())
            },
        );
        e.finish()
    }
}

/// A refresh token presented for rotation or logout.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last sign-in or rotation.
    pub refresh_token: String,
}

/// Ask for a one-time sign-in code by e-mail.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OtpRequest {
    /// The tenant's slug or id.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub tenant: String,
    /// The member's e-mail address.
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub email: String,
}

impl OtpRequest {
    /// Applies the shared input rules.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        e.check("tenant", validation::name(&self.tenant, 64));
        e.check("email", validation::email(&self.email));
        e.finish()
    }
}

/// Exchange a one-time code for tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OtpVerifyRequest {
    /// The tenant's slug or id.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub tenant: String,
    /// The member's e-mail address.
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub email: String,
    /// The six-digit code from the e-mail.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{6}$"))]
    pub otp: String,
}

impl OtpVerifyRequest {
    /// Applies the shared input rules.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        e.check("tenant", validation::name(&self.tenant, 64));
        e.check("email", validation::email(&self.email));
        e.check("otp", validation::otp(&self.otp));
        e.finish()
    }
}

/// A signed-in user as the API shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    /// The user's id.
    pub id: Uuid,
    /// E-mail address.
    pub email: String,
    /// Username.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// The user's tenant; `null` for platform staff.
    pub tenant_id: Option<Uuid>,
    /// `active` or `inactive`.
    pub status: String,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

/// A tenant as its members see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantSummary {
    /// The tenant's id.
    pub id: Uuid,
    /// The tenant's unique slug.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// The plan's code, e.g. `free`.
    pub plan: String,
    /// `active` or `suspended`.
    pub status: String,
}

/// Tokens issued at sign-in, OTP verification and rotation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// A single-use token for `POST /api/auth/refresh`.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// The signed-in user.
    pub user: UserView,
}

/// The caller and their tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeResponse {
    /// The signed-in user.
    pub user: UserView,
    /// The user's tenant; `null` for platform staff.
    pub tenant: Option<TenantSummary>,
}
