//! Every page of the app and its path, title and place in the navigation.
//!
//! Paths live here and nowhere else: links call [`Page::path`], and the router matches
//! a `Page` directly (it implements [`PossibleRouteMatch`] through the same `path!`
//! literal), so a link and its route cannot drift apart.

use leptos_router::{PartialPathMatch, PathSegment, PossibleRouteMatch, path};
use tessera_domain::Role;

use crate::components::Crumb;

/// Who a page is meant for; decides navigation groups, breadcrumbs and access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Reachable without signing in (the sign-in pages).
    Public,
    /// Every signed-in person.
    Everyone,
    /// Platform staff (`admin`, `super_admin`).
    Platform,
    /// Members of a tenant (`user`, `org_admin`).
    Organisation,
}

impl Area {
    /// The navigation group and breadcrumb section; `None` for top-level pages.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Area::Public | Area::Everyone => None,
            Area::Platform => Some("Platform"),
            Area::Organisation => Some("Organisation"),
        }
    }

    /// Whether someone with `role` may open pages of this area.
    pub fn admits(self, role: Role) -> bool {
        match self {
            Area::Public | Area::Everyone => true,
            Area::Platform => role.is_staff(),
            Area::Organisation => !role.is_staff(),
        }
    }
}

/// Declares the pages once and derives everything that depends on their paths.
///
/// `path!` only takes a literal, so the literal is forwarded as a token tree to both
/// `path()` and the route matcher instead of being written twice.
macro_rules! pages {
    ($( $(#[doc = $doc:literal])* $variant:ident => $path:tt, $title:literal, $area:ident; )*) => {
        /// A page of the app.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Page {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Page {
            /// Every page, in navigation order.
            pub const ALL: &'static [Page] = &[$(Page::$variant),*];

            /// The absolute path to link to.
            pub fn path(self) -> &'static str {
                match self { $(Page::$variant => $path,)* }
            }

            /// The page's title, as shown in navigation, breadcrumbs and its heading.
            pub fn title(self) -> &'static str {
                match self { $(Page::$variant => $title,)* }
            }

            /// Who the page is for.
            pub fn area(self) -> Area {
                match self { $(Page::$variant => Area::$area,)* }
            }
        }

        impl PossibleRouteMatch for Page {
            fn optional(&self) -> bool {
                false
            }

            fn test<'a>(&self, path: &'a str) -> Option<PartialPathMatch<'a>> {
                match self { $(Page::$variant => path!($path).test(path),)* }
            }

            fn generate_path(&self, segments: &mut Vec<PathSegment>) {
                match self { $(Page::$variant => path!($path).generate_path(segments),)* }
            }
        }
    };
}

pages! {
    /// Sign in with a login and password.
    Login => "/login", "Sign in", Public;
    /// Passwordless sign-in for tenant members with an e-mailed code.
    LoginOtp => "/login/otp", "Sign in with a code", Public;
    /// Choose a new password from a mailed reset link (`?token=`); works signed in or out.
    ResetPassword => "/reset-password", "Choose a new password", Public;
    /// The landing page after sign-in.
    Dashboard => "/", "Dashboard", Everyone;
    /// Time tracking.
    Worklog => "/worklog", "Worklog", Everyone;
    /// One worklog entry: edit it, see its details, delete it (link with [`Page::worklog_entry`]).
    WorklogEntry => "/worklog/:id", "Edit entry", Everyone;
    /// The signed-in person and their tenant.
    Profile => "/profile", "Profile", Everyone;
    /// Staff: tenants, plans and subscriptions.
    Tenants => "/platform/tenants", "Tenants", Platform;
    /// Staff: one tenant, its subscriptions and its deletion (link with [`Page::tenant`]).
    TenantDetail => "/platform/tenants/:slug", "Tenant", Platform;
    /// Staff: activation codes of every tenant.
    ActivationCodes => "/platform/codes", "Activation codes", Platform;
    /// Staff: activated devices of every tenant.
    Devices => "/platform/devices", "Devices", Platform;
    /// Staff: user management.
    Users => "/platform/users", "Users", Platform;
    /// Staff: billing reserves and the ledger.
    PlatformBilling => "/platform/billing", "Billing", Platform;
    /// Staff: usage analytics.
    Analytics => "/platform/analytics", "Analytics", Platform;
    /// Staff: executive metrics.
    Metrics => "/platform/metrics", "Metrics", Platform;
    /// Staff: system, project and agent prompts.
    LlmPrompts => "/platform/llm", "LLM prompts", Platform;
    /// Staff: one LLM project, its prompt and agent prompts (link with [`Page::llm_project`]).
    LlmProject => "/platform/llm/projects/:id", "LLM project", Platform;
    /// Staff: who changed what.
    AuditLog => "/platform/audit", "Audit log", Platform;
    /// Super admins: the mail the server queued and its delivery.
    Outbox => "/outbox", "Mail outbox", Platform;
    /// Members: the tenant's projects.
    Projects => "/org/projects", "Projects", Organisation;
    /// Members: one project, its agent prompts and composed prompts (link with [`Page::tenant_project`]).
    TenantProject => "/org/projects/:id", "Project", Organisation;
    /// Members: the tenant's own activation codes and devices.
    CodesDevices => "/org/codes", "Codes & devices", Organisation;
    /// Members: the tenant's reserve balance and top-ups.
    OrgBilling => "/org/billing", "Billing", Organisation;
    /// Org admins: the organisation's people (the same page as staff's `Users`).
    OrgUsers => "/org/users", "Users", Organisation;
    /// Org admins: who changed what in the organisation.
    OrgAuditLog => "/org/audit", "Audit log", Organisation;
}

impl Page {
    /// Whether someone with `role` may open this page: its area admits them, and the
    /// organisation's user and audit pages are for its org admins only, and the mail
    /// outbox for super admins only.
    pub fn admits(self, role: Role) -> bool {
        let org_admin_only = matches!(self, Page::OrgUsers | Page::OrgAuditLog);
        let super_admin_only = self == Page::Outbox;
        self.area().admits(role)
            && (!org_admin_only || role >= Role::OrgAdmin)
            && (!super_admin_only || role == Role::SuperAdmin)
    }

    /// The edit page of one worklog entry.
    pub fn worklog_entry(id: impl std::fmt::Display) -> String {
        Page::WorklogEntry.path().replace(":id", &id.to_string())
    }

    /// One tenant's page. Slugs are lowercase letters, digits and dashes: URL-safe as
    /// they are.
    pub fn tenant(slug: &str) -> String {
        Page::TenantDetail.path().replace(":slug", slug)
    }

    /// One LLM project's staff page.
    pub fn llm_project(id: impl std::fmt::Display) -> String {
        Page::LlmProject.path().replace(":id", &id.to_string())
    }

    /// One of the tenant's projects, for its members.
    pub fn tenant_project(id: impl std::fmt::Display) -> String {
        Page::TenantProject.path().replace(":id", &id.to_string())
    }

    /// Breadcrumbs `Home / Section / Page`; the last crumb is the current page.
    pub fn crumbs(self) -> Vec<Crumb> {
        let mut crumbs = vec![Crumb::link("Home", Page::Dashboard.path())];
        if let Some(section) = self.area().label() {
            crumbs.push(Crumb::text(section));
        }
        if self != Page::Dashboard {
            crumbs.push(Crumb::text(self.title()));
        }
        crumbs
    }

    /// The sidebar for `role`: a group without a heading, then the role's own group.
    pub fn navigation(role: Role) -> Vec<(Option<&'static str>, Vec<Page>)> {
        let group = |area: Area| -> Vec<Page> {
            Page::ALL
                .iter()
                .copied()
                // Pages of one object (a `:param` in the path) are reached from their
                // list, not from the sidebar.
                .filter(|p| p.area() == area && p.admits(role) && !p.path().contains(':'))
                .collect()
        };
        let own = if role.is_staff() {
            Area::Platform
        } else {
            Area::Organisation
        };
        vec![(None, group(Area::Everyone)), (own.label(), group(own))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(page: Page, url: &str) -> bool {
        page.test(url).is_some_and(|m| m.is_complete())
    }

    #[test]
    fn routes_match_their_own_paths_only() {
        for page in Page::ALL {
            assert!(matches(*page, page.path()), "{page:?}");
            for other in Page::ALL.iter().filter(|o| *o != page) {
                assert!(!matches(*page, other.path()), "{page:?} matched {other:?}");
            }
        }
    }

    #[test]
    fn staff_see_platform_and_members_see_organisation() {
        let staff = Page::navigation(Role::Admin);
        assert_eq!(staff[1].0, Some("Platform"));
        assert_eq!(staff[1].1.len(), 9);
        let member = Page::navigation(Role::User);
        assert_eq!(member[1].0, Some("Organisation"));
        assert_eq!(
            member[1].1,
            vec![Page::Projects, Page::CodesDevices, Page::OrgBilling]
        );
        assert_eq!(
            member[0].1,
            vec![Page::Dashboard, Page::Worklog, Page::Profile]
        );
    }

    #[test]
    fn breadcrumbs_name_the_section() {
        let labels = |p: Page| p.crumbs().into_iter().map(|c| c.label).collect::<Vec<_>>();
        assert_eq!(labels(Page::Dashboard), ["Home"]);
        assert_eq!(labels(Page::Profile), ["Home", "Profile"]);
        assert_eq!(labels(Page::Tenants), ["Home", "Platform", "Tenants"]);
    }

    #[test]
    fn org_admins_also_see_users_and_the_audit_log() {
        let org_admin = Page::navigation(Role::OrgAdmin);
        assert!(org_admin[1].1.contains(&Page::OrgUsers));
        assert!(org_admin[1].1.contains(&Page::OrgAuditLog));
        assert!(!Page::OrgUsers.admits(Role::User));
        assert!(!Page::Users.admits(Role::OrgAdmin));
    }

    #[test]
    fn only_super_admins_see_the_outbox() {
        assert!(
            Page::navigation(Role::SuperAdmin)[1]
                .1
                .contains(&Page::Outbox)
        );
        assert!(!Page::navigation(Role::Admin)[1].1.contains(&Page::Outbox));
        assert!(!Page::Outbox.admits(Role::Admin));
        assert!(!Page::Outbox.admits(Role::OrgAdmin));
    }

    #[test]
    fn an_entry_link_fills_in_its_id() {
        let href = Page::worklog_entry("0190");
        assert_eq!(href, "/worklog/0190");
        assert!(matches(Page::WorklogEntry, &href));
        assert!(!matches(Page::Worklog, &href));
        let project = Page::tenant_project("0191");
        assert_eq!(project, "/org/projects/0191");
        assert!(matches(Page::TenantProject, &project));
        assert!(!matches(Page::Projects, &project));
    }
}
