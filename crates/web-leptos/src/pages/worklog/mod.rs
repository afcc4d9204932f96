//! Time tracking for every signed-in person: the timeline, the edit page and the
//! quick-add dialog that the shell shows on every page.

mod edit;
mod form;
mod quick_add;
mod timeline;

pub use edit::WorklogEntryPage;
pub use quick_add::{QuickAdd, QuickAddButton, QuickAddState, provide_quick_add};
pub use timeline::WorklogPage;
