//! Token kinds. Names follow Tempo's lexer (`tempo_name`) so the conformance
//! vectors can be compared directly.

use serde::{Deserialize, Serialize};
use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Token {
    pub kind: TokenKind,
    pub range: Range<usize>,
}

/// Scope words that switch the lexer into attribute mode (`span.` ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ScopeDot {
    Span,
    Resource,
    Event,
    Link,
    Instrumentation,
    Parent,
}

/// Scope words that introduce a scoped intrinsic (`span:` ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ScopeColon {
    Trace,
    Span,
    Event,
    Link,
    Instrumentation,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Keyword {
    True,
    False,
    Nil,
    StatusOk,
    StatusError,
    StatusUnset,
    KindUnspecified,
    KindInternal,
    KindServer,
    KindClient,
    KindProducer,
    KindConsumer,
    // Intrinsics usable bare.
    Duration,
    Name,
    Status,
    StatusMessage,
    Kind,
    RootName,
    RootServiceName,
    TraceDuration,
    NestedSetLeft,
    NestedSetRight,
    NestedSetParent,
    Parent,
    // Only meaningful after a scope colon.
    ChildCount,
    RootService,
    Id,
    TraceId,
    SpanId,
    ParentId,
    TimeSinceStart,
    Version,
    // Functions.
    Count,
    Avg,
    Max,
    Min,
    Sum,
    By,
    Coalesce,
    Select,
    Rate,
    CountOverTime,
    MinOverTime,
    MaxOverTime,
    AvgOverTime,
    SumOverTime,
    QuantileOverTime,
    HistogramOverTime,
    Compare,
    Topk,
    Bottomk,
    With,
}

/// (text, keyword, Tempo token name). One table drives lexing, naming and
/// autocomplete so they cannot drift apart.
pub const KEYWORDS: &[(&str, Keyword, &str)] = &[
    ("true", Keyword::True, "TRUE"),
    ("false", Keyword::False, "FALSE"),
    ("nil", Keyword::Nil, "NIL"),
    ("ok", Keyword::StatusOk, "STATUS_OK"),
    ("error", Keyword::StatusError, "STATUS_ERROR"),
    ("unset", Keyword::StatusUnset, "STATUS_UNSET"),
    ("unspecified", Keyword::KindUnspecified, "KIND_UNSPECIFIED"),
    ("internal", Keyword::KindInternal, "KIND_INTERNAL"),
    ("server", Keyword::KindServer, "KIND_SERVER"),
    ("client", Keyword::KindClient, "KIND_CLIENT"),
    ("producer", Keyword::KindProducer, "KIND_PRODUCER"),
    ("consumer", Keyword::KindConsumer, "KIND_CONSUMER"),
    ("duration", Keyword::Duration, "IDURATION"),
    ("name", Keyword::Name, "NAME"),
    ("status", Keyword::Status, "STATUS"),
    ("statusMessage", Keyword::StatusMessage, "STATUS_MESSAGE"),
    ("kind", Keyword::Kind, "KIND"),
    ("rootName", Keyword::RootName, "ROOTNAME"),
    ("rootServiceName", Keyword::RootServiceName, "ROOTSERVICENAME"),
    ("traceDuration", Keyword::TraceDuration, "TRACEDURATION"),
    ("nestedSetLeft", Keyword::NestedSetLeft, "NESTEDSETLEFT"),
    ("nestedSetRight", Keyword::NestedSetRight, "NESTEDSETRIGHT"),
    ("nestedSetParent", Keyword::NestedSetParent, "NESTEDSETPARENT"),
    ("parent", Keyword::Parent, "PARENT"),
    ("childCount", Keyword::ChildCount, "CHILDCOUNT"),
    ("rootService", Keyword::RootService, "ROOTSERVICE"),
    ("id", Keyword::Id, "ID"),
    ("traceID", Keyword::TraceId, "TRACE_ID"),
    ("spanID", Keyword::SpanId, "SPAN_ID"),
    ("parentID", Keyword::ParentId, "PARENT_ID"),
    ("timeSinceStart", Keyword::TimeSinceStart, "TIMESINCESTART"),
    ("version", Keyword::Version, "VERSION"),
    ("count", Keyword::Count, "COUNT"),
    ("avg", Keyword::Avg, "AVG"),
    ("max", Keyword::Max, "MAX"),
    ("min", Keyword::Min, "MIN"),
    ("sum", Keyword::Sum, "SUM"),
    ("by", Keyword::By, "BY"),
    ("coalesce", Keyword::Coalesce, "COALESCE"),
    ("select", Keyword::Select, "SELECT"),
    ("rate", Keyword::Rate, "RATE"),
    ("count_over_time", Keyword::CountOverTime, "COUNT_OVER_TIME"),
    ("min_over_time", Keyword::MinOverTime, "MIN_OVER_TIME"),
    ("max_over_time", Keyword::MaxOverTime, "MAX_OVER_TIME"),
    ("avg_over_time", Keyword::AvgOverTime, "AVG_OVER_TIME"),
    ("sum_over_time", Keyword::SumOverTime, "SUM_OVER_TIME"),
    ("quantile_over_time", Keyword::QuantileOverTime, "QUANTILE_OVER_TIME"),
    ("histogram_over_time", Keyword::HistogramOverTime, "HISTOGRAM_OVER_TIME"),
    ("compare", Keyword::Compare, "COMPARE"),
    ("topk", Keyword::Topk, "TOPK"),
    ("bottomk", Keyword::Bottomk, "BOTTOMK"),
    ("with", Keyword::With, "WITH"),
];

impl Keyword {
    pub fn lookup(text: &str) -> Option<Keyword> {
        KEYWORDS.iter().find(|(t, _, _)| *t == text).map(|(_, k, _)| *k)
    }

    pub fn text(self) -> &'static str {
        KEYWORDS.iter().find(|(_, k, _)| *k == self).map_or("", |(t, _, _)| t)
    }

    fn tempo_name(self) -> &'static str {
        KEYWORDS.iter().find(|(_, k, _)| *k == self).map_or("", |(_, _, n)| n)
    }

    pub fn is_literal(self) -> bool {
        use Keyword::*;
        matches!(
            self,
            True | False
                | Nil
                | StatusOk
                | StatusError
                | StatusUnset
                | KindUnspecified
                | KindInternal
                | KindServer
                | KindClient
                | KindProducer
                | KindConsumer
        )
    }

    pub fn is_function(self) -> bool {
        (self as u8) >= (Keyword::Count as u8)
    }
}

impl ScopeDot {
    pub fn from_word(word: &str) -> Option<ScopeDot> {
        Some(match word {
            "span" => ScopeDot::Span,
            "resource" => ScopeDot::Resource,
            "event" => ScopeDot::Event,
            "link" => ScopeDot::Link,
            "instrumentation" => ScopeDot::Instrumentation,
            "parent" => ScopeDot::Parent,
            _ => return None,
        })
    }
}

impl ScopeColon {
    pub fn from_word(word: &str) -> Option<ScopeColon> {
        Some(match word {
            "trace" => ScopeColon::Trace,
            "span" => ScopeColon::Span,
            "event" => ScopeColon::Event,
            "link" => ScopeColon::Link,
            "instrumentation" => ScopeColon::Instrumentation,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TokenKind {
    OpenBrace,
    CloseBrace,
    OpenParen,
    CloseParen,
    Comma,
    Dot,
    Pipe,
    Eq,
    Neq,
    Re,
    Nre,
    Gt,
    Gte,
    Lt,
    Lte,
    Desc,
    Ance,
    Tilde,
    NotChild,
    NotParent,
    NotDesc,
    NotAnce,
    UnionChild,
    UnionParent,
    UnionDesc,
    UnionAnce,
    UnionSibl,
    And,
    Or,
    Not,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    String(String),
    Integer(i64),
    Float(f64),
    DurationNanos(i64),
    Keyword(Keyword),
    ScopeDot(ScopeDot),
    ScopeColon(ScopeColon),
    /// A bare word that is not a keyword (also a lone `&`, `:` or `'c'`).
    Ident(String),
    /// An attribute name after `.`/`span.`..., quotes already removed.
    AttrName(String),
    /// Zero-width marker at the end of an attribute name.
    EndAttribute,
    /// Text the lexer could not read; carries the message.
    Invalid(String),
}

/// Operators in longest-match order. Every prefix of a multi-character
/// operator of length >= 2 is itself an operator, so longest match equals
/// Tempo's rune-by-rune greedy extension.
pub(crate) const OPERATORS: &[(&str, TokenKind)] = &[
    ("!>>", TokenKind::NotDesc),
    ("!<<", TokenKind::NotAnce),
    ("&>>", TokenKind::UnionDesc),
    ("&<<", TokenKind::UnionAnce),
    ("!=", TokenKind::Neq),
    ("!~", TokenKind::Nre),
    ("!>", TokenKind::NotChild),
    ("!<", TokenKind::NotParent),
    ("&&", TokenKind::And),
    ("&>", TokenKind::UnionChild),
    ("&<", TokenKind::UnionParent),
    ("&~", TokenKind::UnionSibl),
    ("=~", TokenKind::Re),
    (">=", TokenKind::Gte),
    (">>", TokenKind::Desc),
    ("<=", TokenKind::Lte),
    ("<<", TokenKind::Ance),
    ("||", TokenKind::Or),
    ("{", TokenKind::OpenBrace),
    ("}", TokenKind::CloseBrace),
    ("(", TokenKind::OpenParen),
    (")", TokenKind::CloseParen),
    (",", TokenKind::Comma),
    ("|", TokenKind::Pipe),
    ("=", TokenKind::Eq),
    (">", TokenKind::Gt),
    ("<", TokenKind::Lt),
    ("~", TokenKind::Tilde),
    ("!", TokenKind::Not),
    ("+", TokenKind::Add),
    ("-", TokenKind::Sub),
    ("*", TokenKind::Mul),
    ("/", TokenKind::Div),
    ("%", TokenKind::Mod),
    ("^", TokenKind::Pow),
];

impl TokenKind {
    /// Tempo's token name (`lexer.go`), used by the conformance vectors and
    /// in "unexpected X" messages.
    pub fn tempo_name(&self) -> &'static str {
        use TokenKind::*;
        match self {
            OpenBrace => "OPEN_BRACE",
            CloseBrace => "CLOSE_BRACE",
            OpenParen => "OPEN_PARENS",
            CloseParen => "CLOSE_PARENS",
            Comma => "COMMA",
            Dot => "DOT",
            Pipe => "PIPE",
            Eq => "EQ",
            Neq => "NEQ",
            Re => "RE",
            Nre => "NRE",
            Gt => "GT",
            Gte => "GTE",
            Lt => "LT",
            Lte => "LTE",
            Desc => "DESC",
            Ance => "ANCE",
            Tilde => "SIBL",
            NotChild => "NOT_CHILD",
            NotParent => "NOT_PARENT",
            NotDesc => "NOT_DESC",
            NotAnce => "NOT_ANCE",
            UnionChild => "UNION_CHILD",
            UnionParent => "UNION_PARENT",
            UnionDesc => "UNION_DESC",
            UnionAnce => "UNION_ANCE",
            UnionSibl => "UNION_SIBL",
            And => "AND",
            Or => "OR",
            Not => "NOT",
            Add => "ADD",
            Sub => "SUB",
            Mul => "MUL",
            Div => "DIV",
            Mod => "MOD",
            Pow => "POW",
            String(_) => "STRING",
            Integer(_) => "INTEGER",
            Float(_) => "FLOAT",
            DurationNanos(_) => "DURATION",
            Keyword(k) => k.tempo_name(),
            ScopeDot(s) => match s {
                self::ScopeDot::Span => "SPAN_DOT",
                self::ScopeDot::Resource => "RESOURCE_DOT",
                self::ScopeDot::Event => "EVENT_DOT",
                self::ScopeDot::Link => "LINK_DOT",
                self::ScopeDot::Instrumentation => "INSTRUMENTATION_DOT",
                self::ScopeDot::Parent => "PARENT_DOT",
            },
            ScopeColon(s) => match s {
                self::ScopeColon::Trace => "TRACE_COLON",
                self::ScopeColon::Span => "SPAN_COLON",
                self::ScopeColon::Event => "EVENT_COLON",
                self::ScopeColon::Link => "LINK_COLON",
                self::ScopeColon::Instrumentation => "INSTRUMENTATION_COLON",
            },
            Ident(_) | AttrName(_) => "IDENTIFIER",
            EndAttribute => "END_ATTRIBUTE",
            Invalid(_) => "INVALID",
        }
    }

    /// Short human description for error messages, e.g. `unexpected }`.
    pub fn describe(&self) -> String {
        use TokenKind::*;
        match self {
            String(s) => format!("string {s:?}"),
            Integer(i) => i.to_string(),
            Float(f) => f.to_string(),
            DurationNanos(_) => "duration".to_string(),
            Keyword(k) => k.text().to_string(),
            ScopeDot(_) | ScopeColon(_) => self.tempo_name().to_string(),
            Ident(s) => s.clone(),
            AttrName(s) => format!("attribute {s}"),
            EndAttribute => "END_ATTRIBUTE".to_string(),
            Invalid(m) => m.clone(),
            other => OPERATORS
                .iter()
                .find(|(_, k)| k == other)
                .map_or_else(|| other.tempo_name().to_string(), |(t, _)| (*t).to_string()),
        }
    }
}
