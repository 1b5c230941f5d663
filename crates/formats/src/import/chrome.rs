//! Chrome Trace Event format (chrome://tracing, catapult, DevTools "Save profile", Perfetto JSON):
//! the array form `[event, …]` or the object form `{"traceEvents": […], …}`.
//!
//! Spans: `X` complete events and matched `B`/`E` pairs. Parentage is implicit, so slices are
//! nested per (pid, tid) by time with an explicit stack: sorted by start (longer first on ties), a
//! slice's parent is the innermost open slice that contains it. Slices that overlap without nesting
//! (Perfetto's "overflow track" case) go under the nearest slice that contains them and are counted
//! in one warning. Unclosed `B` slices are closed at the thread's last timestamp (`UnclosedSlice`).
//!
//! - `M` metadata names processes (the span's service and resource) and threads (`thread.name`).
//! - Thread-scoped instant events (`i`, `I`, `R`) become events on the innermost slice enclosing them;
//!   global or process-scoped instants, and instants outside every slice, are counted and skipped.
//! - Every other phase (async `b`/`e`/`n`, flows, counters, samples, object events, …) is skipped with
//!   a per-phase count in one warning — never silently.
//! - `args` become attributes `args.<key>` (nested objects and arrays kept as kvlists and arrays);
//!   `cat` becomes `chrome.category`; the thread is `thread.id` / `thread.name`.
//! - Times are microseconds (floats allowed), converted to integer nanoseconds. They count from an
//!   arbitrary clock origin (usually boot), not the Unix epoch.
//! - A missing closing `]` is tolerated (catapult and speedscope allow it): events read so far are
//!   kept with a `Truncated` warning. Text after the closing bracket is ignored with a warning.
//!
//! There are no trace or span ids in the file. The whole file is one trace whose id is a 128-bit
//! FNV-1a hash of the file's bytes (two 64-bit halves with different offset bases), so importing the
//! same file twice yields the same id and different files never stitch into one trace. Span ids
//! are 1, 2, 3, … in the order the slices are nested (by thread, then by start time).

use super::json_stream::{self, TopLevel};
use serde_json::Value;
use spanlens_model::error::{ImportError, Position};
use spanlens_model::span::{Event, Resource, ResourceIdx, Scope, ScopeIdx, Span, SpanKind};
use spanlens_model::value::{AnyValue, Attribute};
use spanlens_model::warnings::{Warning, WarningKind};
use spanlens_model::{SpanId, Sym, TraceId, TraceSetBuilder};
use std::collections::{BTreeMap, HashMap};

pub const FORMAT: &str = "chrome-trace";

/// Per-slice `UnclosedSlice` warnings stop here; the rest are summed up in one more warning.
const MAX_SLICE_WARNINGS: usize = 50;

/// One `B`, `E`, `X` or instant event as kept until the threads are nested.
struct RawEvent {
    ph: u8,
    ts_ns: i64,
    dur_ns: i64,
    name: Sym,
    cat: Option<Sym>,
    args: Vec<Attribute>,
}

#[derive(Default)]
struct Thread {
    pid: String,
    tid: String,
    events: Vec<RawEvent>,
}

#[derive(Default)]
struct Reader {
    threads: Vec<Thread>,
    thread_index: HashMap<(String, String), usize>,
    process_names: HashMap<String, String>,
    thread_names: HashMap<(String, String), String>,
    skipped: BTreeMap<String, u64>,
    invalid: u64,
    unscoped_instants: u64,
    events_read: u64,
}

/// Imports a Chrome Trace Event file. See the module docs.
pub fn import(bytes: &[u8], file: &str, builder: &mut TraceSetBuilder) -> Result<(), ImportError> {
    let key = match json_stream::top_level(bytes) {
        TopLevel::Array => None,
        TopLevel::Object => Some("traceEvents"),
        TopLevel::Other => {
            return Err(ImportError::new(
                file,
                FORMAT,
                Position::Byte(0),
                "expected a JSON array or an object with traceEvents",
            ));
        }
    };
    let mut reader = Reader::default();
    let mut truncated = None;
    let result = json_stream::for_each_element(bytes, key, &mut |v| reader.read(v, builder));
    match result {
        Ok(end) => {
            if key.is_some() && !end.found_key {
                return Err(ImportError::new(
                    file,
                    FORMAT,
                    Position::Path("traceEvents".into()),
                    "the object has no traceEvents array",
                ));
            }
            if end.elements == 0 {
                builder.warn(Warning::new(WarningKind::Other, format!("{FORMAT}: the trace has no events")));
            }
            if let Some((line, column)) = end.trailing {
                builder.warn(Warning::new(
                    WarningKind::Other,
                    format!("{FORMAT}: text after the end of the trace at line {line}, column {column} was ignored"),
                ));
            }
        }
        Err(e) if e.elements > 0 => {
            let why = if e.error.is_eof() {
                let end = Position::line_column(bytes, bytes.len());
                format!(
                    "the file ends early at {end} (byte {}), before its closing ']' (allowed by the format: tracers cannot always write it)",
                    bytes.len()
                )
            } else {
                format!("reading stopped at line {}, column {}: {}", e.error.line(), e.error.column(), e.error)
            };
            // Worded once the spans are known, after `finish`.
            truncated = Some((why, e.elements));
        }
        Err(e) => return Err(ImportError::from_json(file, FORMAT, &e.error)),
    }
    reader.finish(bytes, builder);
    if let Some((why, events)) = truncated {
        let spans = builder.current_span_records();
        builder.warn(
            Warning::new(
                WarningKind::Truncated,
                format!("{file}: Chrome trace: {why}; the {events} events read ({spans} spans) are kept"),
            )
            .with_source(file),
        );
    }
    Ok(())
}

fn id_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// µs (integer or float) to ns, saturating; `None` for non-numbers and non-finite values.
fn micros_to_ns(v: &Value) -> Option<i64> {
    if let Some(i) = v.as_i64() {
        return Some(i.saturating_mul(1000));
    }
    let f = json_stream::number(v)?;
    let ns = (f * 1000.0).round();
    if !ns.is_finite() {
        return None;
    }
    // `as` saturates at the i64 bounds, which is the clamping wanted for absurd values.
    Some(ns as i64)
}

impl Reader {
    fn read(&mut self, value: Value, builder: &mut TraceSetBuilder) {
        self.events_read += 1;
        let Some(obj) = value.as_object() else {
            self.invalid += 1;
            return;
        };
        let Some(ph) = obj.get("ph").and_then(Value::as_str).and_then(|p| p.bytes().next()) else {
            self.invalid += 1;
            return;
        };
        let pid = id_text(obj.get("pid"));
        let tid = id_text(obj.get("tid"));
        let name = obj.get("name").and_then(Value::as_str).unwrap_or("");
        match ph {
            b'M' => {
                let arg_name = obj.get("args").and_then(|a| a.get("name")).and_then(Value::as_str);
                match (name, arg_name) {
                    ("process_name", Some(n)) => {
                        self.process_names.insert(pid, n.to_owned());
                    }
                    ("thread_name", Some(n)) => {
                        self.thread_names.insert((pid, tid), n.to_owned());
                    }
                    // Sort indices and labels only order the tracks of a timeline UI.
                    _ => {}
                }
            }
            b'B' | b'E' | b'X' | b'i' | b'I' | b'R' => {
                let Some(ts_ns) = obj.get("ts").and_then(micros_to_ns) else {
                    self.invalid += 1;
                    return;
                };
                let scope = obj.get("s").and_then(Value::as_str).unwrap_or("t");
                if matches!(ph, b'i' | b'I' | b'R') && scope != "t" {
                    self.unscoped_instants += 1;
                    return;
                }
                let dur_ns = obj.get("dur").and_then(micros_to_ns).unwrap_or(0).max(0);
                let cat = obj.get("cat").and_then(Value::as_str).filter(|c| !c.is_empty()).map(|c| builder.intern(c));
                let args = match obj.get("args") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Object(map)) => map
                        .iter()
                        .map(|(k, v)| Attribute {
                            key: builder.intern(&format!("args.{k}")),
                            value: json_to_any(v, builder),
                        })
                        .collect(),
                    Some(other) => vec![Attribute { key: builder.intern("args"), value: json_to_any(other, builder) }],
                };
                let name = builder.intern(name);
                let next = self.threads.len();
                let slot = *self.thread_index.entry((pid.clone(), tid.clone())).or_insert(next);
                if slot == next {
                    self.threads.push(Thread { pid, tid, events: Vec::new() });
                }
                if let Some(t) = self.threads.get_mut(slot) {
                    t.events.push(RawEvent { ph, ts_ns, dur_ns, name, cat, args });
                }
            }
            other => {
                *self.skipped.entry(char::from(other).to_string()).or_insert(0) += 1;
            }
        }
    }

    fn finish(mut self, bytes: &[u8], builder: &mut TraceSetBuilder) {
        let trace_id = content_trace_id(bytes);
        let mut out = Output { trace_id, next_id: 1, unclosed: 0, overlaps: 0, unmatched_end: 0, lone_instants: 0 };
        let name_sym = builder.intern("");
        let scope = builder.add_scope(Scope { name: name_sym, version: None, attributes: Box::default() });
        let mut resources: HashMap<String, (ResourceIdx, Sym)> = HashMap::new();
        for thread in std::mem::take(&mut self.threads) {
            let (resource, service) = *resources.entry(thread.pid.clone()).or_insert_with(|| {
                let service_name =
                    self.process_names.get(&thread.pid).cloned().unwrap_or_else(|| format!("process {}", thread.pid));
                let service = builder.intern(&service_name);
                let mut attributes =
                    vec![Attribute { key: builder.intern("service.name"), value: AnyValue::Str(service) }];
                attributes
                    .push(Attribute { key: builder.intern("process.pid"), value: id_value(&thread.pid, builder) });
                let idx = builder.add_resource(Resource {
                    service,
                    attributes: attributes.into(),
                    dropped_attributes_count: 0,
                });
                (idx, service)
            });
            let thread_name = self.thread_names.get(&(thread.pid.clone(), thread.tid.clone())).cloned();
            let ctx = ThreadCtx { resource, service, scope, tid: thread.tid, thread_name };
            out.nest_thread(thread.events, &ctx, builder);
        }
        self.report(&out, builder);
    }

    fn report(&self, out: &Output, builder: &mut TraceSetBuilder) {
        let trace = out.trace_id;
        let mut warn = |kind: WarningKind, message: String| builder.warn(Warning::new(kind, message).with_trace(trace));
        if out.unclosed > MAX_SLICE_WARNINGS {
            let more = out.unclosed - MAX_SLICE_WARNINGS;
            warn(
                WarningKind::UnclosedSlice,
                format!("{more} more B events without their E were closed at the end of their thread"),
            );
        }
        if !self.skipped.is_empty() {
            let total: u64 = self.skipped.values().sum();
            let list: Vec<String> = self.skipped.iter().map(|(ph, n)| format!("{n} '{ph}'")).collect();
            warn(
                WarningKind::Other,
                format!(
                    "{total} events of phases this viewer does not show as spans (async, flow, counter, sample, object, …) were skipped: {}",
                    list.join(", ")
                ),
            );
        }
        if self.invalid > 0 {
            warn(
                WarningKind::InvalidValue,
                format!("{} events without a phase or a numeric ts were skipped", self.invalid),
            );
        }
        if out.unmatched_end > 0 {
            warn(
                WarningKind::InvalidValue,
                format!("{} E events had no open B on their thread and were skipped", out.unmatched_end),
            );
        }
        if out.overlaps > 0 {
            warn(
                WarningKind::Other,
                format!(
                    "{} slices overlapped a sibling without nesting; each is shown under the nearest slice containing it",
                    out.overlaps
                ),
            );
        }
        let lone = self.unscoped_instants + out.lone_instants;
        if lone > 0 {
            warn(
                WarningKind::Other,
                format!(
                    "{lone} instant events were skipped: global or process-scoped, or outside every slice of their thread"
                ),
            );
        }
    }
}

fn id_value(text: &str, builder: &mut TraceSetBuilder) -> AnyValue {
    match text.parse::<i64>() {
        Ok(i) => AnyValue::Int(i),
        Err(_) => AnyValue::Str(builder.intern(text)),
    }
}

struct ThreadCtx {
    resource: ResourceIdx,
    service: Sym,
    scope: ScopeIdx,
    tid: String,
    thread_name: Option<String>,
}

struct Output {
    trace_id: TraceId,
    next_id: u64,
    unclosed: usize,
    overlaps: u64,
    unmatched_end: u64,
    lone_instants: u64,
}

/// A slice before nesting; `ord` is its position in the thread's time order (ties keep file order).
struct Slice {
    start_ns: i64,
    end_ns: i64,
    name: Sym,
    cat: Option<Sym>,
    args: Vec<Attribute>,
    unclosed: bool,
    ord: usize,
}

impl Output {
    fn nest_thread(&mut self, mut events: Vec<RawEvent>, ctx: &ThreadCtx, builder: &mut TraceSetBuilder) {
        // Stable: events with equal timestamps keep their file order, which decides B/E matching.
        events.sort_by_key(|e| e.ts_ns);
        let last_ns = events.iter().map(|e| e.ts_ns.saturating_add(e.dur_ns)).max().unwrap_or(0);
        let mut slices: Vec<Slice> = Vec::new();
        let mut instants: Vec<RawEvent> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        for e in events {
            match e.ph {
                b'B' => {
                    open.push(slices.len());
                    let ord = slices.len();
                    slices.push(Slice {
                        start_ns: e.ts_ns,
                        end_ns: e.ts_ns,
                        name: e.name,
                        cat: e.cat,
                        args: e.args,
                        unclosed: true,
                        ord,
                    });
                }
                b'E' => match open.pop().and_then(|i| slices.get_mut(i)) {
                    Some(s) => {
                        s.end_ns = e.ts_ns;
                        s.unclosed = false;
                        // E may carry args of its own (return values); catapult merges them.
                        for a in e.args {
                            if !s.args.iter().any(|x| x.key == a.key) {
                                s.args.push(a);
                            }
                        }
                    }
                    None => self.unmatched_end += 1,
                },
                b'X' => {
                    let ord = slices.len();
                    let end_ns = e.ts_ns.saturating_add(e.dur_ns);
                    slices.push(Slice {
                        start_ns: e.ts_ns,
                        end_ns,
                        name: e.name,
                        cat: e.cat,
                        args: e.args,
                        unclosed: false,
                        ord,
                    });
                }
                _ => instants.push(e),
            }
        }
        for s in slices.iter_mut().filter(|s| s.unclosed) {
            s.end_ns = last_ns.max(s.start_ns);
        }
        slices.sort_by(|a, b| a.start_ns.cmp(&b.start_ns).then(b.end_ns.cmp(&a.end_ns)).then(a.ord.cmp(&b.ord)));

        // Sweep slices and instants together by time with an explicit stack of open slices.
        let mut spans: Vec<Span> = Vec::with_capacity(slices.len());
        let mut stack: Vec<(usize, i64, i64)> = Vec::new(); // (index in spans, start, end)
        let mut pending_events: Vec<Vec<Event>> = Vec::with_capacity(slices.len());
        let mut instants = instants.into_iter().peekable();
        let thread_id_key = builder.intern("thread.id");
        let thread_name_key = builder.intern("thread.name");
        let category_key = builder.intern("chrome.category");
        let tid_value = id_value(&ctx.tid, builder);
        let thread_name = ctx.thread_name.as_deref().map(|n| builder.intern(n));
        for s in slices {
            while let Some(i) = instants.next_if(|i| i.ts_ns < s.start_ns) {
                self.attach_instant(i, &mut stack, &mut pending_events);
            }
            while let Some(&(_, top_start, top_end)) = stack.last() {
                if top_end >= s.end_ns {
                    break;
                }
                if top_end > s.start_ns && top_start < s.start_ns {
                    self.overlaps += 1;
                }
                stack.pop();
            }
            let span_id = SpanId(self.next_id);
            self.next_id += 1;
            let mut span = Span::new(span_id, s.name, ctx.service, s.start_ns, s.end_ns.saturating_sub(s.start_ns));
            span.parent_span_id = stack.last().and_then(|&(i, _, _)| spans.get(i)).map(|p: &Span| p.span_id);
            span.resource = ctx.resource;
            span.scope = ctx.scope;
            span.kind = SpanKind::Internal;
            let mut attributes = Vec::with_capacity(s.args.len() + 3);
            attributes.push(Attribute { key: thread_id_key, value: tid_value.clone() });
            if let Some(n) = thread_name {
                attributes.push(Attribute { key: thread_name_key, value: AnyValue::Str(n) });
            }
            if let Some(c) = s.cat {
                attributes.push(Attribute { key: category_key, value: AnyValue::Str(c) });
            }
            attributes.extend(s.args);
            span.attributes = attributes.into();
            if s.unclosed {
                self.unclosed += 1;
                if self.unclosed <= MAX_SLICE_WARNINGS {
                    let message = format!(
                        "B event {:?} on thread {} has no E; closed at the thread's last timestamp",
                        builder.strings().resolve(s.name),
                        ctx.tid
                    );
                    builder.warn(
                        Warning::new(WarningKind::UnclosedSlice, message).with_trace(self.trace_id).with_span(span_id),
                    );
                }
            }
            stack.push((spans.len(), s.start_ns, s.end_ns));
            spans.push(span);
            pending_events.push(Vec::new());
        }
        for i in instants {
            self.attach_instant(i, &mut stack, &mut pending_events);
        }
        for (mut span, events) in spans.into_iter().zip(pending_events) {
            span.events = events.into();
            builder.push_span(self.trace_id, 16, span);
        }
    }

    /// Puts an instant on the innermost open slice containing it, or counts it as skipped.
    fn attach_instant(&mut self, e: RawEvent, stack: &mut Vec<(usize, i64, i64)>, events: &mut [Vec<Event>]) {
        while stack.last().is_some_and(|&(_, _, end)| end < e.ts_ns) {
            stack.pop();
        }
        match stack.last().and_then(|&(i, _, _)| events.get_mut(i)) {
            Some(list) => list.push(Event {
                time_nanos: e.ts_ns,
                name: e.name,
                attributes: e.args.into(),
                dropped_attributes_count: 0,
            }),
            None => self.lone_instants += 1,
        }
    }
}

/// 128-bit FNV-1a of the bytes: two 64-bit FNV-1a passes with different offset bases, fused.
fn content_trace_id(bytes: &[u8]) -> TraceId {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let (mut a, mut b) = (0xcbf2_9ce4_8422_2325_u64, 0x6c62_272e_07bb_0142_u64);
    for &byte in bytes {
        a = (a ^ u64::from(byte)).wrapping_mul(PRIME);
        b = (b ^ u64::from(byte)).wrapping_mul(PRIME).rotate_left(5);
    }
    let id = (u128::from(a) << 64) | u128::from(b);
    TraceId(if id == 0 { 1 } else { id })
}

enum Frame<'a> {
    Array { items: std::slice::Iter<'a, Value>, out: Vec<AnyValue>, key: Option<Sym> },
    Object { items: serde_json::map::Iter<'a>, out: Vec<Attribute>, key: Option<Sym> },
}

fn scalar(v: &Value, builder: &mut TraceSetBuilder) -> Option<AnyValue> {
    Some(match v {
        Value::Null => AnyValue::Empty,
        Value::Bool(b) => AnyValue::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => AnyValue::Int(i),
            None => AnyValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => AnyValue::Str(builder.intern(s)),
        Value::Array(_) | Value::Object(_) => return None,
    })
}

/// Converts JSON into an attribute value with an explicit stack (no recursion on nested input).
pub(crate) fn json_to_any(root: &Value, builder: &mut TraceSetBuilder) -> AnyValue {
    fn open<'a>(v: &'a Value, key: Option<Sym>) -> Option<Frame<'a>> {
        match v {
            Value::Array(a) => Some(Frame::Array { items: a.iter(), out: Vec::with_capacity(a.len()), key }),
            Value::Object(m) => Some(Frame::Object { items: m.iter(), out: Vec::with_capacity(m.len()), key }),
            _ => None,
        }
    }
    if let Some(v) = scalar(root, builder) {
        return v;
    }
    let mut stack: Vec<Frame> = open(root, None).into_iter().collect();
    loop {
        let Some(top) = stack.last_mut() else {
            return AnyValue::Empty;
        };
        let next = match top {
            Frame::Array { items, .. } => items.next().map(|v| (None, v)),
            Frame::Object { items, .. } => items.next().map(|(k, v)| (Some(k.as_str()), v)),
        };
        let (key, value) = match next {
            Some((k, v)) => {
                let key = k.map(|k| builder.intern(k));
                match scalar(v, builder) {
                    Some(s) => (key, s),
                    None => {
                        if let Some(f) = open(v, key) {
                            stack.push(f);
                        }
                        continue;
                    }
                }
            }
            None => match stack.pop() {
                Some(Frame::Array { out, key, .. }) => (key, AnyValue::Array(out.into())),
                Some(Frame::Object { out, key, .. }) => (key, AnyValue::KvList(out.into())),
                None => return AnyValue::Empty,
            },
        };
        match stack.last_mut() {
            None => return value,
            Some(Frame::Array { out, .. }) => out.push(value),
            Some(Frame::Object { out, .. }) => {
                let key = key.unwrap_or_else(|| builder.intern(""));
                out.push(Attribute { key, value });
            }
        }
    }
}

#[cfg(test)]
#[path = "chrome_tests.rs"]
mod tests;
