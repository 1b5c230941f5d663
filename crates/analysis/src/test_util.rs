//! Builds small traces for tests through the real model builder, so trees, orphans and sort orders
//! are exactly what the app will see.

use spanlens_model::{AnyValue, Attribute, Span, SpanId, StatusCode, Trace, TraceId, TraceSet, TraceSetBuilder};

/// One test span: `id` and `parent` are span ids (0 = no parent), times in nanoseconds.
#[derive(Clone, Debug)]
pub struct S {
    pub id: u64,
    pub parent: u64,
    pub start: i64,
    pub dur: i64,
    pub service: &'static str,
    pub name: &'static str,
    pub error: bool,
    /// The end is unknown; `dur` stays in `duration_nanos` to show that the flag is what counts.
    pub incomplete: bool,
    pub attrs: Vec<(&'static str, Val)>,
}

#[derive(Clone, Debug)]
pub enum Val {
    Str(&'static str),
    Int(i64),
}

pub fn s(id: u64, parent: u64, start: i64, dur: i64) -> S {
    S { id, parent, start, dur, service: "svc", name: "op", error: false, incomplete: false, attrs: Vec::new() }
}

impl S {
    pub fn svc(mut self, service: &'static str) -> S {
        self.service = service;
        self
    }
    pub fn name(mut self, name: &'static str) -> S {
        self.name = name;
        self
    }
    pub fn err(mut self) -> S {
        self.error = true;
        self
    }
    pub fn incomplete(mut self) -> S {
        self.incomplete = true;
        self
    }
    pub fn attr(mut self, key: &'static str, v: Val) -> S {
        self.attrs.push((key, v));
        self
    }
}

pub const BASE_NANOS: i64 = 1_700_000_000_000_000_000;

/// Builds a one-trace set; span start times are offset by [`BASE_NANOS`] to exercise epoch-sized values.
pub fn build(spans: &[S]) -> TraceSet {
    let mut b = TraceSetBuilder::new();
    b.begin_source("test", "test", 0);
    for t in spans {
        let service = b.intern(t.service);
        let name = b.intern(t.name);
        let mut span = Span::new(SpanId(t.id), name, service, BASE_NANOS + t.start, t.dur);
        span.parent_span_id = (t.parent != 0).then_some(SpanId(t.parent));
        if t.error {
            span.status.code = StatusCode::Error;
        }
        if t.incomplete {
            // `dur` is kept: tests then prove the flag, not a zero duration, keeps the time out.
            span.incomplete = true;
        }
        let attrs: Vec<Attribute> = t
            .attrs
            .iter()
            .map(|(k, v)| {
                let key = b.intern(k);
                let value = match v {
                    Val::Str(text) => AnyValue::Str(b.intern(text)),
                    Val::Int(i) => AnyValue::Int(*i),
                };
                Attribute { key, value }
            })
            .collect();
        span.attributes = attrs.into();
        b.push_span(TraceId(0xabc), 16, span);
    }
    b.finish()
}

pub fn trace(set: &TraceSet) -> &Trace {
    &set.traces[0]
}

/// A chain `n` deep: span i (id i+1) is the only child of span i-1 and ends 1 ns before its parent.
pub fn chain(n: u64) -> TraceSet {
    let spans: Vec<S> = (0..n).map(|i| s(i + 1, i, i as i64, 2 * (n - i) as i64)).collect();
    build(&spans)
}

/// Index of the span with this id.
pub fn idx(set: &TraceSet, id: u64) -> u32 {
    trace(set).spans.iter().position(|sp| sp.span_id == SpanId(id)).map_or(u32::MAX, |i| i as u32)
}

/// A deterministic pseudo-random tree of `n` spans: fan-out 1–6, children inside their parent with
/// some overlap and a little clock skew. `seed` varies the shape.
pub fn random_tree(n: u64, seed: u64) -> Vec<S> {
    let mut rng = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = move |m: u64| {
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (rng >> 33) % m.max(1)
    };
    let mut spans = vec![s(1, 0, 0, 1_000_000)];
    let mut parent_cursor = 0usize;
    while (spans.len() as u64) < n {
        let Some(p) = spans.get(parent_cursor).cloned() else {
            break;
        };
        let kids = 1 + next(6);
        for _ in 0..kids {
            if spans.len() as u64 >= n {
                break;
            }
            let off = next(p.dur.max(1) as u64) as i64;
            let dur = next((p.dur - off).max(1) as u64 + 2) as i64;
            // One child in 16 starts or ends outside its parent (clock skew).
            let skew = if next(16) == 0 { next(50) as i64 - 25 } else { 0 };
            let id = spans.len() as u64 + 1;
            spans.push(s(id, p.id, p.start + off + skew, dur));
        }
        parent_cursor += 1 + next(2) as usize;
    }
    spans
}
