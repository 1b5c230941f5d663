//! The TraceQL condition that selects a statistics row's spans, put in the find box when a row is
//! clicked: the waterfall and the flame graph then highlight the row's spans (the shared focus), the
//! URL keeps it, and the user sees, and can edit, exactly what was selected.

use spanlens_analysis::stats::{GroupKey, StatsTable};
use spanlens_model::{AnyValue, Span, TraceSet};
use spanlens_traceql::{attr_name, quote, value_literal};

/// `{ … }` matching the spans of `table.rows[row]` (a detail row adds its parent's condition).
/// `sample` is any member of the row with its set (every member shares the row's values).
/// `None` when the row's value cannot be written as a literal (a bytes or array attribute).
pub fn row_query(
    (set, span): (&TraceSet, &Span),
    table: &StatsTable,
    row: usize,
    first: &GroupKey,
    second: Option<&GroupKey>,
) -> Option<String> {
    let r = table.rows.get(row)?;
    let own = match (r.parent, second) {
        (Some(_), Some(key)) => key,
        _ => first,
    };
    let mut parts = Vec::new();
    if let Some(parent) = r.parent {
        let parent_missing = table.rows.get(parent as usize).is_some_and(|p| p.without_tag);
        parts.push(condition(set, span, first, parent_missing)?);
    }
    parts.push(condition(set, span, own, r.without_tag)?);
    Some(format!("{{ {} }}", parts.join(" && ")))
}

fn condition(set: &TraceSet, span: &Span, key: &GroupKey, missing: bool) -> Option<String> {
    match key {
        GroupKey::Service => Some(format!("resource.service.name = {}", quote(set.resolve(span.service)))),
        GroupKey::Operation => Some(format!("name = {}", quote(set.resolve(span.name)))),
        GroupKey::Attr(name) if missing => Some(format!(".{} = nil", attr_name(name))),
        GroupKey::Attr(name) => {
            let value = attribute(set, span, name)?;
            Some(format!(".{} = {}", attr_name(name), value_literal(set, value)?))
        }
    }
}

/// The span's own attribute, else its resource's (the statistics' grouping rule).
fn attribute<'a>(set: &'a TraceSet, span: &'a Span, name: &str) -> Option<&'a AnyValue> {
    let key = set.strings.get(name)?;
    span.attribute(key).or_else(|| set.resource(span)?.attributes.iter().find(|a| a.key == key).map(|a| &a.value))
}
