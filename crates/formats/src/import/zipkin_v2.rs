//! Zipkin v2 JSON: a top-level array of spans (`ListOfSpans`), or an array of such arrays
//! (`ListOfTraces`, what `GET /api/v2/traces` returns).
//!
//! Mapping: `localEndpoint` becomes the span's resource (`service.name`, `net.host.ip`,
//! `net.host.port`); `remoteEndpoint` becomes span attributes `peer.service`, `net.peer.ip`
//! (`net.peer.ipv6` when both families are given) and `net.peer.port`; tags become string attributes,
//! except `error`, which becomes an error status whose message is the tag's value; annotations become
//! events; microseconds become nanoseconds.
//!
//! A span without `duration` has an unknown end (Zipkin's meaning: the reporter flushed it before it
//! finished; Brave marks that with a `brave.flush` annotation). It becomes an incomplete span at its
//! timestamp, never with an end taken from an annotation, and the file gets one `MissingDuration`
//! warning counting them. Zipkin's UI does likewise (zipkin-lens `trace.js`: only `timestamp` counts
//! toward the trace's extent, no duration label, a minimal-width bar).
//!
//! Records sharing one span id are handled the way Zipkin's UI (zipkin-lens `span-cleaner.js`
//! `mergeV2ById` and `span-node.js`) handles them, because that is what Zipkin users expect to see:
//! - Pieces of one span reported separately (same id, same side, compatible endpoint) are merged
//!   into one span. Exact duplicates (identical records, e.g. the 9 copies in the Collector's
//!   `sample1.json`) are not pieces: like every other importer we keep them and the tree flags them
//!   as `DuplicateSpanId`, so `orphans`/`spans` agree with the raw records. We also merge a kind-less, timestamp-less fragment into a compatible shared
//!   server piece, which lens leaves as a stray duplicate (84 such fragments in the SmartThings
//!   capture). Each merge is counted with `count_merged_record` and reported as `SharedSpanMerged`.
//! - A server half sharing its client's id (`shared: true`, or a SERVER next to a CLIENT with the
//!   same id) stays a separate span shown as the client's **child**, as lens does, so both services
//!   stay visible. Our model needs unique span ids, so the server half gets a derived id (a hash of
//!   the id and its service) and its own children — spans of the same service naming the shared
//!   id as parent — are re-parented to it, exactly like lens's `(id, shared, endpoint)` keys. Each
//!   such pair is reported as a `SharedSpanMerged` warning naming the derived id.

use super::json_stream::{self, TopLevel};
use serde_json::Value;
use spanlens_model::error::{ImportError, Position};
use spanlens_model::warnings::{Warning, WarningKind};
use spanlens_model::{SpanId, Sym, TraceId, TraceSetBuilder};
use std::collections::{HashMap, HashSet};
use std::fmt;

pub const FORMAT: &str = "zipkin-v2";

/// A Zipkin endpoint; every member is optional. Text is interned as it is read, so records hold no
/// strings of their own (a million records with owned strings cost several hundred megabytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Endpoint {
    pub service: Option<Sym>,
    pub ipv4: Option<Sym>,
    pub ipv6: Option<Sym>,
    pub port: Option<i64>,
}

impl Endpoint {
    pub(crate) fn from_value(value: Option<&Value>, builder: &mut TraceSetBuilder) -> Endpoint {
        let Some(obj) = value.and_then(Value::as_object) else {
            return Endpoint::default();
        };
        let mut text =
            |k: &str| obj.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(|s| builder.intern(s));
        Endpoint {
            service: text("serviceName"),
            ipv4: text("ipv4"),
            ipv6: text("ipv6"),
            // Port 0 means "unknown" in Zipkin (the v1 corpus writes it everywhere).
            port: obj.get("port").and_then(json_stream::integer).filter(|&p| p != 0),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.service.is_none() && self.ipv4.is_none() && self.ipv6.is_none() && self.port.is_none()
    }

    /// Zipkin's `tryMerge`: members present on both sides must agree.
    fn compatible(&self, other: &Endpoint) -> bool {
        fn agree<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
            a.is_none() || b.is_none() || a == b
        }
        agree(&self.service, &other.service)
            && agree(&self.ipv4, &other.ipv4)
            && agree(&self.ipv6, &other.ipv6)
            && agree(&self.port, &other.port)
    }

    fn fill_from(&mut self, other: &Endpoint) {
        self.service = self.service.or(other.service);
        self.ipv4 = self.ipv4.or(other.ipv4);
        self.ipv6 = self.ipv6.or(other.ipv6);
        self.port = self.port.or(other.port);
    }
}

/// Interns a scalar's text as `json_stream::scalar_text` gives it (strings as-is, anything else but
/// null as JSON), without copying strings first.
pub(crate) fn scalar_sym(value: &Value, builder: &mut TraceSetBuilder) -> Option<Sym> {
    match value {
        Value::String(s) => Some(builder.intern(s)),
        other => json_stream::scalar_text(other).map(|t| builder.intern(&t)),
    }
}

/// The service name of an endpoint for messages.
fn service_name(builder: &TraceSetBuilder, service: Option<Sym>) -> String {
    service.map_or_else(|| "no service".to_owned(), |s| builder.strings().resolve(s).to_owned())
}

/// Where a span object sits in the file, for messages: `[i]` or `[i][j]` (a list of traces).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Path {
    outer: usize,
    inner: Option<usize>,
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.inner {
            None => write!(f, "[{}]", self.outer),
            Some(inner) => write!(f, "[{}][{inner}]", self.outer),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ZKind {
    Client,
    Server,
    Producer,
    Consumer,
}

/// One span object as read (v2), or one half of a v1 span after conversion.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ZRecord {
    pub trace_id: TraceId,
    pub trace_width: u8,
    pub id: u64,
    pub parent_id: Option<u64>,
    pub name: Option<Sym>,
    pub kind: Option<ZKind>,
    pub timestamp_us: Option<i64>,
    pub duration_us: Option<i64>,
    pub local: Endpoint,
    pub remote: Endpoint,
    /// (µs, value)
    pub annotations: Vec<(i64, Sym)>,
    pub tags: Vec<(Sym, Sym)>,
    pub shared: bool,
}

impl ZRecord {
    /// A piece with neither kind nor timestamp: late data (tags, annotations) for a span reported
    /// elsewhere in the file.
    fn is_fragment(&self) -> bool {
        self.kind.is_none() && self.timestamp_us.is_none() && !self.shared
    }

    /// Zipkin's `merge`: the first present value wins, collections are unioned.
    fn absorb(&mut self, other: ZRecord) {
        self.trace_width = self.trace_width.max(other.trace_width);
        if self.parent_id.is_none() {
            self.parent_id = other.parent_id;
        }
        if self.name.is_none() {
            self.name = other.name;
        }
        if self.kind.is_none() {
            self.kind = other.kind;
        }
        if self.timestamp_us.is_none() {
            self.timestamp_us = other.timestamp_us;
        }
        if self.duration_us.is_none() {
            self.duration_us = other.duration_us;
        }
        self.local.fill_from(&other.local);
        self.remote.fill_from(&other.remote);
        for a in other.annotations {
            if !self.annotations.contains(&a) {
                self.annotations.push(a);
            }
        }
        for (k, v) in other.tags {
            match self.tags.iter_mut().find(|(key, _)| *key == k) {
                Some(slot) => slot.1 = v,
                None => self.tags.push((k, v)),
            }
        }
        self.shared |= other.shared;
    }

    /// Neither a timestamp nor annotations: the span must be placed at its parent's start.
    fn needs_placement(&self) -> bool {
        self.timestamp_us.is_none() && self.annotations.is_empty()
    }
}

/// Records in file order, in chunks: the emit pass frees each chunk once every record in it has
/// become a span, so the records and the spans made of them are never all in memory at once.
#[derive(Default)]
pub(crate) struct Records {
    chunks: Vec<Vec<Option<ZRecord>>>,
    len: usize,
    /// Some record has neither a timestamp nor annotations.
    needs_placement: bool,
}

const CHUNK: usize = 4096;

impl Records {
    fn push(&mut self, rec: ZRecord) {
        self.needs_placement |= rec.needs_placement();
        if self.chunks.last().is_none_or(|c| c.len() >= CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        if let Some(chunk) = self.chunks.last_mut() {
            chunk.push(Some(rec));
            self.len += 1;
        }
    }

    fn take(&mut self, i: usize) -> Option<ZRecord> {
        self.chunks.get_mut(i / CHUNK).and_then(|c| c.get_mut(i % CHUNK)).and_then(Option::take)
    }

    /// Frees the chunk holding record `i` when `i` is its last record.
    fn release_after(&mut self, i: usize) {
        if i % CHUNK == CHUNK - 1
            && let Some(chunk) = self.chunks.get_mut(i / CHUNK)
        {
            *chunk = Vec::new();
        }
    }

    fn iter(&self) -> impl Iterator<Item = (usize, &ZRecord)> {
        self.chunks.iter().enumerate().flat_map(|(c, chunk)| {
            chunk.iter().enumerate().filter_map(move |(j, r)| Some((c * CHUNK + j, r.as_ref()?)))
        })
    }
}

/// Imports Zipkin v2 JSON. See the module docs.
pub fn import(bytes: &[u8], file: &str, builder: &mut TraceSetBuilder) -> Result<(), ImportError> {
    let records = read_records(bytes, file, FORMAT, builder, parse_record)?;
    emit(records, builder);
    Ok(())
}

/// Streams the top-level array (flattening a list of traces) and parses each span object with
/// `parse`, which may yield several records (Zipkin v1 spans split into client and server halves).
pub(crate) fn read_records(
    bytes: &[u8],
    file: &str,
    format: &str,
    builder: &mut TraceSetBuilder,
    parse: fn(&Value, Path, &mut TraceSetBuilder, &mut Vec<ZRecord>),
) -> Result<Records, ImportError> {
    if json_stream::top_level(bytes) != TopLevel::Array {
        return Err(ImportError::new(file, format, Position::Byte(0), "expected a JSON array of spans"));
    }
    let mut records = Records::default();
    let mut scratch = Vec::new();
    let mut index = 0usize;
    let result = json_stream::for_each_element(bytes, None, &mut |value| {
        match value {
            // ListOfTraces: one level of nesting, no deeper.
            Value::Array(items) => {
                for (inner, item) in items.iter().enumerate() {
                    parse(item, Path { outer: index, inner: Some(inner) }, builder, &mut scratch);
                }
            }
            other => parse(&other, Path { outer: index, inner: None }, builder, &mut scratch),
        }
        for rec in scratch.drain(..) {
            records.push(rec);
        }
        index += 1;
    });
    match result {
        Ok(end) => {
            if let Some((line, column)) = end.trailing {
                builder.warn(Warning::new(
                    WarningKind::Other,
                    format!("{format}: text after the closing ']' at line {line}, column {column} was ignored"),
                ));
            }
            Ok(records)
        }
        Err(e) => Err(ImportError::from_json(file, format, &e.error)),
    }
}

/// (trace, shared span id) -> the server halves under it: (their service, their derived id).
type SharedChildren = HashMap<(TraceId, u64), Vec<(Option<Sym>, u64)>>;

/// One span after merging, with its final id and parent.
struct Final {
    rec: ZRecord,
    span_id: u64,
    parent_id: Option<u64>,
    shared_child: bool,
}

/// Sort rank inside one id group: non-shared clients first, fragments last (lens orders client first).
fn rank(r: &ZRecord) -> u8 {
    if r.is_fragment() {
        3
    } else if r.shared {
        2
    } else if r.kind == Some(ZKind::Client) {
        0
    } else {
        1
    }
}

fn mergeable(piece: &ZRecord, rec: &ZRecord, any_side: bool) -> bool {
    let kinds = piece.kind.is_none() || rec.kind.is_none() || piece.kind == rec.kind;
    kinds && (piece.shared == rec.shared || any_side) && piece.local.compatible(&rec.local)
}

/// The (trace, span id) pairs in use: every record's, sorted, plus the ids derived so far.
struct Taken {
    sorted: Vec<(TraceId, u64)>,
    derived: HashSet<(TraceId, u64)>,
}

impl Taken {
    fn contains(&self, key: &(TraceId, u64)) -> bool {
        self.sorted.binary_search(key).is_ok() || self.derived.contains(key)
    }
}

/// Merges records by id as described in the module docs, then pushes the spans.
///
/// Spans come out in the order of their id's first record (a group's pieces together), as the
/// original list-of-groups did. Only ids with several records need work before pushing; they are
/// found by sorting (trace, id, index) keys, which costs far less memory than a map of groups.
pub(crate) fn emit(mut records: Records, builder: &mut TraceSetBuilder) {
    let mut keys: Vec<(TraceId, u64, u32)> = Vec::with_capacity(records.len);
    // Records without a duration before merging, so the warning can relate spans to records.
    let mut records_without_duration = 0u64;
    for (i, rec) in records.iter() {
        keys.push((rec.trace_id, rec.id, u32::try_from(i).unwrap_or(u32::MAX)));
        records_without_duration += u64::from(rec.duration_us.is_none());
    }
    keys.sort_unstable();
    // Groups of several records, as indices in file order; then in the order of their first record.
    let mut multi: Vec<Vec<u32>> = Vec::new();
    let mut start = 0;
    while start < keys.len() {
        let key = keys.get(start).map(|k| (k.0, k.1));
        let end =
            start + keys.get(start..).map_or(0, |rest| rest.iter().take_while(|k| Some((k.0, k.1)) == key).count());
        if end - start > 1
            && let Some(run) = keys.get(start..end)
        {
            multi.push(run.iter().map(|k| k.2).collect());
        }
        start = end.max(start + 1);
    }
    multi.sort_unstable_by_key(|m| m.first().copied());
    let mut sorted: Vec<(TraceId, u64)> = keys.iter().map(|k| (k.0, k.1)).collect();
    drop(keys);
    sorted.dedup();
    let mut taken = Taken { sorted, derived: HashSet::new() };

    // Merge the groups of several records; their spans wait, keyed by their first record's index.
    let mut pending: Vec<(usize, Vec<Final>)> = Vec::with_capacity(multi.len());
    let mut shared_children: SharedChildren = HashMap::new();
    for members in multi {
        let Some(&first) = members.first() else { continue };
        let mut group: Vec<ZRecord> = members.iter().filter_map(|&i| records.take(i as usize)).collect();
        group.sort_by_key(rank);
        let pieces = merge_group(group, builder);
        let mut finals = Vec::with_capacity(pieces.len());
        push_finals(pieces, &mut taken, &mut shared_children, &mut finals, builder);
        pending.push((first as usize, finals));
    }
    drop(taken);

    // Start times of spans that have one, to place timestamp-less spans at their parent's start.
    let placement = if records.needs_placement { Some(starts(&records, &pending)) } else { None };

    let mut out = spans::SpanWriter::new(builder, placement);
    let mut pending = pending.into_iter().peekable();
    for i in 0..records.len {
        if let Some((_, finals)) = pending.next_if(|(first, _)| *first == i) {
            for f in finals {
                push_one(f, &shared_children, &mut out, builder);
            }
        } else if let Some(rec) = records.take(i) {
            let f = Final { span_id: rec.id, parent_id: rec.parent_id, rec, shared_child: false };
            push_one(f, &shared_children, &mut out, builder);
        }
        records.release_after(i);
    }
    out.finish(records_without_duration, builder);
}

/// Children of a shared id on the server's own endpoint belong to the server half.
fn push_one(
    mut f: Final,
    shared_children: &SharedChildren,
    out: &mut spans::SpanWriter,
    builder: &mut TraceSetBuilder,
) {
    if !f.shared_child
        && let Some(parent) = f.parent_id
        && let Some(servers) = shared_children.get(&(f.rec.trace_id, parent))
    {
        let service = f.rec.local.service;
        let mine = servers.iter().find(|(svc, _)| service.is_some() && *svc == service);
        let chosen = mine.or_else(|| servers.first().filter(|_| service.is_none()));
        if let Some((_, derived)) = chosen {
            f.parent_id = Some(*derived);
        }
    }
    out.push(f, builder);
}

/// (trace, span id) -> start (ns), and each trace's earliest start, over every span to be pushed,
/// in push order (a later span with the same id wins, as before).
fn starts(records: &Records, pending: &[(usize, Vec<Final>)]) -> spans::Placement {
    let mut placement = spans::Placement::default();
    let mut pending = pending.iter().peekable();
    for (i, rec) in records.iter() {
        while let Some((_, finals)) = pending.next_if(|(first, _)| *first < i) {
            for f in finals {
                placement.add(&f.rec, f.span_id);
            }
        }
        placement.add(rec, rec.id);
    }
    for (_, finals) in pending {
        for f in finals {
            placement.add(&f.rec, f.span_id);
        }
    }
    placement
}

/// Merges the pieces of one id group; returns the distinct spans left.
fn merge_group(group: Vec<ZRecord>, builder: &mut TraceSetBuilder) -> Vec<(ZRecord, u32)> {
    let mut pieces: Vec<(ZRecord, u32)> = Vec::new();
    // Records identical to an earlier one are duplicates, not pieces: they are kept and flagged
    // (DuplicateSpanId), as every importer does with exact duplicates.
    let mut seen: Vec<ZRecord> = Vec::new();
    let several = group.len() > 1;
    for rec in group {
        if several {
            if seen.contains(&rec) {
                pieces.push((rec, 0));
                continue;
            }
            seen.push(rec.clone());
        }
        let fragment = rec.is_fragment();
        let slot = pieces
            .iter()
            .position(|(p, _)| mergeable(p, &rec, false))
            .or_else(|| if fragment { pieces.iter().position(|(p, _)| mergeable(p, &rec, true)) } else { None });
        match slot.and_then(|i| pieces.get_mut(i)) {
            Some((piece, merged)) => {
                piece.absorb(rec);
                *merged += 1;
                builder.count_merged_record();
            }
            None => pieces.push((rec, 0)),
        }
    }
    for (piece, merged) in &pieces {
        if *merged > 0 {
            let service = service_name(builder, piece.local.service);
            builder.warn(
                Warning::new(
                    WarningKind::SharedSpanMerged,
                    format!(
                        "{} records of span {} ({service}) were pieces of one span reported separately; merged into one, as Zipkin's UI does",
                        merged + 1,
                        SpanId(piece.id),
                    ),
                )
                .with_trace(piece.trace_id)
                .with_span(SpanId(piece.id)),
            );
        }
    }
    // Some instrumentation omits `shared` on the server half; lens backfills it.
    if pieces.iter().any(|(p, _)| p.kind == Some(ZKind::Client) && !p.shared) {
        for (p, _) in &mut pieces {
            if p.kind == Some(ZKind::Server) {
                p.shared = true;
            }
        }
    }
    pieces
}

fn push_finals(
    pieces: Vec<(ZRecord, u32)>,
    taken: &mut Taken,
    shared_children: &mut SharedChildren,
    finals: &mut Vec<Final>,
    builder: &mut TraceSetBuilder,
) {
    let primary = pieces.iter().find(|(p, _)| !p.shared).map(|(p, _)| (p.id, p.local.service));
    for (rec, _) in pieces {
        match primary {
            Some((client_id, client_service)) if rec.shared => {
                let service = service_name(builder, rec.local.service);
                let service_text = rec.local.service.map(|s| builder.strings().resolve(s));
                let derived = derive_id(rec.trace_id, rec.id, service_text, taken);
                let client = service_name(builder, client_service);
                builder.warn(
                    Warning::new(
                        WarningKind::SharedSpanMerged,
                        format!(
                            "server half of span {} ({service}) shares its id with the client half ({client}); shown as the client's child, as Zipkin's UI does, with derived span id {}",
                            SpanId(rec.id),
                            SpanId(derived),
                        ),
                    )
                    .with_trace(rec.trace_id)
                    .with_span(SpanId(derived)),
                );
                shared_children.entry((rec.trace_id, rec.id)).or_default().push((rec.local.service, derived));
                finals.push(Final { rec, span_id: derived, parent_id: Some(client_id), shared_child: true });
            }
            _ => {
                let (span_id, parent_id) = (rec.id, rec.parent_id);
                finals.push(Final { rec, span_id, parent_id, shared_child: false });
            }
        }
    }
}

/// A deterministic id for a server half: SplitMix64 of the shared id and the service name, re-mixed
/// until it is unused in the trace (and non-zero).
fn derive_id(trace: TraceId, id: u64, service: Option<&str>, taken: &mut Taken) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in service.unwrap_or("").bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut x = splitmix64(id ^ h);
    // 64 tries cannot all collide in practice; the bound only keeps hostile input from looping.
    for _ in 0..64 {
        if x != 0 && !taken.contains(&(trace, x)) {
            break;
        }
        x = splitmix64(x);
    }
    taken.derived.insert((trace, x));
    x
}

pub(crate) fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[path = "zipkin_v2_spans.rs"]
mod spans;

#[path = "zipkin_v2_read.rs"]
mod read;
use read::parse_record;
pub(crate) use read::{read_duration, read_ids, read_parent};

#[cfg(test)]
#[path = "zipkin_v2_tests.rs"]
pub(crate) mod tests;
