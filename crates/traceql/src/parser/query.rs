//! The query level, parsed loosely into `QNode`s with Tempo's operator
//! table (`|` < `&& ||` < comparisons/structural < `+ -` < `* / %` < `^`).
//! `lower.rs` then decides what each shape means or rejects it.

use super::Parser;
use super::field::keyword_static;
use crate::ast::{Aggregate, AggregateKind, Expr, ExprKind, Hint, MetricsFn, MetricsFnKind, SpansetExpr, Static};
use crate::token::{Keyword, TokenKind};
use std::ops::Range;

/// Operators between query-level operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum QOp {
    And,
    Or,
    Eq,
    Neq,
    Lt,
    Lte,
    Gt,
    Gte,
    Re,
    Nre,
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
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
}

fn query_binop(kind: &TokenKind) -> Option<(QOp, u8)> {
    use TokenKind as T;
    Some(match kind {
        T::And => (QOp::And, 2),
        T::Or => (QOp::Or, 2),
        T::Eq => (QOp::Eq, 3),
        T::Neq => (QOp::Neq, 3),
        T::Lt => (QOp::Lt, 3),
        T::Lte => (QOp::Lte, 3),
        T::Gt => (QOp::Gt, 3),
        T::Gte => (QOp::Gte, 3),
        T::Re => (QOp::Re, 3),
        T::Nre => (QOp::Nre, 3),
        T::Desc => (QOp::Desc, 3),
        T::Ance => (QOp::Ance, 3),
        T::Tilde => (QOp::Tilde, 3),
        T::NotChild => (QOp::NotChild, 3),
        T::NotParent => (QOp::NotParent, 3),
        T::NotDesc => (QOp::NotDesc, 3),
        T::NotAnce => (QOp::NotAnce, 3),
        T::UnionChild => (QOp::UnionChild, 3),
        T::UnionParent => (QOp::UnionParent, 3),
        T::UnionDesc => (QOp::UnionDesc, 3),
        T::UnionAnce => (QOp::UnionAnce, 3),
        T::UnionSibl => (QOp::UnionSibl, 3),
        T::Add => (QOp::Add, 4),
        T::Sub => (QOp::Sub, 4),
        T::Mul => (QOp::Mul, 6),
        T::Div => (QOp::Div, 6),
        T::Mod => (QOp::Mod, 6),
        T::Pow => (QOp::Pow, 7),
        _ => return None,
    })
}

#[derive(Clone, Debug)]
pub(crate) enum QNode {
    Filter(Box<Expr>, Range<usize>),
    Paren(Box<QNode>, Range<usize>),
    Pipe(Vec<QNode>, Range<usize>),
    Binary(QOp, Box<QNode>, Box<QNode>, Range<usize>),
    Neg(Box<QNode>, Range<usize>),
    Static(Static, Range<usize>),
    Aggregate(Box<Aggregate>),
    By(Box<Expr>, Range<usize>),
    Select(Vec<Expr>, Range<usize>),
    Coalesce(Range<usize>),
    Metrics(Box<MetricsFn>),
    TopK { bottom: bool, k: i64, range: Range<usize> },
}

impl QNode {
    pub(crate) fn range(&self) -> Range<usize> {
        match self {
            QNode::Filter(_, r)
            | QNode::Paren(_, r)
            | QNode::Pipe(_, r)
            | QNode::Binary(_, _, _, r)
            | QNode::Neg(_, r)
            | QNode::Static(_, r)
            | QNode::By(_, r)
            | QNode::Select(_, r)
            | QNode::Coalesce(r)
            | QNode::TopK { range: r, .. } => r.clone(),
            QNode::Aggregate(a) => a.range.clone(),
            QNode::Metrics(m) => m.range.clone(),
        }
    }
}

impl Parser<'_> {
    /// The whole input: an expression, optional hints, then end of input.
    pub(crate) fn root(&mut self) -> Option<crate::ast::Query> {
        if self.tokens.is_empty() {
            self.error_at(0..0, "syntax error: empty query");
            return None;
        }
        let node = self.query_bp(0);
        let mut hints = Vec::new();
        if node.is_some() && self.at(&TokenKind::Keyword(Keyword::With)) {
            hints = self.hints().unwrap_or_default();
        }
        if node.is_some() && self.peek().is_some() {
            self.unexpected("end of input");
        }
        self.report_lexer_errors();
        let node = node?;
        if !self.errors.is_empty() {
            return None;
        }
        let root = self.lower_root(node)?;
        Some(crate::ast::Query { root, hints })
    }

    fn query_bp(&mut self, min_prec: u8) -> Option<QNode> {
        self.enter()?;
        let result = self.query_bp_inner(min_prec);
        self.leave();
        result
    }

    fn query_bp_inner(&mut self, min_prec: u8) -> Option<QNode> {
        let mut lhs = self.query_prefix()?;
        let mut chain_len = 0u32;
        loop {
            if min_prec <= 1 && self.at(&TokenKind::Pipe) {
                self.bump();
                let rhs = self.query_bp(2)?;
                let range = lhs.range().start..rhs.range().end;
                lhs = match lhs {
                    QNode::Pipe(mut items, _) => {
                        items.push(rhs);
                        QNode::Pipe(items, range)
                    }
                    other => QNode::Pipe(vec![other, rhs], range),
                };
                continue;
            }
            let Some((op, prec)) = self.peek().and_then(query_binop) else {
                break;
            };
            if prec < min_prec {
                break;
            }
            self.bump();
            let next_min = if op == QOp::Pow { prec } else { prec + 1 };
            let rhs = self.query_bp(next_min)?;
            let range = lhs.range().start..rhs.range().end;
            chain_len += 1;
            self.check_node_depth(chain_len, range.clone())?;
            lhs = QNode::Binary(op, Box::new(lhs), Box::new(rhs), range);
        }
        Some(lhs)
    }

    fn query_prefix(&mut self) -> Option<QNode> {
        let start = self.here().start;
        let Some(kind) = self.peek().cloned() else {
            self.unexpected("{ or (");
            return None;
        };
        match kind {
            TokenKind::OpenBrace => self.spanset_filter().map(|(e, r)| QNode::Filter(Box::new(e), r)),
            TokenKind::OpenParen => {
                self.bump();
                let inner = self.query_bp(0)?;
                self.expect(&TokenKind::CloseParen, ")")?;
                Some(QNode::Paren(Box::new(inner), start..self.last_end()))
            }
            TokenKind::Sub => {
                self.bump();
                let operand = self.query_bp(8)?;
                let range = start..operand.range().end;
                Some(QNode::Neg(Box::new(operand), range))
            }
            TokenKind::Integer(i) => self.leaf(QNode::Static(Static::Int(i), self.here())),
            TokenKind::Float(f) => self.leaf(QNode::Static(Static::Float(f), self.here())),
            TokenKind::DurationNanos(d) => self.leaf(QNode::Static(Static::DurationNanos(d), self.here())),
            TokenKind::String(s) => self.leaf(QNode::Static(Static::String(s), self.here())),
            TokenKind::Keyword(k) if k != Keyword::Nil && keyword_static(k).is_some() => {
                let value = keyword_static(k)?;
                self.leaf(QNode::Static(value, self.here()))
            }
            TokenKind::Keyword(k) => self.function(k, start),
            _ => {
                self.unexpected("{ or (");
                None
            }
        }
    }

    fn leaf(&mut self, node: QNode) -> Option<QNode> {
        self.bump();
        Some(node)
    }

    /// `{ }` or `{ expr }`. On an error inside, records it, skips to the
    /// matching `}` and returns a placeholder so parsing can continue.
    pub(crate) fn spanset_filter(&mut self) -> Option<(Expr, Range<usize>)> {
        let start = self.here().start;
        self.expect(&TokenKind::OpenBrace, "{")?;
        if self.eat(&TokenKind::CloseBrace) {
            let range = start..self.last_end();
            return Some((Expr { kind: ExprKind::Static(Static::Bool(true)), range: range.clone() }, range));
        }
        let errors_before = self.errors.len();
        let inner = self.field_expr();
        let closed = inner.is_some() && self.expect(&TokenKind::CloseBrace, "}").is_some();
        if closed {
            let range = start..self.last_end();
            return inner.map(|e| (e, range));
        }
        if self.errors.len() == errors_before {
            self.unexpected("}");
        }
        if self.depth >= super::MAX_DEPTH || self.pos >= self.tokens.len() {
            return None;
        }
        self.recover_to_close_brace();
        let range = start..self.last_end();
        Some((Expr { kind: ExprKind::Static(Static::Bool(true)), range: range.clone() }, range))
    }

    fn open(&mut self) -> Option<()> {
        self.expect(&TokenKind::OpenParen, "(")
    }

    fn close(&mut self) -> Option<()> {
        self.expect(&TokenKind::CloseParen, ")")
    }

    #[inline(never)]
    fn function(&mut self, k: Keyword, start: usize) -> Option<QNode> {
        let agg = match k {
            Keyword::Count => Some(AggregateKind::Count),
            Keyword::Avg => Some(AggregateKind::Avg),
            Keyword::Min => Some(AggregateKind::Min),
            Keyword::Max => Some(AggregateKind::Max),
            Keyword::Sum => Some(AggregateKind::Sum),
            _ => None,
        };
        let metrics = match k {
            Keyword::Rate => Some(MetricsFnKind::Rate),
            Keyword::CountOverTime => Some(MetricsFnKind::CountOverTime),
            Keyword::MinOverTime => Some(MetricsFnKind::MinOverTime),
            Keyword::MaxOverTime => Some(MetricsFnKind::MaxOverTime),
            Keyword::AvgOverTime => Some(MetricsFnKind::AvgOverTime),
            Keyword::SumOverTime => Some(MetricsFnKind::SumOverTime),
            Keyword::QuantileOverTime => Some(MetricsFnKind::QuantileOverTime),
            Keyword::HistogramOverTime => Some(MetricsFnKind::HistogramOverTime),
            Keyword::Compare => Some(MetricsFnKind::Compare),
            _ => None,
        };
        if let Some(kind) = agg {
            self.bump();
            self.open()?;
            let arg = if kind == AggregateKind::Count { None } else { Some(self.field_expr()?) };
            self.close()?;
            return Some(QNode::Aggregate(Box::new(Aggregate { kind, arg, range: start..self.last_end() })));
        }
        if let Some(kind) = metrics {
            return self.metrics_fn(kind, start).map(|m| QNode::Metrics(Box::new(m)));
        }
        match k {
            Keyword::By => {
                self.bump();
                self.open()?;
                let expr = self.field_expr()?;
                self.close()?;
                Some(QNode::By(Box::new(expr), start..self.last_end()))
            }
            Keyword::Select => {
                self.bump();
                self.open()?;
                let fields = self.attribute_list()?;
                self.close()?;
                Some(QNode::Select(fields, start..self.last_end()))
            }
            Keyword::Coalesce => {
                self.bump();
                self.open()?;
                self.close()?;
                Some(QNode::Coalesce(start..self.last_end()))
            }
            Keyword::Topk | Keyword::Bottomk => {
                self.bump();
                self.open()?;
                let Some(TokenKind::Integer(k_value)) = self.peek().cloned() else {
                    self.unexpected("INTEGER");
                    return None;
                };
                self.bump();
                self.close()?;
                Some(QNode::TopK { bottom: k == Keyword::Bottomk, k: k_value, range: start..self.last_end() })
            }
            _ => {
                self.unexpected("{ or (");
                None
            }
        }
    }

    /// One or more attributes/intrinsics separated by commas.
    fn attribute_list(&mut self) -> Option<Vec<Expr>> {
        let mut fields = Vec::new();
        loop {
            let field = self.field_expr()?;
            if !matches!(field.kind, ExprKind::Attribute(_) | ExprKind::Intrinsic(_)) {
                self.error_at(field.range.clone(), "syntax error: expecting an attribute or intrinsic");
                return None;
            }
            fields.push(field);
            if !self.eat(&TokenKind::Comma) {
                return Some(fields);
            }
        }
    }

    fn metrics_fn(&mut self, kind: MetricsFnKind, start: usize) -> Option<MetricsFn> {
        self.bump();
        self.open()?;
        let mut f = MetricsFn {
            kind,
            attr: None,
            quantiles: Vec::new(),
            compare_filter: None,
            compare_args: Vec::new(),
            by: Vec::new(),
            range: start..start,
        };
        match kind {
            MetricsFnKind::Rate | MetricsFnKind::CountOverTime => {}
            MetricsFnKind::Compare => {
                let (expr, range) = self.spanset_filter()?;
                f.compare_filter = Some(Box::new(SpansetExpr::Filter { expr, range }));
                while self.eat(&TokenKind::Comma) {
                    let Some(TokenKind::Integer(v)) = self.peek().cloned() else {
                        self.unexpected("INTEGER");
                        return None;
                    };
                    self.bump();
                    f.compare_args.push(v);
                }
            }
            MetricsFnKind::QuantileOverTime => {
                f.attr = Some(self.metrics_attr()?);
                while self.eat(&TokenKind::Comma) {
                    let q = match self.peek() {
                        Some(TokenKind::Integer(i)) => *i as f64,
                        Some(TokenKind::Float(x)) => *x,
                        _ => {
                            self.unexpected("a number");
                            return None;
                        }
                    };
                    self.bump();
                    f.quantiles.push(q);
                }
                if f.quantiles.is_empty() {
                    self.unexpected(",");
                    return None;
                }
            }
            _ => f.attr = Some(self.metrics_attr()?),
        }
        self.close()?;
        if self.eat(&TokenKind::Keyword(Keyword::By)) {
            self.open()?;
            f.by = self.attribute_list()?;
            self.close()?;
        }
        f.range = start..self.last_end();
        Some(f)
    }

    fn metrics_attr(&mut self) -> Option<Expr> {
        let field = self.field_expr()?;
        if !matches!(field.kind, ExprKind::Attribute(_) | ExprKind::Intrinsic(_)) {
            self.error_at(field.range.clone(), "syntax error: expecting an attribute or intrinsic");
            return None;
        }
        Some(field)
    }

    /// `with(name = value, ...)`.
    fn hints(&mut self) -> Option<Vec<Hint>> {
        self.bump();
        self.open()?;
        let mut hints = Vec::new();
        loop {
            let start = self.here().start;
            let Some(TokenKind::Ident(name)) = self.peek().cloned() else {
                self.unexpected("a hint name");
                return None;
            };
            self.bump();
            self.expect(&TokenKind::Eq, "=")?;
            let value = match self.peek().cloned() {
                Some(TokenKind::String(s)) => Static::String(s),
                Some(TokenKind::Integer(i)) => Static::Int(i),
                Some(TokenKind::Float(f)) => Static::Float(f),
                Some(TokenKind::DurationNanos(d)) => Static::DurationNanos(d),
                Some(TokenKind::Keyword(k)) if k != Keyword::Nil && keyword_static(k).is_some() => keyword_static(k)?,
                _ => {
                    self.unexpected("a literal");
                    return None;
                }
            };
            self.bump();
            hints.push(Hint { name, value, range: start..self.last_end() });
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        self.close()?;
        Some(hints)
    }
}
