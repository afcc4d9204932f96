//! Page, sort and search parameters shared by every admin table, implemented once so that
//! every list answers `?page=&per_page=&sort=` the same way (SPEC §2, §13).

use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, ExprTrait, Func, LikeExpr, NullOrdering, Query,
    SelectStatement,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, Order, PaginatorTrait,
    QueryOrder, QueryResult, QuerySelect, QueryTrait, Select, TryGetError,
};
use tessera_domain::page::{DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, Paged};

use crate::error::ApiError;

/// A validated `?page=&per_page=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// 1-based page number.
    pub page: u64,
    /// Rows per page, 1..=200.
    pub per_page: u64,
}

impl Paging {
    /// Validates the parameters: `page` 1..=1,000,000 (default 1), `per_page` 1..=200
    /// (default 50).
    ///
    /// # Errors
    /// 422 naming the parameter that is out of range.
    pub fn parse(page: Option<u64>, per_page: Option<u64>) -> Result<Self, ApiError> {
        let page = page.unwrap_or(1);
        if page == 0 {
            return Err(ApiError::field("page", "must be at least 1"));
        }
        if page > MAX_PAGE {
            return Err(ApiError::field(
                "page",
                format!("must be at most {MAX_PAGE}"),
            ));
        }
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
        if per_page == 0 {
            return Err(ApiError::field("per_page", "must be at least 1"));
        }
        if per_page > MAX_PER_PAGE {
            return Err(ApiError::field(
                "per_page",
                format!("must be at most {MAX_PER_PAGE}"),
            ));
        }
        Ok(Self { page, per_page })
    }

    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        (self.page - 1).saturating_mul(self.per_page)
    }

    /// Wraps one page of rows in the list envelope.
    pub fn wrap<T>(&self, items: Vec<T>, total: u64) -> Paged<T> {
        Paged {
            items,
            page: self.page,
            per_page: self.per_page,
            total,
        }
    }
}

/// A validated `?sort=`: one whitelisted column and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<C> {
    /// The column to order by.
    pub column: C,
    /// `true` for `?sort=-field`.
    pub descending: bool,
}

impl<C: Copy> Sort<C> {
    /// Parses `field` (ascending) or `-field` (descending) against `allowed`
    /// (`(public name, column)` pairs); no value gives `default`.
    ///
    /// # Errors
    /// 422 on `sort` for a field that is not in the whitelist.
    pub fn parse(
        value: Option<&str>,
        allowed: &[(&str, C)],
        default: Sort<C>,
    ) -> Result<Self, ApiError> {
        let Some(raw) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(default);
        };
        let (name, descending) = match raw.strip_prefix('-') {
            Some(rest) => (rest, true),
            None => (raw.strip_prefix('+').unwrap_or(raw), false),
        };
        allowed
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, column)| Sort {
                column: *column,
                descending,
            })
            .ok_or_else(|| {
                let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
                ApiError::field(
                    "sort",
                    format!(
                        "cannot sort by {name:?}; use one of {} (prefix - for descending)",
                        names.join(", ")
                    ),
                )
            })
    }
}

/// Case-insensitive substring match of `term` on any of `columns`
/// (`LOWER(col) LIKE '%term%'` with `%`, `_` and `\` escaped, portable to SQLite and
/// PostgreSQL). `None` when there is no term.
pub fn search<C: ColumnTrait>(term: Option<&str>, columns: &[C]) -> Option<Condition> {
    let term = term.map(str::trim).filter(|t| !t.is_empty())?;
    let pattern = format!("%{}%", escape_like(&term.to_lowercase()));
    Some(columns.iter().fold(Condition::any(), |cond, c| {
        cond.add(Expr::expr(Func::lower(Expr::col(*c))).like(LikeExpr::new(&pattern).escape('\\')))
    }))
}

/// [`search`], narrowed first by the same match on `joined`: an SQL expression holding the
/// columns' text together, lower-cased, that a trigram index is built on (PostgreSQL uses
/// an expression index only for the very same expression). The index finds the few
/// candidate rows; the per-column match keeps the meaning exact, so a term that would only
/// match across two columns' boundary in `joined` matches nothing. `None` when there is no
/// term.
pub fn search_indexed<C: ColumnTrait>(
    term: Option<&str>,
    columns: &[C],
    joined: &'static str,
) -> Option<Condition> {
    let exact = search(term, columns)?;
    let term = term.map(str::trim).unwrap_or_default();
    let pattern = format!("%{}%", escape_like(&term.to_lowercase()));
    Some(
        Condition::all()
            .add(Expr::cust(joined).like(LikeExpr::new(&pattern).escape('\\')))
            .add(exact),
    )
}

/// Escapes the LIKE wildcards so a search for `50%` finds "50%" and not "50 anything".
fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The name of the window count [`fetch`] adds to a page's rows.
const TOTAL_COLUMN: &str = "total_count";

/// How many of the first sorted rows [`fetch`] counts with the page itself. A filter that
/// matches fewer rows (a search, nearly always) is answered by one query; one that matches
/// more falls back to a separate `COUNT(*)`, which can use a narrow index scan where a
/// window over every matching row could not.
const COUNTED_WITH_PAGE: u64 = 1000;

/// A row of a page together with the window count of the rows it was taken from.
struct Counted<M> {
    row: M,
    total: i64,
}

impl<M: FromQueryResult> FromQueryResult for Counted<M> {
    fn from_query_result(res: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        Ok(Self::from_query_result_nullable(res, pre)?)
    }

    fn from_query_result_nullable(res: &QueryResult, pre: &str) -> Result<Self, TryGetError> {
        Ok(Self {
            row: M::from_query_result_nullable(res, pre)?,
            total: res.try_get_nullable(pre, TOTAL_COLUMN)?,
        })
    }
}

/// The query of [`fetch`]: the page cut from the first `window` sorted rows, each row with
/// the count of those rows in [`TOTAL_COLUMN`]; and `window`.
fn counted_page<E: EntityTrait>(
    select: Select<E>,
    sort: Sort<E::Column>,
    tie_breaker: E::Column,
    paging: Paging,
) -> (SelectStatement, u64) {
    let order = if sort.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let end = paging.offset().saturating_add(paging.per_page);
    let window = Ord::max(end, COUNTED_WITH_PAGE);
    let first_rows = select
        .order_by_with_nulls(sort.column, order.clone(), NullOrdering::Last)
        .order_by(tie_breaker, order.clone())
        .limit(window)
        .into_query();
    let from = Alias::new("first_rows");
    let mut page = Query::select();
    page.column(Asterisk)
        .expr_as(Expr::cust("COUNT(*) OVER ()"), Alias::new(TOTAL_COLUMN))
        .from_subquery(first_rows, from.clone())
        .order_by_with_nulls(
            (from.clone(), sort.column),
            order.clone(),
            NullOrdering::Last,
        )
        .order_by((from, tie_breaker), order)
        .offset(paging.offset())
        .limit(paging.per_page);
    (page, window)
}

/// Fetches one page ordered by `sort` and then by `tie_breaker` (so pages never overlap
/// when sort values repeat), with the number of filtered rows. NULLs sort last in both
/// directions on both databases.
///
/// The filter runs once when it matches fewer than [`COUNTED_WITH_PAGE`] rows (or the page
/// reaches past them): the first sorted rows, up to that many and at least to the end of
/// the page, are counted with a window (`COUNT(*) OVER ()`, PostgreSQL and SQLite ≥ 3.25)
/// and the page is cut from them, in one query. A plain `COUNT(*)` keeps `total` exact
/// when that window is full, or when the page is empty past the first (then the window
/// count is not seen).
///
/// # Errors
/// The database failed.
pub async fn fetch<E>(
    conn: &impl ConnectionTrait,
    select: Select<E>,
    sort: Sort<E::Column>,
    tie_breaker: E::Column,
    paging: Paging,
) -> Result<(Vec<E::Model>, u64), DbErr>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let (page, window) = counted_page(select.clone(), sort, tie_breaker, paging);
    let rows = Counted::<E::Model>::find_by_statement(conn.get_database_backend().build(&page))
        .all(conn)
        .await?;
    let counted = rows.first().map(|r| u64::try_from(r.total).unwrap_or(0));
    let total = match counted {
        Some(n) if n < window => n,
        // Nothing on the first page: nothing matches.
        None if paging.offset() == 0 => 0,
        _ => select.count(conn).await?,
    };
    Ok((rows.into_iter().map(|r| r.row).collect(), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_defaults_and_bounds() {
        assert_eq!(
            Paging::parse(None, None).unwrap(),
            Paging {
                page: 1,
                per_page: 50
            }
        );
        assert_eq!(Paging::parse(Some(3), Some(200)).unwrap().offset(), 400);
        let last = Paging::parse(Some(MAX_PAGE), Some(MAX_PER_PAGE)).unwrap();
        assert!(i64::try_from(last.offset()).is_ok());
        for (page, per_page, field) in [
            (Some(0), None, "page"),
            (None, Some(0), "per_page"),
            (None, Some(201), "per_page"),
            (Some(1_000_001), None, "page"),
            (Some(u64::MAX), Some(200), "page"),
        ] {
            let ApiError::Client { errors, .. } = Paging::parse(page, per_page).unwrap_err() else {
                panic!("expected a client error")
            };
            assert_eq!(errors.unwrap()[0].field, field);
        }
    }

    #[test]
    fn sort_accepts_whitelisted_fields_in_both_directions() {
        let allowed = [("name", 1), ("created_at", 2)];
        let default = Sort {
            column: 2,
            descending: true,
        };
        assert_eq!(Sort::parse(None, &allowed, default).unwrap(), default);
        assert_eq!(
            Sort::parse(Some("name"), &allowed, default).unwrap(),
            Sort {
                column: 1,
                descending: false
            }
        );
        assert_eq!(
            Sort::parse(Some("-name"), &allowed, default).unwrap(),
            Sort {
                column: 1,
                descending: true
            }
        );
        let err = Sort::parse(Some("password_hash"), &allowed, default).unwrap_err();
        assert_eq!(err.code(), "VALIDATION_FAILED");
    }

    #[test]
    fn an_indexed_search_matches_the_joined_expression_and_each_column() {
        use sea_orm::{DbBackend, QueryFilter, QueryTrait};
        use tessera_domain::entity::tenant;
        let cond = search_indexed(
            Some(" Falcon "),
            &[tenant::Column::Slug, tenant::Column::Name],
            "LOWER(slug || ' ' || name)",
        )
        .unwrap();
        let sql = tenant::Entity::find()
            .filter(cond)
            .build(DbBackend::Postgres)
            .to_string();
        assert!(
            sql.contains("(LOWER(slug || ' ' || name)) LIKE '%falcon%'"),
            "{sql}"
        );
        assert!(sql.contains(r#"LOWER("slug") LIKE '%falcon%'"#), "{sql}");
        assert!(sql.contains(r#"OR LOWER("name") LIKE '%falcon%'"#), "{sql}");
        assert!(search_indexed::<tenant::Column>(Some("  "), &[], "x").is_none());
    }

    #[test]
    fn a_page_is_cut_from_the_counted_first_rows() {
        use sea_orm::{DbBackend, QueryFilter};
        use tessera_domain::entity::tenant;
        let sort = Sort {
            column: tenant::Column::Name,
            descending: true,
        };
        let select = tenant::Entity::find().filter(tenant::Column::Plan.eq("pro"));
        let paging = Paging::parse(Some(3), Some(20)).unwrap();
        let (page, window) = counted_page(select.clone(), sort, tenant::Column::Id, paging);
        assert_eq!(window, COUNTED_WITH_PAGE);
        let sql = DbBackend::Postgres.build(&page).to_string();
        assert!(
            sql.starts_with(r#"SELECT *, COUNT(*) OVER () AS "total_count" FROM (SELECT"#),
            "{sql}"
        );
        assert!(
            sql.contains(r#"WHERE "tenants"."plan" = 'pro' ORDER BY "tenants"."name" DESC NULLS LAST, "tenants"."id" DESC LIMIT 1000) AS "first_rows""#),
            "{sql}"
        );
        assert!(
            sql.ends_with(r#"ORDER BY "first_rows"."name" DESC NULLS LAST, "first_rows"."id" DESC LIMIT 20 OFFSET 40"#),
            "{sql}"
        );
        // A page past the first 1,000 rows widens the window to its end.
        let deep = Paging::parse(Some(30), Some(50)).unwrap();
        assert_eq!(counted_page(select, sort, tenant::Column::Id, deep).1, 1500);
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
