//! Managing users: the requests staff and org admins send, and the rules they share.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::problem::FieldError;
use crate::role::Role;
use crate::validation::{self, Errors};

/// Longest accepted notes.
pub const NOTES_MAX: usize = 4000;

/// Create a user. Staff roles have no tenant; `user` and `org_admin` need one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// E-mail address (unique).
    #[cfg_attr(feature = "openapi", schema(format = Email, max_length = 254))]
    pub email: String,
    /// Username (unique).
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 3, max_length = 32, pattern = "^[a-z0-9][a-z0-9._-]*$")
    )]
    pub username: String,
    /// Initial password.
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 128))]
    pub password: String,
    /// Display name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub name: String,
    /// Role; never above the caller's own.
    pub role: Role,
    /// The tenant's slug or id (required for `user` and `org_admin`; org admins may omit it).
    #[serde(default)]
    pub tenant: Option<String>,
}

impl CreateUserRequest {
    /// Applies the shared rules.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        e.check("email", validation::email(&self.email));
        e.check("username", validation::username(&self.username));
        e.check("password", validation::password(&self.password));
        e.check("name", validation::name(&self.name, 120));
        e.finish()
    }
}

/// Changes to a user; absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// Display name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub name: Option<String>,
    /// Role; never above the caller's own.
    pub role: Option<Role>,
    /// `false` deactivates the account and ends its sessions.
    pub active: Option<bool>,
    /// Staff notes about the user (empty string clears).
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub notes: Option<String>,
    /// Move to another tenant (slug or id; staff only).
    pub tenant: Option<String>,
}

impl UpdateUserRequest {
    /// Applies the shared rules to the fields present.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        if let Some(n) = &self.name {
            e.check("name", validation::name(n, 120));
        }
        if let Some(n) = &self.notes {
            e.check(
                "notes",
                if n.chars().count() > NOTES_MAX {
                    Err(format!("must be at most {NOTES_MAX} characters"))
                } else {
                    Ok(())
                },
            );
        }
        e.finish()
    }
}

/// Reset a password: with `password` it is set now; without, a one-time link is mailed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The new password (omit to mail a reset link instead).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 128))]
    pub password: Option<String>,
}

/// What a reset did.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetPasswordResponse {
    /// `password_set` or `link_sent`.
    pub outcome: String,
}

/// Complete a mailed reset.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CompletePasswordReset {
    /// The token from the reset link.
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub token: String,
    /// The new password.
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 128))]
    pub password: String,
}

/// A user as staff and org admins see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUser {
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
    /// `active` or `inactive`.
    pub status: String,
    /// The tenant (`null` for staff).
    pub tenant_id: Option<Uuid>,
    /// The tenant's slug.
    pub tenant_slug: Option<String>,
    /// Staff notes.
    pub notes: Option<String>,
    /// Last successful sign-in.
    pub last_login_at: Option<DateTime<Utc>>,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

/// Whether `actor` may give `target` the role `role`: nobody raises anyone above their
/// own role, and org admins manage only `user` and `org_admin`.
pub fn may_assign(actor: Role, role: Role) -> bool {
    role <= actor && (actor.is_staff() || !role.is_staff())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_assigns_a_role_above_their_own() {
        assert!(may_assign(Role::SuperAdmin, Role::SuperAdmin));
        assert!(may_assign(Role::Admin, Role::Admin));
        assert!(!may_assign(Role::Admin, Role::SuperAdmin));
        assert!(may_assign(Role::OrgAdmin, Role::OrgAdmin));
        assert!(!may_assign(Role::OrgAdmin, Role::Admin));
        assert!(!may_assign(Role::User, Role::OrgAdmin));
    }

    #[test]
    fn create_requests_check_every_field() {
        let r = CreateUserRequest {
            email: "x".into(),
            username: "X".into(),
            password: "short".into(),
            name: "".into(),
            role: Role::User,
            tenant: None,
        };
        assert_eq!(r.validate().unwrap_err().len(), 4);
    }
}
