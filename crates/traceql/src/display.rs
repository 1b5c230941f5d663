//! Tempo-style rendering of field expressions (`ast_stringer.go` format):
//! used to name spanset attributes such as `by(.foo)` and `avg(duration)`.

use crate::ast::{AggregateKind, AttrScope, Attribute, Expr, ExprKind, Intrinsic, SpanKind, Static, Status, UnaryOp};
use crate::duration::format_go_duration;
use std::fmt::{self, Display, Formatter, Write};

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Static(s) => s.fmt(f),
            ExprKind::Attribute(a) => a.fmt(f),
            ExprKind::Intrinsic(i) => f.write_str(intrinsic_name(*i)),
            ExprKind::Unary { op, operand } => {
                f.write_char(if *op == UnaryOp::Neg { '-' } else { '!' })?;
                operand_fmt(operand, f)
            }
            ExprKind::Binary { op, lhs, rhs } => {
                operand_fmt(lhs, f)?;
                write!(f, " {} ", op.symbol())?;
                operand_fmt(rhs, f)
            }
        }
    }
}

fn operand_fmt(e: &Expr, f: &mut Formatter<'_>) -> fmt::Result {
    if matches!(e.kind, ExprKind::Binary { .. }) { write!(f, "({e})") } else { e.fmt(f) }
}

pub fn intrinsic_name(i: Intrinsic) -> &'static str {
    match i {
        Intrinsic::Duration => "duration",
        Intrinsic::Name => "name",
        Intrinsic::Status => "status",
        Intrinsic::StatusMessage => "statusMessage",
        Intrinsic::Kind => "kind",
        Intrinsic::ChildCount => "span:childCount",
        Intrinsic::Parent => "parent",
        Intrinsic::SpanId => "span:id",
        Intrinsic::ParentId => "span:parentID",
        Intrinsic::TraceId => "trace:id",
        Intrinsic::TraceRootName => "rootName",
        Intrinsic::TraceRootService => "rootServiceName",
        Intrinsic::TraceDuration => "traceDuration",
        Intrinsic::EventName => "event:name",
        Intrinsic::EventTimeSinceStart => "event:timeSinceStart",
        Intrinsic::LinkTraceId => "link:traceID",
        Intrinsic::LinkSpanId => "link:spanID",
        Intrinsic::InstrumentationName => "instrumentation:name",
        Intrinsic::InstrumentationVersion => "instrumentation:version",
        Intrinsic::NestedSetLeft => "nestedSetLeft",
        Intrinsic::NestedSetRight => "nestedSetRight",
        Intrinsic::NestedSetParent => "nestedSetParent",
    }
}

impl Display for Attribute {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.parent {
            // `parent.resource.x`; an unscoped `parent.x` gets its dot from the prefix below.
            f.write_str(if self.scope == AttrScope::None { "parent" } else { "parent." })?;
        }
        let prefix = match self.scope {
            AttrScope::None => ".",
            AttrScope::Span => "span.",
            AttrScope::Resource => "resource.",
            AttrScope::Event => "event.",
            AttrScope::Link => "link.",
            AttrScope::Instrumentation => "instrumentation.",
        };
        let prefix = if self.parent && self.scope == AttrScope::None { "." } else { prefix };
        f.write_str(prefix)?;
        let plain =
            !self.name.is_empty() && !self.name.chars().any(|c| c.is_whitespace() || "{}()=~!<>&|^,\"".contains(c));
        if plain {
            f.write_str(&self.name)
        } else {
            f.write_char('"')?;
            for c in self.name.chars() {
                if c == '"' || c == '\\' {
                    f.write_char('\\')?;
                }
                f.write_char(c)?;
            }
            f.write_char('"')
        }
    }
}

impl Display for Static {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Static::Nil => f.write_str("nil"),
            Static::Bool(b) => write!(f, "{b}"),
            Static::Int(i) => write!(f, "{i}"),
            Static::Float(x) => write!(f, "{x}"),
            Static::DurationNanos(d) => f.write_str(&format_go_duration(*d)),
            Static::String(s) => write!(f, "`{s}`"),
            Static::Status(s) => f.write_str(status_name(*s)),
            Static::Kind(k) => f.write_str(kind_name(*k)),
        }
    }
}

pub fn status_name(s: Status) -> &'static str {
    match s {
        Status::Error => "error",
        Status::Ok => "ok",
        Status::Unset => "unset",
    }
}

pub fn kind_name(k: SpanKind) -> &'static str {
    match k {
        SpanKind::Unspecified => "unspecified",
        SpanKind::Internal => "internal",
        SpanKind::Client => "client",
        SpanKind::Server => "server",
        SpanKind::Producer => "producer",
        SpanKind::Consumer => "consumer",
    }
}

/// `count()`, `avg(duration)`: the spanset attribute name Tempo uses.
pub fn aggregate_label(kind: AggregateKind, arg: Option<&Expr>) -> String {
    match arg {
        Some(e) => format!("{}({e})", kind.name()),
        None => format!("{}()", kind.name()),
    }
}
