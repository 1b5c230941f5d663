//! Tempo's validity rules (`ast_validate.go`): static type checking of field
//! expressions, aggregate and `by()` rules, and the shapes Tempo parses but
//! rejects as unsupported (`parent`, complex scalar filters).

use crate::ast::{
    AttrScope, BinaryOp, Expr, ExprKind, Intrinsic, MetricsExpr, MetricsFnKind, Pipeline, Query, Root, ScalarExpr,
    ScalarPipelineExpr, SecondStage, SpansetExpr, Stage, Static, UnaryOp,
};
use crate::error::{Error, ErrorKind, Errors};
use crate::pattern::compile_regex;
use std::ops::Range;

/// Static type of a field expression. `Attr` means "known only at run time".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Attr,
    Nil,
    Bool,
    Int,
    Float,
    Duration,
    String,
    Status,
    Kind,
}

impl Type {
    fn is_numeric(self) -> bool {
        matches!(self, Type::Int | Type::Float | Type::Duration)
    }

    fn family(self) -> u8 {
        match self {
            Type::Int | Type::Float | Type::Duration => 1,
            Type::Attr => 0,
            Type::Nil => 2,
            Type::Bool => 3,
            Type::String => 4,
            Type::Status => 5,
            Type::Kind => 6,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Type::Attr => "attribute",
            Type::Nil => "nil",
            Type::Bool => "boolean",
            Type::Int => "int",
            Type::Float => "float",
            Type::Duration => "duration",
            Type::String => "string",
            Type::Status => "status",
            Type::Kind => "kind",
        }
    }
}

pub fn intrinsic_type(i: Intrinsic) -> Type {
    use Intrinsic::*;
    match i {
        Duration | TraceDuration | EventTimeSinceStart => Type::Duration,
        Name
        | StatusMessage
        | SpanId
        | ParentId
        | TraceId
        | TraceRootName
        | TraceRootService
        | EventName
        | LinkTraceId
        | LinkSpanId
        | InstrumentationName
        | InstrumentationVersion => Type::String,
        Status => Type::Status,
        Kind => Type::Kind,
        ChildCount | NestedSetLeft | NestedSetRight | NestedSetParent => Type::Int,
        Parent => Type::Attr,
    }
}

fn static_type(s: &Static) -> Type {
    match s {
        Static::Nil => Type::Nil,
        Static::Bool(_) => Type::Bool,
        Static::Int(_) => Type::Int,
        Static::Float(_) => Type::Float,
        Static::DurationNanos(_) => Type::Duration,
        Static::String(_) => Type::String,
        Static::Status(_) => Type::Status,
        Static::Kind(_) => Type::Kind,
    }
}

/// Validates a parsed query with Tempo's rules; returns all validation/unsupported errors.
pub fn validate(src: &str, query: &Query) -> Result<(), Errors> {
    run(src, query, false)
}

/// Validates with spanlens' extensions allowed: `parent.x` (the parent span's field), comparing
/// two pipelines, and scalar filters beyond `aggregate OP literal`. Type errors stay errors; bare
/// `parent` stays unsupported.
pub fn validate_extended(src: &str, query: &Query) -> Result<(), Errors> {
    run(src, query, true)
}

fn run(src: &str, query: &Query, extensions: bool) -> Result<(), Errors> {
    let mut v = Validator { src, errors: Vec::new(), extensions };
    v.root(&query.root);
    if v.errors.is_empty() { Ok(()) } else { Err(Errors(v.errors)) }
}

struct Validator<'a> {
    src: &'a str,
    errors: Vec<Error>,
    extensions: bool,
}

fn references_span(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Attribute(_) | ExprKind::Intrinsic(_) => true,
        ExprKind::Static(_) => false,
        ExprKind::Unary { operand, .. } => references_span(operand),
        ExprKind::Binary { lhs, rhs, .. } => references_span(lhs) || references_span(rhs),
    }
}

/// The first `parent` Tempo would refuse; with extensions only bare `parent` (and `parent.`
/// on event/link attributes, which name no field of the parent span) is refused.
fn find_parent(e: &Expr, extensions: bool) -> Option<Range<usize>> {
    match &e.kind {
        ExprKind::Attribute(a) if a.parent => {
            let allowed = extensions && !matches!(a.scope, AttrScope::Event | AttrScope::Link);
            (!allowed).then(|| e.range.clone())
        }
        ExprKind::Intrinsic(Intrinsic::Parent) => Some(e.range.clone()),
        ExprKind::Unary { operand, .. } => find_parent(operand, extensions),
        ExprKind::Binary { lhs, rhs, .. } => find_parent(lhs, extensions).or_else(|| find_parent(rhs, extensions)),
        _ => None,
    }
}

impl Validator<'_> {
    fn err(&mut self, kind: ErrorKind, range: Range<usize>, message: impl Into<String>) {
        self.errors.push(Error::new(kind, message, range, self.src));
    }

    fn root(&mut self, root: &Root) {
        match root {
            Root::Spans(s) => self.spanset(s),
            Root::ScalarFilter { lhs, rhs, range, .. } => {
                let before = self.errors.len();
                self.scalar_pipeline(lhs);
                self.scalar_pipeline(rhs);
                if self.errors.len() == before && !self.extensions {
                    self.err(
                        ErrorKind::Unsupported,
                        range.clone(),
                        "comparing the results of two pipelines is not supported",
                    );
                }
            }
            Root::Metrics(m) => self.metrics(m, false),
        }
    }

    fn scalar_pipeline(&mut self, e: &ScalarPipelineExpr) {
        match e {
            ScalarPipelineExpr::Pipeline { pipeline, aggregate } => {
                self.pipeline(pipeline);
                self.scalar(&ScalarExpr::Aggregate(aggregate.clone()));
            }
            ScalarPipelineExpr::Binary { lhs, rhs, .. } => {
                self.scalar_pipeline(lhs);
                self.scalar_pipeline(rhs);
            }
            ScalarPipelineExpr::Static { .. } => {}
        }
    }

    fn spanset(&mut self, s: &SpansetExpr) {
        match s {
            SpansetExpr::Filter { expr, .. } => self.filter(expr),
            SpansetExpr::Op { lhs, rhs, .. } => {
                self.spanset(lhs);
                self.spanset(rhs);
            }
            SpansetExpr::Pipeline(p) => self.pipeline(p),
        }
    }

    fn pipeline(&mut self, p: &Pipeline) {
        for stage in &p.stages {
            match stage {
                Stage::Spanset(s) => self.spanset(s),
                Stage::ScalarFilter(f) => {
                    let before = self.errors.len();
                    self.scalar(&f.lhs);
                    self.scalar(&f.rhs);
                    if self.errors.len() == before {
                        let supported = matches!(f.lhs, ScalarExpr::Aggregate(_)) && !contains_aggregate(&f.rhs);
                        if !supported && !self.extensions {
                            self.err(
                                ErrorKind::Unsupported,
                                f.range.clone(),
                                "only `aggregate OP literal` scalar filters are supported",
                            );
                        }
                    }
                }
                Stage::By { expr, .. } => {
                    if self.parent_unsupported(expr) {
                        continue;
                    }
                    self.type_of(expr);
                    if !references_span(expr) {
                        self.err(ErrorKind::Validation, expr.range.clone(), "by() must reference the span");
                    }
                }
                Stage::Select { fields, .. } => {
                    for f in fields {
                        self.parent_unsupported(f);
                    }
                }
                Stage::Coalesce { .. } => {}
            }
        }
    }

    /// Tempo parses `parent...` but rejects it in validation.
    fn parent_unsupported(&mut self, e: &Expr) -> bool {
        match find_parent(e, self.extensions) {
            Some(range) => {
                self.err(ErrorKind::Unsupported, range, "parent scope is not yet supported");
                true
            }
            None => false,
        }
    }

    fn scalar(&mut self, e: &ScalarExpr) {
        match e {
            ScalarExpr::Aggregate(a) => {
                let Some(arg) = &a.arg else { return };
                if self.parent_unsupported(arg) {
                    return;
                }
                let before = self.errors.len();
                let t = self.type_of(arg);
                if self.errors.len() != before {
                    return;
                }
                if let Some(t) = t
                    && !(t.is_numeric() || t == Type::Attr)
                {
                    self.err(
                        ErrorKind::Validation,
                        arg.range.clone(),
                        format!("aggregate argument must be numeric, found {}", t.name()),
                    );
                } else if !references_span(arg) {
                    self.err(ErrorKind::Validation, arg.range.clone(), "aggregate argument must reference the span");
                }
            }
            ScalarExpr::Static { .. } => {}
            ScalarExpr::Binary { lhs, rhs, .. } => {
                self.scalar(lhs);
                self.scalar(rhs);
            }
        }
    }

    fn filter(&mut self, e: &Expr) {
        if self.parent_unsupported(e) {
            return;
        }
        if let Some(t) = self.type_of(e)
            && !matches!(t, Type::Bool | Type::Attr)
        {
            self.err(
                ErrorKind::Validation,
                e.range.clone(),
                format!("filter must evaluate to a boolean, found {}", t.name()),
            );
        }
    }

    /// The static type of `e`, or `None` after recording an error.
    fn type_of(&mut self, e: &Expr) -> Option<Type> {
        match &e.kind {
            ExprKind::Static(s) => Some(static_type(s)),
            // `parent.duration` (extension) has the type of the intrinsic it names.
            ExprKind::Attribute(a) if a.parent && a.scope == AttrScope::None => {
                Some(crate::eval::expr::parent_intrinsic(&a.name).map_or(Type::Attr, intrinsic_type))
            }
            ExprKind::Attribute(_) => Some(Type::Attr),
            ExprKind::Intrinsic(i) => Some(intrinsic_type(*i)),
            ExprKind::Unary { op, operand } => {
                let t = self.type_of(operand)?;
                let ok = match op {
                    UnaryOp::Neg => t.is_numeric() || t == Type::Attr,
                    UnaryOp::Not => matches!(t, Type::Bool | Type::Attr),
                };
                if !ok {
                    let sym = if *op == UnaryOp::Neg { "-" } else { "!" };
                    self.err(
                        ErrorKind::Validation,
                        e.range.clone(),
                        format!("illegal operation for type {}: {sym}", t.name()),
                    );
                    return None;
                }
                Some(if *op == UnaryOp::Not { Type::Bool } else { t })
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary_type(e, *op, lhs, rhs),
        }
    }

    fn binary_type(&mut self, e: &Expr, op: BinaryOp, lhs: &Expr, rhs: &Expr) -> Option<Type> {
        let lt = self.type_of(lhs);
        let rt = self.type_of(rhs);
        let (lt, rt) = (lt?, rt?);
        if op.is_regex() {
            let pattern = match &rhs.kind {
                ExprKind::Static(Static::String(p)) => p,
                _ => {
                    self.err(
                        ErrorKind::Validation,
                        rhs.range.clone(),
                        "invalid type for =~ or !~: expecting a string literal",
                    );
                    return None;
                }
            };
            if !matches!(lt, Type::String | Type::Attr) {
                self.err(
                    ErrorKind::Validation,
                    lhs.range.clone(),
                    format!("illegal operation for type {}: {}", lt.name(), op.symbol()),
                );
                return None;
            }
            if let Err(err) = compile_regex(pattern) {
                self.err(ErrorKind::Validation, rhs.range.clone(), format!("invalid regex: {err}"));
                return None;
            }
            return Some(Type::Bool);
        }
        if lt == Type::Nil || rt == Type::Nil {
            let other = if lt == Type::Nil { rhs } else { lhs };
            if op == BinaryOp::Eq {
                match &other.kind {
                    ExprKind::Intrinsic(_) => {
                        self.err(ErrorKind::Validation, e.range.clone(), "intrinsics cannot be compared with nil");
                        return None;
                    }
                    ExprKind::Attribute(a) if a.scope == AttrScope::Resource && a.name == "service.name" => {
                        self.err(
                            ErrorKind::Validation,
                            e.range.clone(),
                            "resource.service.name cannot be compared with nil",
                        );
                        return None;
                    }
                    _ => {}
                }
            }
            return Some(Type::Bool);
        }
        if lt != Type::Attr && rt != Type::Attr && lt.family() != rt.family() {
            self.err(
                ErrorKind::Validation,
                e.range.clone(),
                format!(
                    "binary operands must have compatible types, found {} {} {}",
                    lt.name(),
                    op.symbol(),
                    rt.name()
                ),
            );
            return None;
        }
        for t in [lt, rt] {
            let ok = t == Type::Attr
                || match op {
                    _ if op.is_arithmetic() => t.is_numeric(),
                    BinaryOp::Eq | BinaryOp::Neq => true,
                    BinaryOp::Lt | BinaryOp::Lte | BinaryOp::Gt | BinaryOp::Gte => t.is_numeric() || t == Type::String,
                    BinaryOp::And | BinaryOp::Or => t == Type::Bool,
                    _ => false,
                };
            if !ok {
                self.err(
                    ErrorKind::Validation,
                    e.range.clone(),
                    format!("illegal operation for type {}: {}", t.name(), op.symbol()),
                );
                return None;
            }
        }
        if !op.is_arithmetic() {
            return Some(Type::Bool);
        }
        Some(match (lt, rt) {
            (Type::Attr, _) | (_, Type::Attr) => Type::Attr,
            (Type::Float, _) | (_, Type::Float) => Type::Float,
            (Type::Duration, _) | (_, Type::Duration) => Type::Duration,
            _ => Type::Int,
        })
    }

    fn metrics(&mut self, m: &MetricsExpr, combined: bool) {
        match m {
            MetricsExpr::Query { pipeline, func } => {
                self.pipeline(pipeline);
                if let Some(attr) = &func.attr {
                    self.parent_unsupported(attr);
                }
                if let Some(f) = &func.compare_filter {
                    self.spanset(f);
                }
                if func.kind == MetricsFnKind::Compare && combined {
                    self.err(
                        ErrorKind::Validation,
                        func.range.clone(),
                        "compare() cannot be combined with second-stage functions, filters or math",
                    );
                }
                for q in &func.quantiles {
                    if !(0.0..=1.0).contains(q) {
                        self.err(
                            ErrorKind::Validation,
                            func.range.clone(),
                            format!("quantile {q} must be between 0 and 1"),
                        );
                    }
                }
            }
            MetricsExpr::Scalar { .. } => {}
            MetricsExpr::Binary { lhs, rhs, .. } => {
                self.metrics(lhs, true);
                self.metrics(rhs, true);
            }
            MetricsExpr::Staged { expr, stages } => {
                self.metrics(expr, true);
                for s in stages {
                    if let SecondStage::TopK { k, range } | SecondStage::BottomK { k, range } = s
                        && *k <= 0
                    {
                        self.err(ErrorKind::Validation, range.clone(), "topk/bottomk: k must be greater than 0");
                    }
                }
            }
        }
    }
}

fn contains_aggregate(e: &ScalarExpr) -> bool {
    match e {
        ScalarExpr::Aggregate(_) => true,
        ScalarExpr::Static { .. } => false,
        ScalarExpr::Binary { lhs, rhs, .. } => contains_aggregate(lhs) || contains_aggregate(rhs),
    }
}
