//! Reusable UI pieces of the design system; every page builds from these.

mod alert;
mod badge;
mod breadcrumbs;
mod confirm;
mod copy;
mod dialog;
mod empty_state;
mod field;
mod load_more;
mod loader;
mod modal;
mod page_header;
mod pager;
mod select_field;
mod sort_header;
mod spinner;

pub use alert::{Alert, AlertKind, ErrorList};
pub use badge::{Badge, RoleBadge, StatusBadge, Tone, capitalize};
pub use breadcrumbs::{Breadcrumbs, Crumb};
pub use confirm::{ConfirmDialog, PickButton, TargetConfirm};
pub use copy::{CopyButton, copy_to_clipboard, download};
pub use dialog::{CancelButton, FormActions, SubmitButton, TargetModal};
pub use empty_state::EmptyState;
pub use field::{Field, TextField};
pub use load_more::{Cursored, LoadMore, MorePages};
pub use loader::Loader;
pub use modal::Modal;
pub use page_header::PageHeader;
pub use pager::{Pager, page_count};
pub use select_field::SelectField;
pub use sort_header::SortHeader;
pub use spinner::{BusySpinner, Loading, Spinner};
