//! What the search box should offer at the cursor. Lexes the text before
//! the cursor and looks at the last few tokens; never fails. The app fills
//! the suggestions (attribute names and values) from the loaded traces.

use crate::ast::{AttrScope, Intrinsic};
use crate::lexer::lex;
use crate::parser::field_scoped_intrinsic;
use crate::token::{Keyword, ScopeColon, ScopeDot, Token, TokenKind};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// The attribute or intrinsic a value is being typed for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ValueTarget {
    Attribute { scope: AttrScope, name: String },
    Intrinsic(Intrinsic),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompletionKind {
    /// Start of a query: `{`, `(`, or a pipeline function.
    QueryStart,
    /// Start of a field expression: scopes (`span.` ...), intrinsics, `!`.
    Field,
    /// An attribute name for this scope (`None` = unscoped `.x`).
    AttributeName { scope: AttrScope },
    /// An intrinsic after `span:`, `trace:` ...
    ScopedIntrinsic { scope: ScopeColon },
    /// A comparison operator after an attribute or intrinsic.
    Operator,
    /// A value for the target, after its operator.
    Value { target: ValueTarget },
    /// After `}`: `&&`, `||`, structural operators, `|`.
    SpansetOperator,
    /// After `|`: a spanset filter or a pipeline function.
    PipelineStage,
    /// Nothing sensible (inside a string, after an error, ...).
    None,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    pub kind: CompletionKind,
    /// What has been typed of the item being completed.
    pub prefix: String,
    /// Byte range the chosen suggestion should replace.
    pub replace: Range<usize>,
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
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

fn scope_of(k: &TokenKind) -> Option<AttrScope> {
    Some(match k {
        TokenKind::Dot => AttrScope::None,
        TokenKind::ScopeDot(ScopeDot::Span) => AttrScope::Span,
        TokenKind::ScopeDot(ScopeDot::Resource) => AttrScope::Resource,
        TokenKind::ScopeDot(ScopeDot::Event) => AttrScope::Event,
        TokenKind::ScopeDot(ScopeDot::Link) => AttrScope::Link,
        TokenKind::ScopeDot(ScopeDot::Instrumentation) => AttrScope::Instrumentation,
        TokenKind::ScopeDot(ScopeDot::Parent) => AttrScope::None,
        _ => return None,
    })
}

/// The operand (attribute or intrinsic) that ends at token index `end`
/// (inclusive), if any.
fn operand_before(toks: &[Token], end: usize) -> Option<ValueTarget> {
    match toks.get(end).map(|t| &t.kind) {
        Some(TokenKind::EndAttribute) => {
            let name = match toks.get(end.checked_sub(1)?).map(|t| &t.kind) {
                Some(TokenKind::AttrName(n)) => n.clone(),
                _ => return None,
            };
            let scope = scope_of(&toks.get(end.checked_sub(2)?)?.kind)?;
            Some(ValueTarget::Attribute { scope, name })
        }
        Some(TokenKind::Keyword(k)) => {
            if let Some(TokenKind::ScopeColon(s)) = end.checked_sub(1).and_then(|i| toks.get(i)).map(|t| &t.kind) {
                return field_scoped_intrinsic(*s, *k).map(ValueTarget::Intrinsic);
            }
            crate::parser::field_bare_intrinsic(*k).map(ValueTarget::Intrinsic)
        }
        _ => None,
    }
}

/// What to complete at byte offset `cursor` of `src`.
pub fn completion_at(src: &str, cursor: usize) -> Completion {
    let cursor = floor_char_boundary(src, cursor);
    let before = &src[..cursor];
    let toks = lex(before);
    let none = |kind| Completion { kind, prefix: String::new(), replace: cursor..cursor };
    let Some(last_idx) = toks.len().checked_sub(1) else {
        return none(CompletionKind::QueryStart);
    };
    let mut idx = last_idx;
    // The zero-width END_ATTRIBUTE at the cursor means "still typing the name".
    if toks[idx].kind == TokenKind::EndAttribute && toks[idx].range.end == cursor && idx > 0 {
        idx -= 1;
        let t = &toks[idx];
        if let TokenKind::AttrName(name) = &t.kind
            && let Some(scope) = idx.checked_sub(1).and_then(|i| scope_of(&toks[i].kind))
        {
            return Completion {
                kind: CompletionKind::AttributeName { scope },
                prefix: name.clone(),
                replace: t.range.clone(),
            };
        }
        if let Some(scope) = scope_of(&t.kind) {
            return none(CompletionKind::AttributeName { scope });
        }
    }
    let last = &toks[last_idx];
    let touching = last.range.end == cursor;
    // A word being typed: decide from what precedes it.
    if touching && matches!(last.kind, TokenKind::Ident(_) | TokenKind::Keyword(_)) {
        let prefix = before[last.range.clone()].to_string();
        let prev = last_idx.checked_sub(1).map(|i| &toks[i].kind);
        let kind = match prev {
            Some(TokenKind::ScopeColon(s)) => CompletionKind::ScopedIntrinsic { scope: *s },
            Some(k) if is_comparison(k) => match operand_before(&toks, last_idx.saturating_sub(2)) {
                Some(target) => CompletionKind::Value { target },
                None => CompletionKind::None,
            },
            Some(TokenKind::Pipe) => CompletionKind::PipelineStage,
            None => CompletionKind::QueryStart,
            _ => CompletionKind::Field,
        };
        return Completion { kind, prefix, replace: last.range.clone() };
    }
    if touching && let TokenKind::ScopeColon(s) = last.kind {
        return none(CompletionKind::ScopedIntrinsic { scope: s });
    }
    // A value being typed (a string, maybe unterminated).
    if touching
        && matches!(
            last.kind,
            TokenKind::String(_) | TokenKind::Invalid(_) | TokenKind::Integer(_) | TokenKind::Float(_)
        )
    {
        if let Some(op_idx) = last_idx.checked_sub(1)
            && is_comparison(&toks[op_idx].kind)
            && let Some(target) = operand_before(&toks, op_idx.saturating_sub(1))
        {
            let prefix = before[last.range.clone()].trim_start_matches(['"', '`']).to_string();
            return Completion { kind: CompletionKind::Value { target }, prefix, replace: last.range.clone() };
        }
        return none(CompletionKind::None);
    }
    if is_comparison(&last.kind) {
        return match operand_before(&toks, last_idx.saturating_sub(1)) {
            Some(target) => none(CompletionKind::Value { target }),
            None => none(CompletionKind::None),
        };
    }
    if operand_before(&toks, last_idx).is_some() {
        return none(CompletionKind::Operator);
    }
    let kind = match &last.kind {
        TokenKind::OpenBrace | TokenKind::And | TokenKind::Or | TokenKind::Not | TokenKind::OpenParen => {
            if inside_braces(&toks) {
                CompletionKind::Field
            } else {
                CompletionKind::QueryStart
            }
        }
        TokenKind::CloseBrace | TokenKind::CloseParen => CompletionKind::SpansetOperator,
        TokenKind::Pipe => CompletionKind::PipelineStage,
        TokenKind::Keyword(Keyword::By) => CompletionKind::None,
        _ => CompletionKind::None,
    };
    none(kind)
}

fn inside_braces(toks: &[Token]) -> bool {
    let mut depth = 0i32;
    for t in toks {
        match t.kind {
            TokenKind::OpenBrace => depth += 1,
            TokenKind::CloseBrace => depth -= 1,
            _ => {}
        }
    }
    depth > 0
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn kind(src: &str) -> CompletionKind {
        completion_at(src, src.len()).kind
    }

    #[test]
    fn completes_common_positions() {
        assert_eq!(kind(""), CompletionKind::QueryStart);
        assert_eq!(kind("{ "), CompletionKind::Field);
        assert_eq!(kind("{ span."), CompletionKind::AttributeName { scope: AttrScope::Span });
        let c = completion_at("{ resource.serv", 15);
        assert_eq!(c.kind, CompletionKind::AttributeName { scope: AttrScope::Resource });
        assert_eq!((c.prefix.as_str(), c.replace), ("serv", 11..15));
        assert_eq!(kind("{ span:"), CompletionKind::ScopedIntrinsic { scope: ScopeColon::Span });
        assert_eq!(kind("{ .http.method "), CompletionKind::Operator);
        let want = CompletionKind::Value {
            target: ValueTarget::Attribute { scope: AttrScope::None, name: "http.method".into() },
        };
        assert_eq!(kind("{ .http.method = "), want);
        assert_eq!(kind("{ .http.method = \"GE"), want);
        assert_eq!(kind("{ status = "), CompletionKind::Value { target: ValueTarget::Intrinsic(Intrinsic::Status) });
        assert_eq!(kind("{ span:kind != "), CompletionKind::Value { target: ValueTarget::Intrinsic(Intrinsic::Kind) });
        assert_eq!(kind("{ } "), CompletionKind::SpansetOperator);
        assert_eq!(kind("{ } | "), CompletionKind::PipelineStage);
        assert_eq!(kind("{ .a = 1 && "), CompletionKind::Field);
        assert_eq!(completion_at("{ µ", 3).kind, CompletionKind::Field);
    }
}
