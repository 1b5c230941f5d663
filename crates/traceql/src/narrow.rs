//! What to ask a backend's tag APIs at the editor's cursor, narrowed by the query typed so far.
//!
//! Tempo's `/api/v2/search/tag/<tag>/values?q=…` and `/api/v2/search/tags?scope=…&q=…` restrict their
//! answer to spans matching `q`. The condition being typed is not part of that filter (its value is
//! what we are asking for), so it is cut out with its `&&`/`||`, as Grafana's editor does:
//! `{ resource.service.name = "frontend" && span.http.method = |` asks for the values of
//! `span.http.method` with `q={ resource.service.name = "frontend" }`. A filter that would match
//! everything (`{ }`) is left out, so one cache entry serves every empty query.
//!
//! Pure Rust, tested natively: the app only does the I/O.

use crate::ast::{AttrScope, Intrinsic};
use crate::complete::{Completion, CompletionKind, ValueTarget, completion_at};
use crate::lexer::lex;
use crate::literal::{attr_name, quote};
use crate::token::{Token, TokenKind};

/// One request to a tag API.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Lookup {
    /// The values of `tag` (a TraceQL identifier: `resource.service.name`, `.http.method`, `name`).
    Values { tag: String, query: Option<String> },
    /// Tag names of one scope (`span`, `resource`, …; `None`: every scope).
    Names { scope: Option<&'static str>, query: Option<String> },
}

impl Lookup {
    /// The narrowing filter sent as `q=`, if any.
    pub fn query(&self) -> Option<&str> {
        match self {
            Lookup::Values { query, .. } | Lookup::Names { query, .. } => query.as_deref(),
        }
    }
}

/// The tag API request for the cursor at byte `cursor` of `src`, or `None` where the backend has
/// nothing to add (keywords such as `status = `, a position that is not a name or a value).
pub fn lookup_at(src: &str, cursor: usize) -> Option<Lookup> {
    let completion = completion_at(src, cursor);
    match &completion.kind {
        CompletionKind::Value { target } => {
            let tag = tag_identifier(target)?;
            Some(Lookup::Values { tag, query: narrowed_query(src, &completion) })
        }
        CompletionKind::AttributeName { scope } => {
            Some(Lookup::Names { scope: scope_name(*scope), query: narrowed_query(src, &completion) })
        }
        _ => None,
    }
}

/// The TraceQL identifier Tempo's v2 tag-values endpoint takes for `target`; `None` for intrinsics
/// whose values are fixed keywords or durations (the editor already offers those).
pub fn tag_identifier(target: &ValueTarget) -> Option<String> {
    match target {
        ValueTarget::Attribute { scope, name } => {
            let prefix = scope_name(*scope).unwrap_or("");
            Some(format!("{prefix}.{}", attr_name(name)))
        }
        ValueTarget::Intrinsic(Intrinsic::Name) => Some("name".to_owned()),
        ValueTarget::Intrinsic(Intrinsic::TraceRootName) => Some("rootName".to_owned()),
        ValueTarget::Intrinsic(Intrinsic::TraceRootService) => Some("rootServiceName".to_owned()),
        ValueTarget::Intrinsic(Intrinsic::StatusMessage) => Some("statusMessage".to_owned()),
        ValueTarget::Intrinsic(_) => None,
    }
}

fn scope_name(scope: AttrScope) -> Option<&'static str> {
    match scope {
        AttrScope::Span => Some("span"),
        AttrScope::Resource => Some("resource"),
        AttrScope::Event => Some("event"),
        AttrScope::Link => Some("link"),
        AttrScope::Instrumentation => Some("instrumentation"),
        AttrScope::None => None,
    }
}

fn is_comparison(k: &TokenKind) -> bool {
    matches!(
        k,
        TokenKind::Eq
            | TokenKind::Neq
            | TokenKind::Re
            | TokenKind::Nre
            | TokenKind::Lt
            | TokenKind::Lte
            | TokenKind::Gt
            | TokenKind::Gte
    )
}

/// Tokens that make up a field (`span.x`, `.x`, `name`, `span:name`), walking back from a comparison.
fn is_field_part(k: &TokenKind) -> bool {
    matches!(
        k,
        TokenKind::EndAttribute
            | TokenKind::AttrName(_)
            | TokenKind::ScopeDot(_)
            | TokenKind::Dot
            | TokenKind::Keyword(_)
            | TokenKind::ScopeColon(_)
    )
}

/// Byte range of the condition at the cursor: the field (and its operator and the value typed so
/// far, for a value).
fn condition_range(src: &str, completion: &Completion) -> Option<(usize, usize)> {
    let before = src.get(..completion.replace.start)?;
    let toks = lex(before);
    let mut i = toks.len();
    if matches!(completion.kind, CompletionKind::Value { .. }) {
        // The text before the value ends with `field op`.
        let op = toks.iter().rposition(|t| is_comparison(&t.kind))?;
        i = op;
    }
    // Walk back over the field's tokens (at most a scope, a name and the end marker).
    let mut start = completion.replace.start;
    let mut steps = 0;
    while i > 0 && steps < 4 && is_field_part(&toks[i - 1].kind) {
        i -= 1;
        steps += 1;
        start = toks[i].range.start;
        let scoped_keyword = matches!(toks[i].kind, TokenKind::Keyword(_))
            && i >= 1
            && matches!(toks[i - 1].kind, TokenKind::ScopeColon(_));
        let field_start = matches!(toks[i].kind, TokenKind::ScopeDot(_) | TokenKind::Dot | TokenKind::ScopeColon(_))
            || (matches!(toks[i].kind, TokenKind::Keyword(_)) && !scoped_keyword);
        if field_start {
            break;
        }
    }
    // The value or name may go on after the cursor (`"fro|ntend"`): cut the whole token.
    let full = lex(src);
    let end = full
        .iter()
        .find(|t| t.range.start == completion.replace.start && !completion.replace.is_empty())
        .map_or(completion.replace.end, |t| t.range.end.max(completion.replace.end));
    Some((start, end.min(src.len())))
}

/// The query without the condition at the cursor, or `None` when what is left filters nothing or
/// does not parse even with its braces closed.
fn narrowed_query(src: &str, completion: &Completion) -> Option<String> {
    let (mut start, mut end) = condition_range(src, completion)?;
    let toks = lex(src);
    let before = toks.iter().rev().find(|t| t.range.end <= start && t.kind != TokenKind::EndAttribute);
    let after = toks.iter().find(|t| t.range.start >= end && t.kind != TokenKind::EndAttribute);
    let connector = |t: Option<&Token>| t.filter(|t| matches!(t.kind, TokenKind::And | TokenKind::Or)).cloned();
    if let Some(t) = connector(before) {
        start = t.range.start;
    } else if let Some(t) = connector(after) {
        end = t.range.end;
    }
    let left = src.get(..start)?.trim_end();
    let right = src.get(end..)?.trim_start();
    let joined = match (left.is_empty(), right.is_empty()) {
        (false, false) => format!("{left} {right}"),
        _ => format!("{left}{right}"),
    };
    if let Some(q) = usable(&joined) {
        return Some(q);
    }
    // Something after the cursor is unfinished too: keep what comes before, braces closed.
    usable(&close_brackets(left))
}

/// `q` trimmed, if it parses and filters something.
fn usable(q: &str) -> Option<String> {
    let q = q.trim();
    let compact: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() || compact == "{}" || crate::parse(q).is_err() {
        return None;
    }
    Some(q.to_owned())
}

fn close_brackets(text: &str) -> String {
    let mut open = Vec::new();
    for t in lex(text) {
        match t.kind {
            TokenKind::OpenBrace => open.push('}'),
            TokenKind::OpenParen => open.push(')'),
            TokenKind::CloseBrace | TokenKind::CloseParen => {
                open.pop();
            }
            _ => {}
        }
    }
    let mut out = text.trim_end().to_owned();
    for closer in open.into_iter().rev() {
        out.push(' ');
        out.push(closer);
    }
    out
}

/// A tag value as Tempo types it (`string`, `int`, `float`, `bool`, `duration`, `keyword`) written
/// as a TraceQL literal: strings quoted (and escaped), everything else bare. Unknown types are
/// quoted, which is always a valid literal.
pub fn typed_literal(kind: &str, value: &str) -> String {
    match kind {
        "int" | "float" | "bool" | "duration" | "keyword" if !value.trim().is_empty() => value.trim().to_owned(),
        _ => quote(value),
    }
}

/// A tag API's answer, to turn into suggestions for the completion it was asked for.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Answer {
    #[default]
    Nothing,
    /// Typed values: (Tempo's type, value).
    Values(Vec<(String, String)>),
    /// Tag names by scope, as `parse_tag_names` gives them.
    Names(Vec<(String, Vec<String>)>),
}

/// The popup's entries for `completion` from a backend answer, filtered by what has been typed.
#[cfg(feature = "model")]
pub fn answer_suggestions(completion: &Completion, answer: &Answer) -> Vec<crate::suggest::Suggestion> {
    use crate::suggest::{AttrIndex, suggestions};
    let index = match (answer, &completion.kind) {
        (Answer::Values(values), CompletionKind::Value { target }) => match target {
            ValueTarget::Attribute { scope, name } => {
                // Unscoped values are read from the span and resource lists: one is enough.
                let scope = if *scope == AttrScope::None { AttrScope::Span } else { *scope };
                let literals = values.iter().map(|(k, v)| typed_literal(k, v)).collect();
                AttrIndex::from_tags(&[], vec![((scope, name.clone()), literals)], Vec::new(), Vec::new())
            }
            ValueTarget::Intrinsic(Intrinsic::Name | Intrinsic::TraceRootName) => {
                let names = values.iter().map(|(_, v)| v.clone()).collect();
                AttrIndex::from_tags(&[], Vec::new(), Vec::new(), names)
            }
            ValueTarget::Intrinsic(Intrinsic::TraceRootService) => {
                let services = values.iter().map(|(_, v)| v.clone()).collect();
                AttrIndex::from_tags(&[], Vec::new(), services, Vec::new())
            }
            ValueTarget::Intrinsic(_) => return Vec::new(),
        },
        (Answer::Names(scoped), CompletionKind::AttributeName { .. }) => {
            AttrIndex::from_tags(scoped, Vec::new(), Vec::new(), Vec::new())
        }
        _ => return Vec::new(),
    };
    suggestions(&index, completion)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at_end(src: &str) -> Option<Lookup> {
        lookup_at(src, src.len())
    }

    fn values(tag: &str, query: Option<&str>) -> Option<Lookup> {
        Some(Lookup::Values { tag: tag.to_owned(), query: query.map(str::to_owned) })
    }

    #[test]
    fn value_lookups_drop_the_condition_being_typed() {
        let narrowed = Some(r#"{ resource.service.name = "frontend" }"#);
        assert_eq!(
            at_end(r#"{ resource.service.name = "frontend" && span.http.method = "#),
            values("span.http.method", narrowed)
        );
        // A partly typed value, an unscoped attribute, an intrinsic.
        assert_eq!(
            at_end(r#"{ resource.service.name = "frontend" && .http.method = "GE"#),
            values(".http.method", narrowed)
        );
        assert_eq!(at_end(r#"{ resource.service.name = "frontend" && name = "#), values("name", narrowed));
        assert_eq!(at_end(r#"{ resource.service.name = "frontend" || name != "#), values("name", narrowed));
        // The only condition: nothing to narrow by.
        assert_eq!(at_end("{ resource.service.name = "), values("resource.service.name", None));
        assert_eq!(at_end("{ name = \"GET"), values("name", None));
        // Keyword-valued intrinsics are the editor's own.
        assert_eq!(at_end("{ .a = 1 && status = "), None);
        assert_eq!(at_end("{ duration > "), None);
        // Scoped intrinsics and quoted attribute names.
        assert_eq!(at_end("{ span:name = "), values("name", None));
        assert_eq!(
            at_end("{ status = error && resource.\"k8s pod\" = "),
            values("resource.\"k8s pod\"", Some("{ status = error }"))
        );
    }

    #[test]
    fn text_after_the_cursor_is_kept_when_it_parses() {
        let src = r#"{ span.http.method = "GET" && resource.service.name = "fro" && status = error }"#;
        let cursor = src.find("fro").unwrap() + 3;
        assert_eq!(
            lookup_at(src, cursor),
            values("resource.service.name", Some(r#"{ span.http.method = "GET" && status = error }"#))
        );
        // First condition: the `&&` after it goes with it.
        let src = "{ name =  && .a = 1 }";
        assert_eq!(lookup_at(src, 9), values("name", Some("{ .a = 1 }")));
        // Something unfinished after the cursor: the part before it, braces closed.
        let src = "{ .a = 1 && name =  && .b = }";
        assert_eq!(lookup_at(src, src.find("&& .b").unwrap() - 1), values("name", Some("{ .a = 1 }")));
        // Other spansets stay (an emptied one matches any span: the filter means the same).
        let src = r#"{ .a = 1 } && { name = "#;
        assert_eq!(at_end(src), values("name", Some("{ .a = 1 } && { }")));
    }

    #[test]
    fn name_lookups_are_scoped_and_narrowed() {
        assert_eq!(
            at_end(r#"{ resource.service.name = "cart" && span.ht"#),
            Some(Lookup::Names {
                scope: Some("span"),
                query: Some(r#"{ resource.service.name = "cart" }"#.to_owned())
            })
        );
        assert_eq!(at_end("{ resource."), Some(Lookup::Names { scope: Some("resource"), query: None }));
        assert_eq!(
            at_end("{ status = error && ."),
            Some(Lookup::Names { scope: None, query: Some("{ status = error }".into()) })
        );
        assert_eq!(at_end("{ "), None);
        assert_eq!(at_end(""), None);
    }

    #[test]
    fn typed_values_are_quoted_only_when_strings() {
        assert_eq!(typed_literal("string", "GET /cart"), r#""GET /cart""#);
        assert_eq!(typed_literal("string", "say \"hi\"\\"), r#""say \"hi\"\\""#);
        assert_eq!(typed_literal("int", "500"), "500");
        assert_eq!(typed_literal("float", "0.5"), "0.5");
        assert_eq!(typed_literal("bool", "true"), "true");
        assert_eq!(typed_literal("duration", "1.5s"), "1.5s");
        assert_eq!(typed_literal("keyword", "error"), "error");
        assert_eq!(typed_literal("mystery", "x"), r#""x""#);
        assert_eq!(typed_literal("int", ""), r#""""#);
    }

    #[cfg(feature = "model")]
    #[test]
    fn answers_become_filtered_suggestions() {
        let src = r#"{ resource.service.name = "a" && span.http.status_code = "#;
        let c = completion_at(src, src.len());
        let answer = Answer::Values(vec![("int".into(), "200".into()), ("int".into(), "500".into())]);
        let labels: Vec<String> = answer_suggestions(&c, &answer).into_iter().map(|s| s.label).collect();
        assert_eq!(labels, ["200", "500"]);
        let src = r#"{ name = "GE"#;
        let c = completion_at(src, src.len());
        let answer = Answer::Values(vec![("string".into(), "GET /cart".into()), ("string".into(), "POST /pay".into())]);
        let got = answer_suggestions(&c, &answer);
        assert_eq!(got.iter().map(|s| s.insert.as_str()).collect::<Vec<_>>(), [r#""GET /cart""#]);
        let src = "{ span.";
        let c = completion_at(src, src.len());
        let answer =
            Answer::Names(vec![("span".into(), vec!["http.method".into()]), ("resource".into(), vec!["x".into()])]);
        let labels: Vec<String> = answer_suggestions(&c, &answer).into_iter().map(|s| s.label).collect();
        assert_eq!(labels, ["http.method"]);
        // An answer for another kind of position offers nothing.
        assert!(answer_suggestions(&c, &Answer::Values(vec![("string".into(), "x".into())])).is_empty());
    }
}
