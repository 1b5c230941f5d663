//! Token classes for syntax highlighting in the search box. Works on any
//! input, valid or not: it only lexes.

use crate::lexer::lex;
use crate::token::{Keyword, TokenKind};
use serde::{Deserialize, Serialize};
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TokenClass {
    /// `{ } ( ) ,`
    Punctuation,
    /// Comparison, arithmetic, logical, structural operators and `|`.
    Operator,
    String,
    Number,
    Duration,
    /// `true false nil`, status and kind enums.
    Constant,
    /// `name`, `duration`, `span:id`, ...
    Intrinsic,
    /// `count`, `by`, `rate`, `with`, ...
    Function,
    /// `span.`, `resource.`, `.`, `trace:`, ...
    Scope,
    /// An attribute name after a scope.
    Attribute,
    /// Any other word (an error in TraceQL, shown as such).
    Identifier,
    /// Text the lexer could not read.
    Invalid,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HighlightToken {
    pub class: TokenClass,
    /// Byte range into the query text.
    pub range: Range<usize>,
}

pub fn classify(kind: &TokenKind) -> Option<TokenClass> {
    use TokenKind as T;
    Some(match kind {
        T::OpenBrace | T::CloseBrace | T::OpenParen | T::CloseParen | T::Comma => TokenClass::Punctuation,
        T::String(_) => TokenClass::String,
        T::Integer(_) | T::Float(_) => TokenClass::Number,
        T::DurationNanos(_) => TokenClass::Duration,
        T::Keyword(k) if k.is_literal() => TokenClass::Constant,
        T::Keyword(k) if k.is_function() => TokenClass::Function,
        T::Keyword(Keyword::With) => TokenClass::Function,
        T::Keyword(_) => TokenClass::Intrinsic,
        T::Dot | T::ScopeDot(_) | T::ScopeColon(_) => TokenClass::Scope,
        T::AttrName(_) => TokenClass::Attribute,
        T::Ident(_) => TokenClass::Identifier,
        T::Invalid(_) => TokenClass::Invalid,
        T::EndAttribute => return None,
        _ => TokenClass::Operator,
    })
}

/// Every visible token with its class and byte range, in order.
pub fn tokens(src: &str) -> Vec<HighlightToken> {
    lex(src)
        .into_iter()
        .filter_map(|t| classify(&t.kind).map(|class| HighlightToken { class, range: t.range }))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn classifies_tokens() {
        let toks = tokens(r#"{ span.http.method = "GET" && duration > 1s } | count() > 2"#);
        let classes: Vec<TokenClass> = toks.iter().map(|t| t.class).collect();
        use TokenClass::*;
        assert_eq!(
            classes,
            [
                Punctuation,
                Scope,
                Attribute,
                Operator,
                String,
                Operator,
                Intrinsic,
                Operator,
                Duration,
                Punctuation,
                Operator,
                Function,
                Punctuation,
                Punctuation,
                Operator,
                Number
            ]
        );
        assert_eq!(toks[2].range, 7..18);
        assert!(!tokens("{ \"unterminated").is_empty());
    }
}
