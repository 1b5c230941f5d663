//! The analysis of a large trace (service colours, critical path, self times, summary), computed by
//! the parsing worker once it has sent the spans, and sent after them as the result's last parts.
//!
//! The UI thread needs all of it before a trace's page can mount. Computing it there took a cold
//! page 170–200 ms at a million spans, after the last span was decoded and in tasks of up to 90 ms
//! (tests/bench/profile_cold.mjs); the worker, idle by then, computes it while the UI thread still
//! decodes the spans. Only traces of [`ANALYSED_SPANS`] spans or more are analysed: below that the
//! UI thread's own analysis takes a few milliseconds, less than the message would.
//!
//! The parts, per analysed trace in trace order: its colours, critical path and summary (postcard),
//! then its self times as raw little-endian `i64`s in parts of at most [`crate::TREE_PART_BYTES`]
//! (as postcard varints, a million of them took a cold UI thread one long task to decode).

use serde::{Deserialize, Serialize};
use spanlens_analysis::critical_path::{CriticalPath, critical_path, self_times};
use spanlens_analysis::summary::{TraceSummary, summarize_with_self_times};
use spanlens_layout::palette::ServiceColors;
use spanlens_model::{Trace, TraceSet};

/// Traces of this many spans or more are analysed by the parsing worker (and, when opened without
/// such an analysis, analysed by the trace page in tasks of their own before it mounts).
pub const ANALYSED_SPANS: usize = 20_000;

/// One trace's analysis, as the trace page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysed {
    /// The trace's index in its set.
    pub trace: u32,
    pub colors: ServiceColors,
    pub critical: CriticalPath,
    /// Per span, in span order.
    pub self_nanos: Vec<i64>,
    pub summary: TraceSummary,
}

impl Analysed {
    /// Analyses trace `trace` of `set` (`None` if there is no such trace). The worker calls this once
    /// per large trace, so V8 optimizes what runs long in it only when it is nearly done: each of
    /// its analyses is a function of its own (not inlined here), each a smaller such compile than the
    /// 9.5 kB they made together (`tests/bench/tier_up.mjs`).
    #[inline(never)]
    pub fn of(set: &TraceSet, trace: usize) -> Option<Analysed> {
        let t = set.traces.get(trace)?;
        let (colors, self_nanos, summary) = header_numbers(set, t);
        let critical = critical_path(t);
        Some(Analysed { trace: u32::try_from(trace).ok()?, colors, critical, self_nanos, summary })
    }
}

/// Everything of an analysis but the critical path: service colours, self times and the summary
/// (the trace page computes the critical path in a task of its own when it analyses a trace itself).
/// The colours follow the summary's services, which are in order of first appearance like
/// [`ServiceColors::for_trace`]'s: one pass over the spans fewer.
pub fn header_numbers(set: &TraceSet, trace: &Trace) -> (ServiceColors, Vec<i64>, TraceSummary) {
    let self_nanos = self_times(trace);
    let summary = summarize_with_self_times(trace, &self_nanos);
    let colors = ServiceColors::for_services(summary.services.iter().map(|s| s.service), &set.strings);
    (colors, self_nanos, summary)
}

/// The traces of `set` the worker analyses, by index.
pub(crate) fn traces_to_analyse(set: &TraceSet) -> Vec<u32> {
    let large = set.traces.iter().enumerate().filter(|(_, t)| t.spans.len() >= ANALYSED_SPANS);
    large.filter_map(|(i, _)| u32::try_from(i).ok()).collect()
}

/// The part before a trace's self times.
#[derive(Serialize)]
struct HeadRef<'a> {
    trace: u32,
    colors: &'a ServiceColors,
    critical: &'a CriticalPath,
    summary: &'a TraceSummary,
}

#[derive(Deserialize)]
struct Head {
    trace: u32,
    colors: ServiceColors,
    critical: CriticalPath,
    summary: TraceSummary,
}

/// Analyses `traces` of `set` one after the other and emits each one's parts as soon as it is done.
/// Out of line, like its parts (see the note in `parts.rs`): inlined into the encoding, it made one
/// function of 20 kB that V8 optimized in vain at the end of every large load (~0.12 s of CPU).
#[inline(never)]
pub(crate) fn encode(
    set: &TraceSet,
    traces: &[u32],
    part_bytes: usize,
    emit: &mut impl FnMut(Vec<u8>),
) -> Result<(), String> {
    for &trace in traces {
        let Some(a) = Analysed::of(set, trace as usize) else {
            return Err(format!("trace {trace} to analyse is not in the result"));
        };
        emit(encode_head(&HeadRef { trace, colors: &a.colors, critical: &a.critical, summary: &a.summary })?);
        let per_part = (part_bytes / 8).max(1);
        for values in a.self_nanos.chunks(per_part) {
            emit(i64_part(values));
        }
    }
    Ok(())
}

#[inline(never)]
fn encode_head(head: &HeadRef<'_>) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(head).map_err(|e| format!("could not encode a trace's analysis: {e}"))
}

#[inline(never)]
fn i64_part(values: &[i64]) -> Vec<u8> {
    let mut part = Vec::with_capacity(values.len() * 8);
    for value in values {
        part.extend_from_slice(&value.to_le_bytes());
    }
    part
}

/// The analyses of a result as their parts arrive, checked against the traces they belong to.
pub(crate) struct Incoming {
    /// The traces still to come, in order (the head's list).
    expected: std::vec::IntoIter<u32>,
    /// The trace whose self times are arriving, and how many spans it has.
    filling: Option<(Analysed, usize)>,
    pub(crate) done: Vec<Analysed>,
}

impl Incoming {
    pub(crate) fn new(expected: Vec<u32>) -> Incoming {
        Incoming { expected: expected.into_iter(), filling: None, done: Vec::new() }
    }

    /// Whether every announced analysis is complete.
    pub(crate) fn is_complete(&self) -> bool {
        self.filling.is_none() && self.expected.as_slice().is_empty()
    }

    pub(crate) fn add(&mut self, part: &[u8], set: &TraceSet) -> Result<(), String> {
        let Some((analysed, spans)) = self.filling.as_mut() else {
            return self.start(part, set);
        };
        if !part.len().is_multiple_of(8) {
            return Err("a part of the parsing worker's self times is cut inside a value".to_owned());
        }
        if analysed.self_nanos.len() + part.len() / 8 > *spans {
            return Err("the parsing worker sent more self times than the trace has spans".to_owned());
        }
        // `chunks_exact(8)`: every chunk has the eight bytes indexed.
        analysed
            .self_nanos
            .extend(part.chunks_exact(8).map(|b| i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])));
        self.finish_filled();
        Ok(())
    }

    fn start(&mut self, part: &[u8], set: &TraceSet) -> Result<(), String> {
        let Some(wanted) = self.expected.next() else {
            return Err("the parsing worker sent more parts than its result holds".to_owned());
        };
        let Head { trace, colors, critical, summary } =
            postcard::from_bytes(part).map_err(|e| format!("could not decode a trace's analysis: {e}"))?;
        let spans = set.traces.get(trace as usize).map_or(0, |t| t.spans.len());
        if trace != wanted || !critical.fits(spans) || summary.span_count != spans {
            return Err(format!("the parsing worker's analysis of trace {trace} does not fit it"));
        }
        let mut self_nanos = Vec::new();
        // Reserved: at a million spans the vector would otherwise be copied as it grows, and
        // `try_`, so that no length can abort the page.
        self_nanos.try_reserve_exact(spans).map_err(|_| "no memory for a trace's self times".to_owned())?;
        self.filling = Some((Analysed { trace, colors, critical, self_nanos, summary }, spans));
        self.finish_filled();
        Ok(())
    }

    fn finish_filled(&mut self) {
        if self.filling.as_ref().is_some_and(|(a, spans)| a.self_nanos.len() == *spans)
            && let Some((analysed, _)) = self.filling.take()
        {
            self.done.push(analysed);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::parts::reassemble;
    use crate::{Assembly, LoadResult, TraceSource, encode_parts};
    use spanlens_synth::{SynthOptions, generate};

    fn result(spans: usize, traces: usize) -> LoadResult {
        let set = generate(&SynthOptions { spans, traces, seed: 9, deep_chain: false });
        LoadResult::new(TraceSource::Url { url: "u".to_owned() }, set)
    }

    #[test]
    fn large_traces_arrive_analysed_as_the_ui_thread_would_analyse_them() {
        // Two traces past the threshold (synth splits spans evenly), and a set with one trace below
        // it (the UI thread analyses that one itself).
        let original = result(2 * ANALYSED_SPANS + 1_000, 2);
        let large = vec![0, 1];
        assert_eq!(traces_to_analyse(&original.set), large);
        assert!(traces_to_analyse(&result(2 * ANALYSED_SPANS - 2, 2).set).is_empty());
        let expected: Vec<Analysed> = large.iter().map(|&i| Analysed::of(&original.set, i as usize).unwrap()).collect();
        let set = original.set.clone();
        let got = reassemble(&encode_parts(original).unwrap()).unwrap();
        assert!(got.set == set);
        assert_eq!(got.analysed, expected);
        for a in &got.analysed {
            let trace = &set.traces[a.trace as usize];
            assert_eq!(a.self_nanos.len(), trace.spans.len());
            assert!(!a.critical.segments().is_empty());
            assert_eq!(a.summary.span_count, trace.spans.len());
        }
    }

    #[test]
    fn colours_from_the_summary_are_the_traces_colours() {
        let set = result(3_000, 4).set;
        for t in &set.traces {
            let (colors, _, summary) = header_numbers(&set, t);
            assert!(summary.services.len() > 1);
            assert_eq!(colors, ServiceColors::for_trace(t, &set.strings));
        }
    }

    #[test]
    fn small_results_carry_no_analysis() {
        let parts = encode_parts(result(ANALYSED_SPANS - 1, 1)).unwrap();
        assert!(reassemble(&parts).unwrap().analysed.is_empty());
        // A part after the spans has nothing to fill: an error, not a panic.
        let mut assembly = Assembly::start(&parts[0]).unwrap();
        for part in &parts[1..] {
            assembly.add(part).unwrap();
        }
        assert!(assembly.add(&[0; 8]).is_err());
    }

    #[test]
    fn missing_cut_or_foreign_analysis_parts_are_errors_not_panics() {
        let parts = encode_parts(result(ANALYSED_SPANS + 10, 1)).unwrap();
        // The analysis' own part, then its self times (160 kB: one part).
        let [.., head, self_times] = parts.as_slice() else { panic!("too few parts") };
        let before = &parts[..parts.len() - 2];
        let upto = |n: usize| {
            let mut assembly = Assembly::start(&parts[0]).unwrap();
            for part in &before[1..] {
                assembly.add(part).unwrap();
            }
            for part in &[head, self_times][..n] {
                assembly.add(part).unwrap();
            }
            assembly
        };
        assert!(upto(0).finish().is_err(), "the analysis missing");
        assert!(upto(1).finish().is_err(), "the self times missing");
        assert!(upto(2).finish().is_ok());
        assert!(upto(1).add(&self_times[..self_times.len() - 3]).is_err(), "cut inside a value");
        assert!(upto(1).add(&[self_times.as_slice(), &[0; 8]].concat()).is_err(), "one self time too many");
        assert!(upto(2).add(self_times).is_err(), "a part too many");
        assert!(upto(0).add(b"\xff\xff\xff").is_err(), "garbage");
        // An analysis that belongs to another trace (here: a trace of 10 spans) does not fit.
        let small = Analysed::of(&result(10, 1).set, 0).unwrap();
        let foreign = HeadRef { trace: 0, colors: &small.colors, critical: &small.critical, summary: &small.summary };
        assert!(upto(0).add(&postcard::to_allocvec(&foreign).unwrap()).is_err());
    }
}
