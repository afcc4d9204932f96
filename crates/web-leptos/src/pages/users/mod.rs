//! Users: staff manage everyone (Platform › Users), org admins their organisation's
//! people (Organisation › Users). One page serves both; the server decides whom each
//! caller sees, and the page offers only what the caller's role allows.

mod dialogs;

use std::time::Duration;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use tessera_domain::Role;
use tessera_domain::users::{AdminUser, may_assign};

use self::dialogs::{EditUserDialog, NewUserDialog, ResetPasswordDialog, SetActiveDialog};
use super::restricted::Restricted;
use crate::api::users::UserFilter;
use crate::api::{self};
use crate::components::{
    EmptyState, Loader, PageHeader, Pager, RoleBadge, SelectField, StatusBadge,
};
use crate::page::Page;
use crate::session::Session;

/// How long typing pauses before the search runs.
const SEARCH_DELAY: Duration = Duration::from_millis(300);

/// "Ada Lovelace" → "AL"; "cher" → "C"; an empty name falls back to the username.
pub fn initials(name: &str, username: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let letters: String = match words.as_slice() {
        [] => username.chars().take(1).collect(),
        [one] => one.chars().take(1).collect(),
        [first, .., last] => first.chars().take(1).chain(last.chars().take(1)).collect(),
    };
    letters.to_uppercase()
}

/// A stable colour for a person's avatar, so the same person looks the same everywhere.
fn avatar_hue(user: &AdminUser) -> u32 {
    let bytes = user.id.as_bytes();
    (u32::from(bytes[14]) << 8 | u32::from(bytes[15])) % 360
}

/// The person viewing the page: what they may do to whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Viewer {
    /// Their role.
    pub role: Role,
    /// Their id: nobody deactivates themselves or changes their own role.
    pub id: Option<uuid::Uuid>,
}

impl Viewer {
    fn current() -> Viewer {
        Session::get().user.with_untracked(|u| Viewer {
            role: u.as_ref().map_or(Role::User, |u| u.role),
            id: u.as_ref().map(|u| u.id),
        })
    }

    /// The server refuses changes to anyone ranked above the caller; offering them
    /// would only lead to an error.
    fn manages(self, user: &AdminUser) -> bool {
        user.role <= self.role
    }

    fn is_self(self, user: &AdminUser) -> bool {
        self.id == Some(user.id)
    }

    /// The roles this viewer may give, lowest first.
    pub fn assignable_roles(self) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|r| may_assign(self.role, *r))
            .collect()
    }
}

/// The users table with search, filters, sort, paging and the management dialogs.
#[component]
pub fn UsersPage(
    /// `Page::Users` (staff) or `Page::OrgUsers` (org admins): decides the breadcrumbs.
    page: Page,
) -> impl IntoView {
    let creating = RwSignal::new(false);
    let admitted = page.admits(Viewer::current().role);
    view! {
        <PageHeader title=page.title() crumbs=page.crumbs()>
            {admitted.then(|| view! {
                <button type="button" id="new-user" class="btn btn-primary" on:click=move |_| creating.set(true)>
                    "New user"
                </button>
            })}
        </PageHeader>
        <Restricted page=page>
            <UsersTable creating=creating/>
        </Restricted>
    }
}

/// Which of a table's sortable columns is sorted, and how, for `aria-sort`.
fn aria_sort(sort: &str, column: &str) -> &'static str {
    match sort.strip_prefix('-') {
        Some(c) if c == column => "descending",
        None if sort == column => "ascending",
        _ => "none",
    }
}

/// The filters, the table and its dialogs; only rendered for people the page admits,
/// so nobody else triggers a request the server would refuse.
#[component]
fn UsersTable(
    /// The "New user" dialog's switch, flipped by the button in the page header.
    creating: RwSignal<bool>,
) -> impl IntoView {
    let viewer = Viewer::current();
    let staff = viewer.role.is_staff();

    // What the person typed, and what the list shows: typing waits for a pause.
    let search_input = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let tenant_input = RwSignal::new(String::new());
    let tenant = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let sort = RwSignal::new(UserFilter::default().sort);
    let page = RwSignal::new(1u64);
    let reload = RwSignal::new(0u64);

    let filter = Memo::new(move |_| UserFilter {
        search: search.get(),
        status: status.get(),
        role: role.get(),
        tenant: tenant.get(),
        sort: sort.get(),
        page: page.get(),
    });
    let users = LocalResource::new(move || {
        reload.track();
        api::users::list(filter.get())
    });
    let refresh = Callback::new(move |()| reload.update(|n| *n += 1));

    // Any new filter starts again at page 1: page 3 of the old results means nothing.
    let apply = move || {
        page.set(1);
        search.set(search_input.get_untracked().trim().to_owned());
        tenant.set(tenant_input.get_untracked().trim().to_owned());
    };
    let pending_search = StoredValue::new(None::<TimeoutHandle>);
    let on_type = move |ev| {
        search_input.set(event_target_value(&ev));
        if let Some(h) = pending_search.get_value() {
            h.clear();
        }
        pending_search.set_value(set_timeout_with_handle(apply, SEARCH_DELAY).ok());
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(h) = pending_search.get_value() {
            h.clear();
        }
        apply();
    };
    Effect::watch(
        move || (status.get(), role.get()),
        move |_, _, _| page.set(1),
        false,
    );
    let sort_by = move |column: &'static str| {
        sort.update(|s| {
            *s = if *s == column {
                format!("-{column}")
            } else {
                column.to_owned()
            }
        });
        page.set(1);
    };
    let header = move |column: &'static str, label: &'static str| {
        view! {
            <th aria-sort=move || aria_sort(&sort.get(), column)>
                <button type="button" class="sort-button" data-sort=column on:click=move |_| sort_by(column)>
                    {label}
                    <span class="sort-arrow" aria-hidden="true">
                        {move || match aria_sort(&sort.get(), column) {
                            "ascending" => "▲",
                            "descending" => "▼",
                            _ => "↕",
                        }}
                    </span>
                </button>
            </th>
        }
    };

    let status_options = Signal::stored(vec![
        (String::new(), "Any status".to_owned()),
        ("active".to_owned(), "Active".to_owned()),
        ("inactive".to_owned(), "Inactive".to_owned()),
    ]);
    let role_options = Signal::stored(
        std::iter::once((String::new(), "Any role".to_owned()))
            .chain(
                Role::ALL
                    .into_iter()
                    .filter(|r| staff || !r.is_staff())
                    .map(|r| (r.as_str().to_owned(), r.label().to_owned())),
            )
            .collect::<Vec<_>>(),
    );

    // The dialogs' targets: `Some` opens the dialog for that person.
    let editing = RwSignal::new(None::<AdminUser>);
    let toggling = RwSignal::new(None::<AdminUser>);
    let resetting = RwSignal::new(None::<AdminUser>);

    let rows = move |list: Vec<AdminUser>| {
        list.into_iter()
            .map(|u| user_row(u, viewer, staff, editing, toggling, resetting))
            .collect_view()
    };
    let table = move |paged: tessera_domain::page::Paged<AdminUser>| {
        if paged.items.is_empty() {
            let filtered = filter.with_untracked(|f| {
                !f.search.is_empty()
                    || !f.status.is_empty()
                    || !f.role.is_empty()
                    || !f.tenant.is_empty()
            });
            return view! {
                <section class="card">
                    <EmptyState title=if filtered { "Nobody matches these filters" } else { "No users yet" } icon="☺">
                        <p>{if filtered { "Try fewer words or another status or role." } else { "Add the first person with “New user”." }}</p>
                    </EmptyState>
                </section>
            }
            .into_any();
        }
        view! {
            <div class="table-wrap">
                <table class="table table-hover table-compact users-table" id="users-table">
                    <thead>
                        <tr>
                            {header("name", "User")}
                            {header("role", "Role")}
                            <th>"Status"</th>
                            {header("last_login_at", "Last sign-in")}
                            {header("created_at", "Created")}
                            <th class="actions-col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows(paged.items)}</tbody>
                </table>
            </div>
            <Pager
                page=paged.page
                per_page=paged.per_page
                total=paged.total
                noun="users"
                on_page=Callback::new(move |p| page.set(p))
            />
        }
        .into_any()
    };

    view! {
        <form class="card filter-bar" id="user-filters" on:submit=on_submit novalidate>
            <div class="field filter-grow">
                <label class="field-label" for="user-search">"Search"</label>
                <input
                    class="input"
                    id="user-search"
                    name="user-search"
                    type="search"
                    placeholder="Name, e-mail or username"
                    autocomplete="off"
                    prop:value=move || search_input.get()
                    on:input=on_type
                />
            </div>
            <SelectField id="user-status" label="Status" value=status options=status_options/>
            <SelectField id="user-role" label="Role" value=role options=role_options/>
            {staff.then(|| view! {
                <div class="field">
                    <label class="field-label" for="user-tenant">"Tenant"</label>
                    <input
                        class="input"
                        id="user-tenant"
                        name="user-tenant"
                        placeholder="Slug"
                        bind:value=tenant_input
                    />
                </div>
            })}
            <div class="filter-actions">
                <button type="submit" class="btn btn-primary" id="user-search-submit">"Search"</button>
            </div>
        </form>
        <Loader text="Loading users…">
            {move || Suspend::new(async move { users.await.map(table) })}
        </Loader>
        <EditUserDialog target=editing viewer=viewer on_saved=refresh/>
        <SetActiveDialog target=toggling on_saved=refresh/>
        <ResetPasswordDialog target=resetting/>
        <NewUserDialog open=creating viewer=viewer on_saved=refresh/>
    }
}

fn user_row(
    u: AdminUser,
    viewer: Viewer,
    staff: bool,
    editing: RwSignal<Option<AdminUser>>,
    toggling: RwSignal<Option<AdminUser>>,
    resetting: RwSignal<Option<AdminUser>>,
) -> impl IntoView {
    let manages = viewer.manages(&u);
    let is_self = viewer.is_self(&u);
    let active = u.status == "active";
    // Dates keep the table narrow; the exact time is in the tooltip.
    let last_login = u
        .last_login_at
        .map(|t| (crate::format::day(t), crate::format::moment(t)));
    let created = crate::format::day(u.created_at);
    let tenant = u
        .tenant_slug
        .clone()
        .unwrap_or_else(|| "platform".to_owned());
    let avatar_style = format!("--avatar-hue: {}", avatar_hue(&u));
    let notes = u.notes.clone().filter(|n| !n.is_empty());
    let (edit_target, toggle_target, reset_target) = (u.clone(), u.clone(), u.clone());
    view! {
        <tr class="user-row" data-id=u.id.to_string() data-username=u.username.clone() data-status=u.status.clone()>
            <td>
                <div class="user-cell">
                    <span class="avatar" style=avatar_style aria-hidden="true">{initials(&u.name, &u.username)}</span>
                    <div class="user-text">
                        <div class="user-name">
                            {u.name.clone()}
                            {is_self.then(|| view! { <span class="text-muted">" (you)"</span> })}
                            {notes.map(|n| view! { <span class="note-mark" title=n>" ✎"</span> })}
                        </div>
                        <div class="user-sub">
                            {u.email.clone()} " · @" {u.username.clone()}
                            // Staff see every tenant's people, so each row says whose they are.
                            {staff.then(|| view! { " · " <span class="user-tenant">{tenant}</span> })}
                        </div>
                    </div>
                </div>
            </td>
            <td><RoleBadge role=u.role/></td>
            <td class="user-status"><StatusBadge status=u.status.clone()/></td>
            <td class="text-sm nowrap">
                {match last_login {
                    Some((day, exact)) => view! { <span title=exact>{day}</span> }.into_any(),
                    None => view! { <span class="text-muted">"Never"</span> }.into_any(),
                }}
            </td>
            <td class="text-sm nowrap">{created}</td>
            <td class="row-actions">
                {manages.then(|| view! {
                    <button type="button" class="btn btn-ghost btn-sm edit-user"
                        on:click=move |_| editing.set(Some(edit_target.clone()))>"Edit"</button>
                    <button type="button" class="btn btn-ghost btn-sm reset-user-password" title="Reset password"
                        aria-label=format!("Reset {}'s password", reset_target.name)
                        on:click=move |_| resetting.set(Some(reset_target.clone()))>"Password"</button>
                })}
                {(manages && !is_self).then(|| {
                    let (class, label) = if active {
                        ("btn btn-ghost btn-sm btn-ghost-danger deactivate-user", "Deactivate")
                    } else {
                        ("btn btn-ghost btn-sm activate-user", "Activate")
                    };
                    view! {
                        <button type="button" class=class on:click=move |_| toggling.set(Some(toggle_target.clone()))>
                            {label}
                        </button>
                    }
                })}
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_take_the_first_and_last_word() {
        assert_eq!(initials("Ada Lovelace", "ada"), "AL");
        assert_eq!(initials("Grace Brewster Hopper", "grace"), "GH");
        assert_eq!(initials("cher", "cher"), "C");
        assert_eq!(initials("  ", "zed"), "Z");
        assert_eq!(initials("émile zola", "ez"), "ÉZ");
    }

    #[test]
    fn nobody_is_offered_a_role_above_their_own() {
        let org_admin = Viewer {
            role: Role::OrgAdmin,
            id: None,
        };
        assert_eq!(org_admin.assignable_roles(), [Role::User, Role::OrgAdmin]);
        let admin = Viewer {
            role: Role::Admin,
            id: None,
        };
        assert_eq!(
            admin.assignable_roles(),
            [Role::User, Role::OrgAdmin, Role::Admin]
        );
    }

    #[test]
    fn the_sorted_column_is_announced() {
        assert_eq!(aria_sort("-created_at", "created_at"), "descending");
        assert_eq!(aria_sort("name", "name"), "ascending");
        assert_eq!(aria_sort("name", "role"), "none");
    }
}
