//! Turning merged Zipkin records into model spans: endpoints into resources, tags into attributes,
//! annotations into events, µs into ns, and a place in time for spans that have no timestamp.

use super::{Endpoint, Final, ZKind, ZRecord};
use spanlens_model::span::{Event, Resource, ResourceIdx, Scope, ScopeIdx, Span, SpanKind, Status, StatusCode};
use spanlens_model::value::{AnyValue, Attribute};
use spanlens_model::warnings::{MissingDurations, Warning, WarningKind};
use spanlens_model::{SpanId, Sym, TraceId, TraceSetBuilder};
use std::collections::HashMap;

fn us_to_ns(us: i64) -> i64 {
    us.saturating_mul(1000)
}

/// Interns endpoints into resources, once each.
struct Resources {
    by_endpoint: HashMap<Endpoint, ResourceIdx>,
    scope: Option<ScopeIdx>,
}

impl Resources {
    fn get(&mut self, ep: &Endpoint, builder: &mut TraceSetBuilder) -> (ResourceIdx, spanlens_model::Sym) {
        if let Some(&idx) = self.by_endpoint.get(ep) {
            let service = builder.resource(idx).map(|r| r.service);
            if let Some(service) = service {
                return (idx, service);
            }
        }
        let service = match ep.service {
            Some(s) => s,
            None => builder.intern("unknown_service"),
        };
        let mut attributes = vec![Attribute { key: builder.intern("service.name"), value: AnyValue::Str(service) }];
        push_address(&mut attributes, builder, ep, "net.host");
        let idx =
            builder.add_resource(Resource { service, attributes: attributes.into(), dropped_attributes_count: 0 });
        self.by_endpoint.insert(*ep, idx);
        (idx, service)
    }

    fn scope(&mut self, builder: &mut TraceSetBuilder) -> ScopeIdx {
        *self.scope.get_or_insert_with(|| {
            let name = builder.intern("");
            builder.add_scope(Scope { name, version: None, attributes: Box::default() })
        })
    }
}

/// `{prefix}.ip` (IPv4, else IPv6), `{prefix}.ipv6` (when both are given) and `{prefix}.port`.
fn push_address(out: &mut Vec<Attribute>, builder: &mut TraceSetBuilder, ep: &Endpoint, prefix: &str) {
    let mut put = |key: String, value: AnyValue, builder: &mut TraceSetBuilder| {
        out.push(Attribute { key: builder.intern(&key), value });
    };
    let (ip, ipv6) = match (ep.ipv4, ep.ipv6) {
        (Some(v4), v6) => (Some(v4), v6),
        (None, v6) => (v6, None),
    };
    if let Some(ip) = ip {
        put(format!("{prefix}.ip"), AnyValue::Str(ip), builder);
    }
    if let Some(ip) = ipv6 {
        put(format!("{prefix}.ipv6"), AnyValue::Str(ip), builder);
    }
    if let Some(port) = ep.port {
        put(format!("{prefix}.port"), AnyValue::Int(port), builder);
    }
}

/// Start times of the spans that have one (µs timestamp or earliest annotation), to place spans
/// with neither at their parent's start; built only when some span needs it.
#[derive(Default)]
pub(super) struct Placement {
    starts: HashMap<(TraceId, u64), i64>,
    trace_min: HashMap<TraceId, i64>,
}

impl Placement {
    pub(super) fn add(&mut self, rec: &ZRecord, span_id: u64) {
        let ts = rec.timestamp_us.or_else(|| rec.annotations.iter().map(|a| a.0).min());
        if let Some(ts) = ts {
            self.starts.insert((rec.trace_id, span_id), us_to_ns(ts));
            let m = self.trace_min.entry(rec.trace_id).or_insert(i64::MAX);
            *m = (*m).min(us_to_ns(ts));
        }
    }
}

/// Turns merged records into spans, one at a time.
pub(super) struct SpanWriter {
    res: Resources,
    scope: ScopeIdx,
    placement: Option<Placement>,
    /// The `error` tag key, if the file has one at all.
    error_key: Option<Sym>,
    empty: Sym,
    peer_service: Option<Sym>,
    incomplete: MissingDurations,
}

impl SpanWriter {
    pub(super) fn new(builder: &mut TraceSetBuilder, placement: Option<Placement>) -> SpanWriter {
        let mut res = Resources { by_endpoint: HashMap::new(), scope: None };
        let scope = res.scope(builder);
        let error_key = builder.strings().get("error");
        let empty = builder.intern("");
        SpanWriter {
            res,
            scope,
            placement,
            error_key,
            empty,
            peer_service: None,
            incomplete: MissingDurations::default(),
        }
    }

    /// Raises the file's single `MissingDuration` warning, if any span had no duration.
    /// `records` is how many records had no duration before merging: pieces of a span whose
    /// duration another piece gives are not incomplete, and the message says so, because users
    /// count records in the file.
    pub(super) fn finish(self, records: u64, builder: &mut TraceSetBuilder) {
        let detail = (records > self.incomplete.count()).then(|| {
            format!("({records} records had none before the pieces of each span were merged; a merged span takes any piece's duration)")
        });
        if let Some(w) = self.incomplete.warning(detail.as_deref()) {
            builder.warn(w);
        }
    }

    pub(super) fn push(&mut self, f: Final, builder: &mut TraceSetBuilder) {
        let Final { rec, span_id, parent_id, .. } = f;
        let (resource, service) = self.res.get(&rec.local, builder);
        let ann_min = rec.annotations.iter().map(|a| a.0).min();
        // A missing duration means the end is unknown (Zipkin v2: `duration` is omitted when the
        // span did not finish, e.g. Brave's `brave.flush` of an abandoned span). No end is derived
        // from annotations: the flush time is when the library gave up, not when the work ended.
        let start_nanos = match rec.timestamp_us.or(ann_min) {
            Some(ts) => us_to_ns(ts),
            None => {
                let at = self
                    .placement
                    .as_ref()
                    .and_then(|p| {
                        parent_id
                            .and_then(|parent| p.starts.get(&(rec.trace_id, parent)).copied())
                            .or_else(|| p.trace_min.get(&rec.trace_id).copied())
                    })
                    .unwrap_or(0);
                builder.warn(
                    Warning::new(
                        WarningKind::InvalidValue,
                        format!(
                            "span {} has no timestamp (an incomplete Zipkin span); placed at its parent's or the trace's start",
                            SpanId(span_id)
                        ),
                    )
                    .with_trace(rec.trace_id)
                    .with_span(SpanId(span_id)),
                );
                at
            }
        };
        let name = rec.name.unwrap_or(self.empty);
        let mut span = match rec.duration_us {
            Some(d) => Span::new(SpanId(span_id), name, service, start_nanos, us_to_ns(d)),
            None => {
                self.incomplete.note(rec.trace_id, SpanId(span_id));
                Span::new_incomplete(SpanId(span_id), name, service, start_nanos)
            }
        };
        span.parent_span_id = parent_id.map(SpanId);
        span.resource = resource;
        span.scope = self.scope;
        span.kind = match rec.kind {
            None => SpanKind::Unspecified,
            Some(ZKind::Client) => SpanKind::Client,
            Some(ZKind::Server) => SpanKind::Server,
            Some(ZKind::Producer) => SpanKind::Producer,
            Some(ZKind::Consumer) => SpanKind::Consumer,
        };
        let mut attributes = Vec::with_capacity(rec.tags.len() + 4);
        for &(k, v) in &rec.tags {
            if Some(k) == self.error_key {
                let message = if builder.strings().resolve(v).is_empty() { None } else { Some(v) };
                span.status = Status { code: StatusCode::Error, message };
                continue;
            }
            attributes.push(Attribute { key: k, value: AnyValue::Str(v) });
        }
        if let Some(svc) = rec.remote.service {
            let key = *self.peer_service.get_or_insert_with(|| builder.intern("peer.service"));
            attributes.push(Attribute { key, value: AnyValue::Str(svc) });
        }
        push_address(&mut attributes, builder, &rec.remote, "net.peer");
        span.attributes = attributes.into();
        let mut annotations = rec.annotations;
        if annotations.len() > 1 {
            let strings = builder.strings();
            annotations.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| strings.resolve(a.1).cmp(strings.resolve(b.1))));
            annotations.dedup();
        }
        span.events = annotations
            .into_iter()
            .map(|(ts, name)| Event {
                time_nanos: us_to_ns(ts),
                name,
                attributes: Box::default(),
                dropped_attributes_count: 0,
            })
            .collect();
        builder.push_span(rec.trace_id, rec.trace_width, span);
    }
}
