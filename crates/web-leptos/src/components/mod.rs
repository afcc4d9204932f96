//! Reusable UI pieces of the design system; every page builds from these.

mod alert;
mod badge;
mod breadcrumbs;
mod empty_state;
mod field;
mod modal;
mod page_header;
mod spinner;

pub use alert::{Alert, AlertKind, ErrorList};
pub use badge::{Badge, RoleBadge, StatusBadge, Tone, capitalize};
pub use breadcrumbs::{Breadcrumbs, Crumb};
pub use empty_state::EmptyState;
pub use field::{Field, TextField};
pub use modal::Modal;
pub use page_header::PageHeader;
pub use spinner::{BusySpinner, Loading, Spinner};
