//! The parsed query. Every node keeps the byte range it came from so
//! validation errors can point at the offending sub-expression.

use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Tempo's internal status codes (not OTLP's): error, ok, unset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    Error,
    Ok,
    Unset,
}

/// Tempo's internal kind order (not OTLP's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SpanKind {
    Unspecified,
    Internal,
    Client,
    Server,
    Producer,
    Consumer,
}

/// A literal value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Static {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    DurationNanos(i64),
    String(String),
    Status(Status),
    Kind(SpanKind),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AttrScope {
    /// `.x`: span first, then resource.
    None,
    Span,
    Resource,
    Event,
    Link,
    Instrumentation,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Attribute {
    pub scope: AttrScope,
    /// `parent.x`: parses, but Tempo rejects it as unsupported.
    pub parent: bool,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Intrinsic {
    Duration,
    Name,
    Status,
    StatusMessage,
    Kind,
    ChildCount,
    /// Bare `parent`: unsupported, like `parent.x`.
    Parent,
    SpanId,
    ParentId,
    TraceId,
    TraceRootName,
    TraceRootService,
    TraceDuration,
    EventName,
    EventTimeSinceStart,
    LinkTraceId,
    LinkSpanId,
    InstrumentationName,
    InstrumentationVersion,
    NestedSetLeft,
    NestedSetRight,
    NestedSetParent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eq,
    Neq,
    Lt,
    Lte,
    Gt,
    Gte,
    Re,
    Nre,
    And,
    Or,
}

impl BinaryOp {
    pub fn is_arithmetic(self) -> bool {
        matches!(self, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod | BinaryOp::Pow)
    }

    pub fn is_comparison(self) -> bool {
        matches!(self, BinaryOp::Eq | BinaryOp::Neq | BinaryOp::Lt | BinaryOp::Lte | BinaryOp::Gt | BinaryOp::Gte)
    }

    pub fn is_regex(self) -> bool {
        matches!(self, BinaryOp::Re | BinaryOp::Nre)
    }

    pub fn is_logical(self) -> bool {
        matches!(self, BinaryOp::And | BinaryOp::Or)
    }

    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::Pow => "^",
            BinaryOp::Eq => "=",
            BinaryOp::Neq => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Lte => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Gte => ">=",
            BinaryOp::Re => "=~",
            BinaryOp::Nre => "!~",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnaryOp {
    Neg,
    Not,
}

/// A field expression: what goes inside `{ }`, `by()`, aggregates, `select()`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub range: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ExprKind {
    Static(Static),
    Attribute(Attribute),
    Intrinsic(Intrinsic),
    Unary { op: UnaryOp, operand: Box<Expr> },
    Binary { op: BinaryOp, lhs: Box<Expr>, rhs: Box<Expr> },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SpansetOp {
    And,
    Union,
    Child,
    Parent,
    Descendant,
    Ancestor,
    Sibling,
    NotChild,
    NotParent,
    NotDescendant,
    NotAncestor,
    NotSibling,
    UnionChild,
    UnionParent,
    UnionDescendant,
    UnionAncestor,
    UnionSibling,
}

/// Something that yields spansets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SpansetExpr {
    Filter {
        expr: Expr,
        range: Range<usize>,
    },
    Op {
        op: SpansetOp,
        lhs: Box<SpansetExpr>,
        rhs: Box<SpansetExpr>,
        range: Range<usize>,
    },
    /// A parenthesised pipeline used as an operand.
    Pipeline(Pipeline),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AggregateKind {
    Count,
    Avg,
    Min,
    Max,
    Sum,
}

impl AggregateKind {
    pub fn name(self) -> &'static str {
        match self {
            AggregateKind::Count => "count",
            AggregateKind::Avg => "avg",
            AggregateKind::Min => "min",
            AggregateKind::Max => "max",
            AggregateKind::Sum => "sum",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    pub kind: AggregateKind,
    /// `None` only for `count()`.
    pub arg: Option<Expr>,
    pub range: Range<usize>,
}

/// One side of a scalar filter (`count() > 2`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ScalarExpr {
    Aggregate(Aggregate),
    Static { value: Static, range: Range<usize> },
    Binary { op: BinaryOp, lhs: Box<ScalarExpr>, rhs: Box<ScalarExpr>, range: Range<usize> },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScalarFilter {
    pub op: BinaryOp,
    pub lhs: ScalarExpr,
    pub rhs: ScalarExpr,
    pub range: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Stage {
    Spanset(SpansetExpr),
    ScalarFilter(ScalarFilter),
    By { expr: Expr, range: Range<usize> },
    Coalesce { range: Range<usize> },
    Select { fields: Vec<Expr>, range: Range<usize> },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pipeline {
    pub stages: Vec<Stage>,
    pub range: Range<usize>,
}

/// `(pipeline | count()) OP ...`: parses, Tempo rejects it as unsupported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ScalarPipelineExpr {
    Pipeline { pipeline: Pipeline, aggregate: Aggregate },
    Binary { op: BinaryOp, lhs: Box<ScalarPipelineExpr>, rhs: Box<ScalarPipelineExpr>, range: Range<usize> },
    Static { value: Static, range: Range<usize> },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MetricsFnKind {
    Rate,
    CountOverTime,
    MinOverTime,
    MaxOverTime,
    AvgOverTime,
    SumOverTime,
    QuantileOverTime,
    HistogramOverTime,
    Compare,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricsFn {
    pub kind: MetricsFnKind,
    /// The attribute argument of `*_over_time(attr)`.
    pub attr: Option<Expr>,
    pub quantiles: Vec<f64>,
    /// `compare({filter}, topN, start, end)`.
    pub compare_filter: Option<Box<SpansetExpr>>,
    pub compare_args: Vec<i64>,
    pub by: Vec<Expr>,
    pub range: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SecondStage {
    TopK {
        k: i64,
        range: Range<usize>,
    },
    BottomK {
        k: i64,
        range: Range<usize>,
    },
    /// `> 10`; durations are converted to seconds.
    Filter {
        op: BinaryOp,
        value: f64,
        range: Range<usize>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum MetricsExpr {
    Query { pipeline: Pipeline, func: MetricsFn },
    Scalar { value: f64, range: Range<usize> },
    Binary { op: BinaryOp, lhs: Box<MetricsExpr>, rhs: Box<MetricsExpr>, range: Range<usize> },
    Staged { expr: Box<MetricsExpr>, stages: Vec<SecondStage> },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Root {
    Spans(SpansetExpr),
    ScalarFilter { op: BinaryOp, lhs: ScalarPipelineExpr, rhs: ScalarPipelineExpr, range: Range<usize> },
    Metrics(MetricsExpr),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hint {
    pub name: String,
    pub value: Static,
    pub range: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Query {
    pub root: Root,
    pub hints: Vec<Hint>,
}

impl SpansetExpr {
    pub fn range(&self) -> Range<usize> {
        match self {
            SpansetExpr::Filter { range, .. } | SpansetExpr::Op { range, .. } => range.clone(),
            SpansetExpr::Pipeline(p) => p.range.clone(),
        }
    }
}

impl ScalarExpr {
    pub fn range(&self) -> Range<usize> {
        match self {
            ScalarExpr::Aggregate(a) => a.range.clone(),
            ScalarExpr::Static { range, .. } | ScalarExpr::Binary { range, .. } => range.clone(),
        }
    }
}
