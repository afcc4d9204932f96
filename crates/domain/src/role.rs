//! Roles and the ordering that decides who may do what.

use serde::{Deserialize, Serialize};

/// A user's role, ordered from least to most privileged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A member of one tenant.
    User,
    /// The administrator of one tenant.
    OrgAdmin,
    /// Platform staff.
    Admin,
    /// Platform staff with every permission.
    SuperAdmin,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 4] = [Role::User, Role::OrgAdmin, Role::Admin, Role::SuperAdmin];

    /// The stable string stored in the database and in tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::OrgAdmin => "org_admin",
            Role::Admin => "admin",
            Role::SuperAdmin => "super_admin",
        }
    }

    /// Parses the stable string form.
    ///
    /// # Errors
    /// Returns `None` for an unknown role name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Platform staff have no tenant and see every tenant's data.
    pub fn is_staff(self) -> bool {
        self >= Role::Admin
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::User => "User",
            Role::OrgAdmin => "Org admin",
            Role::Admin => "Admin",
            Role::SuperAdmin => "Super admin",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_lowest_to_highest() {
        assert!(Role::User < Role::OrgAdmin);
        assert!(Role::OrgAdmin < Role::Admin);
        assert!(Role::Admin < Role::SuperAdmin);
    }

    #[test]
    fn only_admin_and_super_admin_are_staff() {
        assert!(!Role::User.is_staff());
        assert!(!Role::OrgAdmin.is_staff());
        assert!(Role::Admin.is_staff());
        assert!(Role::SuperAdmin.is_staff());
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
