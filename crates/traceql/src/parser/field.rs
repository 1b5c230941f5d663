//! Field expressions: the language inside `{ }`, `by()`, aggregates and
//! `select()`. Precedence (lowest first): `&& ||`, comparisons, `+ -` (and
//! prefix `-`), prefix `!`, `* / %`, `^` (right-assoc).

use super::Parser;
use crate::ast::{AttrScope, Attribute, BinaryOp, Expr, ExprKind, Intrinsic, SpanKind, Static, Status, UnaryOp};
use crate::token::{Keyword, ScopeColon, ScopeDot, TokenKind};

const PREC_NEG: u8 = 4;
const PREC_NOT: u8 = 5;

fn field_binop(kind: &TokenKind) -> Option<(BinaryOp, u8)> {
    Some(match kind {
        TokenKind::And => (BinaryOp::And, 2),
        TokenKind::Or => (BinaryOp::Or, 2),
        TokenKind::Eq => (BinaryOp::Eq, 3),
        TokenKind::Neq => (BinaryOp::Neq, 3),
        TokenKind::Lt => (BinaryOp::Lt, 3),
        TokenKind::Lte => (BinaryOp::Lte, 3),
        TokenKind::Gt => (BinaryOp::Gt, 3),
        TokenKind::Gte => (BinaryOp::Gte, 3),
        TokenKind::Re => (BinaryOp::Re, 3),
        TokenKind::Nre => (BinaryOp::Nre, 3),
        TokenKind::Add => (BinaryOp::Add, 4),
        TokenKind::Sub => (BinaryOp::Sub, 4),
        TokenKind::Mul => (BinaryOp::Mul, 6),
        TokenKind::Div => (BinaryOp::Div, 6),
        TokenKind::Mod => (BinaryOp::Mod, 6),
        TokenKind::Pow => (BinaryOp::Pow, 7),
        _ => return None,
    })
}

fn is_nil(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Static(Static::Nil))
}

/// Intrinsics written without a scope.
pub(crate) fn bare_intrinsic(k: Keyword) -> Option<Intrinsic> {
    Some(match k {
        Keyword::Duration => Intrinsic::Duration,
        Keyword::Name => Intrinsic::Name,
        Keyword::Status => Intrinsic::Status,
        Keyword::StatusMessage => Intrinsic::StatusMessage,
        Keyword::Kind => Intrinsic::Kind,
        Keyword::RootName => Intrinsic::TraceRootName,
        Keyword::RootServiceName => Intrinsic::TraceRootService,
        Keyword::TraceDuration => Intrinsic::TraceDuration,
        Keyword::NestedSetLeft => Intrinsic::NestedSetLeft,
        Keyword::NestedSetRight => Intrinsic::NestedSetRight,
        Keyword::NestedSetParent => Intrinsic::NestedSetParent,
        Keyword::Parent => Intrinsic::Parent,
        _ => return None,
    })
}

/// The valid `scope:name` combinations.
pub(crate) fn scoped_intrinsic(scope: ScopeColon, k: Keyword) -> Option<Intrinsic> {
    use Keyword as K;
    use ScopeColon as S;
    Some(match (scope, k) {
        (S::Trace, K::Duration) => Intrinsic::TraceDuration,
        (S::Trace, K::RootName) => Intrinsic::TraceRootName,
        (S::Trace, K::RootService) => Intrinsic::TraceRootService,
        (S::Trace, K::Id) => Intrinsic::TraceId,
        (S::Span, K::Duration) => Intrinsic::Duration,
        (S::Span, K::Name) => Intrinsic::Name,
        (S::Span, K::Kind) => Intrinsic::Kind,
        (S::Span, K::Status) => Intrinsic::Status,
        (S::Span, K::StatusMessage) => Intrinsic::StatusMessage,
        (S::Span, K::Id) => Intrinsic::SpanId,
        (S::Span, K::ParentId) => Intrinsic::ParentId,
        (S::Span, K::ChildCount) => Intrinsic::ChildCount,
        (S::Event, K::Name) => Intrinsic::EventName,
        (S::Event, K::TimeSinceStart) => Intrinsic::EventTimeSinceStart,
        (S::Link, K::TraceId) => Intrinsic::LinkTraceId,
        (S::Link, K::SpanId) => Intrinsic::LinkSpanId,
        (S::Instrumentation, K::Name) => Intrinsic::InstrumentationName,
        (S::Instrumentation, K::Version) => Intrinsic::InstrumentationVersion,
        _ => return None,
    })
}

pub(crate) fn keyword_static(k: Keyword) -> Option<Static> {
    Some(match k {
        Keyword::True => Static::Bool(true),
        Keyword::False => Static::Bool(false),
        Keyword::Nil => Static::Nil,
        Keyword::StatusOk => Static::Status(Status::Ok),
        Keyword::StatusError => Static::Status(Status::Error),
        Keyword::StatusUnset => Static::Status(Status::Unset),
        Keyword::KindUnspecified => Static::Kind(SpanKind::Unspecified),
        Keyword::KindInternal => Static::Kind(SpanKind::Internal),
        Keyword::KindServer => Static::Kind(SpanKind::Server),
        Keyword::KindClient => Static::Kind(SpanKind::Client),
        Keyword::KindProducer => Static::Kind(SpanKind::Producer),
        Keyword::KindConsumer => Static::Kind(SpanKind::Consumer),
        _ => return None,
    })
}

impl Parser<'_> {
    /// A complete field expression. Returns the expression and its depth.
    pub(crate) fn field_expr(&mut self) -> Option<Expr> {
        self.field_bp(0).map(|(e, _)| e)
    }

    fn field_bp(&mut self, min_prec: u8) -> Option<(Expr, u32)> {
        self.enter()?;
        let result = self.field_bp_inner(min_prec);
        self.leave();
        result
    }

    fn field_bp_inner(&mut self, min_prec: u8) -> Option<(Expr, u32)> {
        let (mut lhs, mut depth) = self.field_prefix()?;
        while let Some((op, prec)) = self.peek().and_then(field_binop) {
            if prec < min_prec {
                break;
            }
            let op_range = self.here();
            self.bump();
            // `^` is right-associative; everything else is left.
            let next_min = if op == BinaryOp::Pow { prec } else { prec + 1 };
            let (rhs, rhs_depth) = self.field_bp(next_min)?;
            if (is_nil(&lhs) || is_nil(&rhs)) && !matches!(op, BinaryOp::Eq | BinaryOp::Neq) {
                self.error_at(
                    op_range,
                    format!("syntax error: nil can only be compared with = or != (found {})", op.symbol()),
                );
                return None;
            }
            let range = lhs.range.start..rhs.range.end;
            depth = depth.max(rhs_depth) + 1;
            self.check_node_depth(depth, range.clone())?;
            lhs = Expr { kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, range };
        }
        Some((lhs, depth))
    }

    fn field_prefix(&mut self) -> Option<(Expr, u32)> {
        let start = self.here().start;
        let Some(kind) = self.peek().cloned() else {
            self.unexpected("a field expression");
            return None;
        };
        let unary = match kind {
            TokenKind::Sub => Some((UnaryOp::Neg, PREC_NEG + 1)),
            TokenKind::Not => Some((UnaryOp::Not, PREC_NOT + 1)),
            _ => None,
        };
        if let Some((op, operand_prec)) = unary {
            self.bump();
            let (operand, depth) = self.field_bp(operand_prec)?;
            if is_nil(&operand) {
                self.error_at(operand.range.clone(), "syntax error: unexpected nil");
                return None;
            }
            let range = start..operand.range.end;
            return Some((Expr { kind: ExprKind::Unary { op, operand: Box::new(operand) }, range }, depth + 1));
        }
        if kind == TokenKind::OpenParen {
            self.bump();
            let (inner, depth) = self.field_bp(0)?;
            self.expect(&TokenKind::CloseParen, ")")?;
            // Parentheses are not kept as nodes; widen the range instead.
            let range = start..self.last_end();
            return Some((Expr { kind: inner.kind, range }, depth));
        }
        let expr_kind = self.field_leaf(&kind)?;
        let range = start..self.last_end();
        Some((Expr { kind: expr_kind, range }, 1))
    }

    fn field_leaf(&mut self, kind: &TokenKind) -> Option<ExprKind> {
        let leaf = match kind {
            TokenKind::String(s) => ExprKind::Static(Static::String(s.clone())),
            TokenKind::Integer(i) => ExprKind::Static(Static::Int(*i)),
            TokenKind::Float(f) => ExprKind::Static(Static::Float(*f)),
            TokenKind::DurationNanos(d) => ExprKind::Static(Static::DurationNanos(*d)),
            TokenKind::Keyword(Keyword::Nil) => {
                // `nil` is only a literal right next to `=` or `!=`.
                let cmp = |k: Option<&TokenKind>| matches!(k, Some(TokenKind::Eq | TokenKind::Neq));
                if !cmp(self.prev()) && !cmp(self.peek_at(1)) {
                    self.unexpected("");
                    return None;
                }
                ExprKind::Static(Static::Nil)
            }
            TokenKind::Keyword(k) => {
                if let Some(s) = keyword_static(*k) {
                    ExprKind::Static(s)
                } else if let Some(i) = bare_intrinsic(*k) {
                    ExprKind::Intrinsic(i)
                } else {
                    self.unexpected("a field expression");
                    return None;
                }
            }
            TokenKind::Ident(name) => match name.as_str() {
                "minInt" => ExprKind::Static(Static::Int(i64::MIN)),
                "maxInt" => ExprKind::Static(Static::Int(i64::MAX)),
                _ => {
                    let range = self.here();
                    self.error_at(range, format!("unknown identifier: {name}"));
                    return None;
                }
            },
            TokenKind::ScopeColon(scope) => {
                let scope = *scope;
                self.bump();
                let found = match self.peek() {
                    Some(TokenKind::Keyword(k)) => scoped_intrinsic(scope, *k),
                    _ => None,
                };
                let Some(intrinsic) = found else {
                    self.unexpected("an intrinsic valid for this scope");
                    return None;
                };
                self.bump();
                return Some(ExprKind::Intrinsic(intrinsic));
            }
            TokenKind::Dot | TokenKind::ScopeDot(_) => {
                return self.attribute().map(ExprKind::Attribute);
            }
            _ => {
                self.unexpected("a field expression");
                return None;
            }
        };
        self.bump();
        Some(leaf)
    }

    /// `.name`, `span.name`, `parent.resource.name`, ...
    fn attribute(&mut self) -> Option<Attribute> {
        let mut parent = false;
        let mut scope = match self.bump().map(|t| t.kind) {
            Some(TokenKind::Dot) => AttrScope::None,
            Some(TokenKind::ScopeDot(s)) => scope_of(s, &mut parent),
            _ => return None,
        };
        if parent && let Some(TokenKind::ScopeDot(s @ (ScopeDot::Span | ScopeDot::Resource))) = self.peek() {
            let mut ignored = false;
            scope = scope_of(*s, &mut ignored);
            self.bump();
        }
        let name = match self.peek() {
            Some(TokenKind::AttrName(n)) => n.clone(),
            _ => {
                self.unexpected("an attribute name");
                return None;
            }
        };
        self.bump();
        self.expect(&TokenKind::EndAttribute, "END_ATTRIBUTE")?;
        Some(Attribute { scope, parent, name })
    }
}

fn scope_of(s: ScopeDot, parent: &mut bool) -> AttrScope {
    match s {
        ScopeDot::Span => AttrScope::Span,
        ScopeDot::Resource => AttrScope::Resource,
        ScopeDot::Event => AttrScope::Event,
        ScopeDot::Link => AttrScope::Link,
        ScopeDot::Instrumentation => AttrScope::Instrumentation,
        ScopeDot::Parent => {
            *parent = true;
            AttrScope::None
        }
    }
}
