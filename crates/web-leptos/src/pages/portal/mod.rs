//! The tenant portal: what an organisation's members see of their plan, quotas and
//! reserve, their projects with their agent prompts, and their own activation codes and
//! devices.

mod codes_devices;
mod home;
mod project;
mod projects;

pub use codes_devices::TenantCodesDevicesPage;
pub use home::PortalHome;
pub use project::TenantProjectPage;
pub use projects::TenantProjectsPage;

use leptos::prelude::*;
use tessera_domain::Role;

use crate::session::Session;

/// Whether the signed-in person is an org admin (or above): activations, edits and
/// revocations are theirs, and the API refuses them to plain users.
pub(crate) fn is_org_admin() -> bool {
    Session::get()
        .user
        .with_untracked(|u| u.as_ref().is_some_and(|u| u.role >= Role::OrgAdmin))
}
