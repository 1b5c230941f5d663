//! The Tempo search page's simple mode (Grafana's "search builder"): service, span name, status,
//! minimum and maximum duration and optional tag conditions, written as one TraceQL spanset filter,
//! and read back from a query when the query is exactly what the form would write.
//!
//! It lives here rather than in the backends crate because reading a query back needs the lexer,
//! and because proving the output valid needs the parser; `quote` is the one place strings are
//! escaped. The URL's `q` stays the single source of truth: the form is derived from it.

use crate::duration::parse_duration_nanos;
use crate::lexer::lex;
use crate::literal::quote;
use crate::token::{Keyword, ScopeDot, TokenKind};

/// The status filter: `None` in [`SimpleSearch::status`] means any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimpleStatus {
    Error,
    Ok,
    Unset,
}

impl SimpleStatus {
    pub const ALL: [SimpleStatus; 3] = [SimpleStatus::Error, SimpleStatus::Ok, SimpleStatus::Unset];

    /// The TraceQL keyword (also the form's `<option>` value).
    pub fn keyword(self) -> &'static str {
        match self {
            SimpleStatus::Error => "error",
            SimpleStatus::Ok => "ok",
            SimpleStatus::Unset => "unset",
        }
    }

    pub fn from_keyword(word: &str) -> Option<SimpleStatus> {
        SimpleStatus::ALL.into_iter().find(|s| s.keyword() == word)
    }
}

/// Comparison operators a tag condition may use.
pub const TAG_OPERATORS: [&str; 8] = ["=", "!=", ">", ">=", "<", "<=", "=~", "!~"];

/// One extra condition: `span.http.method = "GET"`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagCondition {
    /// A scoped attribute as typed: `span.http.method`, `resource.k8s.namespace.name`, `.x`.
    pub attribute: String,
    /// One of [`TAG_OPERATORS`].
    pub operator: String,
    /// The value as typed: numbers and `true`/`false` are written bare, anything else quoted
    /// (always quoted after `=~`/`!~`, which take a regular expression string).
    pub value: String,
}

/// The simple form. Empty strings mean "any".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SimpleSearch {
    pub service: String,
    pub span_name: String,
    pub status: Option<SimpleStatus>,
    /// Duration literals as typed (`100ms`, `1.5s`); ignored while they do not parse.
    pub min_duration: String,
    pub max_duration: String,
    pub tags: Vec<TagCondition>,
}

const SCOPES: [&str; 6] = ["span.", "resource.", "event.", "link.", "instrumentation.", "."];

/// `true` when a duration field's text is a TraceQL duration (so it is part of the query).
pub fn is_duration(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && parse_duration_nanos(t).is_some()
}

fn is_bare_literal(v: &str) -> bool {
    let numeric = v.parse::<f64>().is_ok_and(f64::is_finite)
        && !v.starts_with(['+', '.'])
        && !v.ends_with('.')
        && !v.contains(['e', 'E', 'i', 'I', 'n', 'N']);
    numeric || v == "true" || v == "false"
}

/// A tag's attribute as TraceQL, if it is one: a scope and a name the lexer reads as one attribute.
fn attribute_text(attribute: &str) -> Option<String> {
    let a = attribute.trim();
    let scope = SCOPES.iter().find(|p| a.starts_with(**p))?;
    let name = &a[scope.len()..];
    let plain = !name.is_empty()
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | ':'))
        && !name.starts_with(['.', ':']);
    plain.then(|| a.to_owned())
}

impl TagCondition {
    /// The condition as TraceQL, or `None` while it is incomplete or invalid.
    pub fn to_traceql(&self) -> Option<String> {
        let attribute = attribute_text(&self.attribute)?;
        let op = TAG_OPERATORS.iter().find(|o| **o == self.operator.trim())?;
        let value = self.value.trim();
        if value.is_empty() {
            return None;
        }
        let regex = matches!(*op, "=~" | "!~");
        let literal = if !regex && is_bare_literal(value) { value.to_owned() } else { quote(value) };
        Some(format!("{attribute} {op} {literal}"))
    }
}

impl SimpleSearch {
    /// The form as one spanset filter; `{}` (every trace) when nothing is chosen.
    pub fn to_traceql(&self) -> String {
        let mut conds = Vec::new();
        if !self.service.is_empty() {
            conds.push(format!("resource.service.name = {}", quote(&self.service)));
        }
        if !self.span_name.is_empty() {
            conds.push(format!("name = {}", quote(&self.span_name)));
        }
        if let Some(s) = self.status {
            conds.push(format!("status = {}", s.keyword()));
        }
        if is_duration(&self.min_duration) {
            conds.push(format!("duration >= {}", self.min_duration.trim()));
        }
        if is_duration(&self.max_duration) {
            conds.push(format!("duration <= {}", self.max_duration.trim()));
        }
        conds.extend(self.tags.iter().filter_map(TagCondition::to_traceql));
        if conds.is_empty() { "{}".to_owned() } else { format!("{{ {} }}", conds.join(" && ")) }
    }

    /// The form a query was written by, if it could have been: one `{ … }` of `&&`-joined
    /// conditions the form knows, each at most once (tags any number of times). An empty query is
    /// the empty form. Anything else (`||`, pipelines, other fields) is `None`: TraceQL mode.
    pub fn from_traceql(q: &str) -> Option<SimpleSearch> {
        let q = q.trim();
        let mut form = SimpleSearch::default();
        if q.is_empty() {
            return Some(form);
        }
        let toks = lex(q);
        let (first, rest) = toks.split_first()?;
        let (last, inner) = rest.split_last()?;
        if first.kind != TokenKind::OpenBrace || last.kind != TokenKind::CloseBrace {
            return None;
        }
        if inner.is_empty() {
            return Some(form);
        }
        for cond in inner.split(|t| t.kind == TokenKind::And) {
            let (field, rest) = match cond {
                // scope, name, end marker
                [scope, name, end, rest @ ..] if end.kind == TokenKind::EndAttribute => {
                    let TokenKind::AttrName(n) = &name.kind else { return None };
                    let service = scope.kind == TokenKind::ScopeDot(ScopeDot::Resource) && n == "service.name";
                    (if service { Field::Service } else { Field::Tag(q.get(scope.range.start..name.range.end)?) }, rest)
                }
                [word, rest @ ..] => match word.kind {
                    TokenKind::Keyword(Keyword::Name) => (Field::Name, rest),
                    TokenKind::Keyword(Keyword::Status) => (Field::Status, rest),
                    TokenKind::Keyword(Keyword::Duration) => (Field::Duration, rest),
                    _ => return None,
                },
                [] => return None,
            };
            let [op, value] = rest else { return None };
            let op_text = q.get(op.range.clone())?;
            let value_text = q.get(value.range.clone())?;
            match (field, &op.kind, &value.kind) {
                (Field::Service, TokenKind::Eq, TokenKind::String(s)) if form.service.is_empty() && !s.is_empty() => {
                    form.service = s.clone();
                }
                (Field::Name, TokenKind::Eq, TokenKind::String(s)) if form.span_name.is_empty() && !s.is_empty() => {
                    form.span_name = s.clone();
                }
                (Field::Status, TokenKind::Eq, TokenKind::Keyword(_)) if form.status.is_none() => {
                    form.status = Some(SimpleStatus::from_keyword(value_text)?);
                }
                (Field::Duration, TokenKind::Gte, TokenKind::DurationNanos(_)) if form.min_duration.is_empty() => {
                    form.min_duration = value_text.to_owned();
                }
                (Field::Duration, TokenKind::Lte, TokenKind::DurationNanos(_)) if form.max_duration.is_empty() => {
                    form.max_duration = value_text.to_owned();
                }
                (Field::Tag(attribute), _, TokenKind::String(s)) => {
                    // A quoted number would come back bare: not what the query says.
                    let regex = matches!(op.kind, TokenKind::Re | TokenKind::Nre);
                    if (!regex && is_bare_literal(s)) || s.trim() != s || s.is_empty() {
                        return None;
                    }
                    form.tags.push(TagCondition {
                        attribute: attribute.to_owned(),
                        operator: op_text.to_owned(),
                        value: s.clone(),
                    });
                }
                (
                    Field::Tag(attribute),
                    _,
                    TokenKind::Integer(_) | TokenKind::Float(_) | TokenKind::Keyword(Keyword::True | Keyword::False),
                ) if is_bare_literal(value_text) => {
                    form.tags.push(TagCondition {
                        attribute: attribute.to_owned(),
                        operator: op_text.to_owned(),
                        value: value_text.to_owned(),
                    });
                }
                _ => return None,
            }
        }
        // The form must write the same conditions back (the order may differ).
        let written = form.to_traceql();
        (crate::parse(&written).is_ok() && same_conditions(&written, q)).then_some(form)
    }
}

#[derive(Clone, Copy)]
enum Field<'a> {
    Service,
    Name,
    Status,
    Duration,
    Tag(&'a str),
}

/// Both queries have the same multiset of token sequences between their `&&`s (inside the braces).
fn same_conditions(a: &str, b: &str) -> bool {
    let conds = |q: &str| {
        let toks = lex(q);
        let inner = toks.get(1..toks.len().saturating_sub(1)).unwrap_or_default();
        let mut out: Vec<String> = inner
            .split(|t| t.kind == TokenKind::And)
            .map(|c| c.iter().map(|t| format!("{:?}", t.kind)).collect::<Vec<_>>().join(" "))
            .collect();
        out.sort();
        out
    };
    conds(a) == conds(b)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn full() -> SimpleSearch {
        SimpleSearch {
            service: "frontend".into(),
            span_name: "GET /cart".into(),
            status: Some(SimpleStatus::Error),
            min_duration: "100ms".into(),
            max_duration: "1.5s".into(),
            tags: vec![TagCondition {
                attribute: "span.http.status_code".into(),
                operator: ">=".into(),
                value: "500".into(),
            }],
        }
    }

    #[test]
    fn the_form_writes_valid_traceql() {
        let q = full().to_traceql();
        assert_eq!(
            q,
            r#"{ resource.service.name = "frontend" && name = "GET /cart" && status = error && duration >= 100ms && duration <= 1.5s && span.http.status_code >= 500 }"#
        );
        assert!(crate::check(&q).is_ok(), "{q}");
        assert_eq!(SimpleSearch::default().to_traceql(), "{}");
        assert!(crate::check("{}").is_ok());
    }

    #[test]
    fn strings_are_escaped() {
        let form = SimpleSearch {
            service: r#"we"ird\svc"#.into(),
            span_name: "line\nbreak".into(),
            tags: vec![TagCondition { attribute: "span.q".into(), operator: "=~".into(), value: r"a\d+".into() }],
            ..SimpleSearch::default()
        };
        let q = form.to_traceql();
        assert_eq!(q, r#"{ resource.service.name = "we\"ird\\svc" && name = "line\nbreak" && span.q =~ "a\\d+" }"#);
        assert!(crate::check(&q).is_ok(), "{q}");
        // And they come back unescaped.
        assert_eq!(SimpleSearch::from_traceql(&q), Some(form));
    }

    #[test]
    fn unfinished_fields_are_left_out() {
        let form = SimpleSearch {
            min_duration: "1.".into(),
            max_duration: "soon".into(),
            tags: vec![
                TagCondition { attribute: "span.".into(), operator: "=".into(), value: "x".into() },
                TagCondition { attribute: "http.method".into(), operator: "=".into(), value: "GET".into() },
                TagCondition { attribute: "span.a".into(), operator: "=".into(), value: " ".into() },
            ],
            ..SimpleSearch::default()
        };
        assert_eq!(form.to_traceql(), "{}");
    }

    #[test]
    fn queries_the_form_wrote_read_back() {
        let form = full();
        assert_eq!(SimpleSearch::from_traceql(&form.to_traceql()), Some(form));
        assert_eq!(SimpleSearch::from_traceql(""), Some(SimpleSearch::default()));
        assert_eq!(SimpleSearch::from_traceql("{ }"), Some(SimpleSearch::default()));
        // Another order, other spacing.
        let q = r#"{status=ok&&resource.service.name="cart"}"#;
        let form = SimpleSearch::from_traceql(q).unwrap();
        assert_eq!(form.service, "cart");
        assert_eq!(form.status, Some(SimpleStatus::Ok));
        // Bare and quoted tag values keep their types.
        let form = SimpleSearch::from_traceql(r#"{ .retry = true && span.code = 500 && span.m = "GET" }"#).unwrap();
        assert_eq!(form.tags.iter().map(|t| t.value.as_str()).collect::<Vec<_>>(), ["true", "500", "GET"]);
    }

    #[test]
    fn other_queries_stay_in_traceql_mode() {
        for q in [
            r#"{ resource.service.name = "a" || name = "b" }"#,
            r#"{ name = "a" } && { name = "b" }"#,
            "{ status = error } | count() > 2",
            "{ duration > 100ms }",
            r#"{ name = "a" && name = "b" }"#,
            r#"{ resource.service.name != "a" }"#,
            r#"{ span.code = "500" }"#,
            "{ kind = server }",
            "{ status = error",
            "{ .a = 1 + 1 }",
            "not traceql",
        ] {
            assert_eq!(SimpleSearch::from_traceql(q), None, "{q}");
        }
    }
}
