//! A load's result in parts, so that the UI thread decodes it across short tasks as it arrives
//! instead of freezing for one long one (a second at a million spans).
//!
//! The parts, in order:
//! 1. the head: the result with every trace's spans and tree index arrays taken out, and the length
//!    of each of those arrays (postcard);
//! 2. the trees' index arrays, one column at a time across all traces (every trace's `parent`, then
//!    every trace's `child_offsets`, …), as raw little-endian `u32`s (bytes for `missing_parent`), at
//!    most [`TREE_PART_BYTES`] a part. They are a third of a large result (33 bytes a span) and as
//!    postcard varints took a cold UI thread 80–100 ms for the head of a million spans, in one task;
//!    raw, a part is little more than a copy;
//! 3. the spans, in trace order, [`crate::SPANS_PER_PART`] a part (postcard);
//! 4. the analysis of each large trace (see [`crate::analysed`]), computed while the UI thread
//!    decodes the spans.

use crate::analysed::{self, Incoming};
use crate::{LoadResult, SPANS_PER_PART};
use serde::{Deserialize, Serialize};
use spanlens_model::{Span, Tree};

/// The largest part of a tree column: 262,144 indices, about a millisecond to decode cold.
pub const TREE_PART_BYTES: usize = 1 << 20;

/// The tree's index arrays that travel raw, in the order they are sent.
const COLUMNS: usize = 9;

/// The first part, as sent ([`Head`] as received).
#[derive(Serialize)]
struct HeadRef<'a> {
    result: &'a LoadResult,
    tree_lens: &'a [[u32; COLUMNS]],
    analysed: &'a [u32],
}

#[derive(Deserialize)]
struct Head {
    result: LoadResult,
    /// Per trace, the length of each of its tree's [`COLUMNS`].
    tree_lens: Vec<[u32; COLUMNS]>,
    /// The traces whose analysis follows the spans, by index.
    analysed: Vec<u32>,
}

/// One tree column: `u32` indices, or (the last) flags of one byte each.
enum Column<'a> {
    Index(&'a mut Vec<u32>),
    Flags(&'a mut Vec<bool>),
}

impl Column<'_> {
    fn of(tree: &mut Tree, column: usize) -> Column<'_> {
        match column {
            0 => Column::Index(&mut tree.parent),
            1 => Column::Index(&mut tree.child_offsets),
            2 => Column::Index(&mut tree.child_indices),
            3 => Column::Index(&mut tree.roots),
            4 => Column::Index(&mut tree.preorder),
            5 => Column::Index(&mut tree.preorder_pos),
            6 => Column::Index(&mut tree.subtree_len),
            7 => Column::Index(&mut tree.depth),
            _ => Column::Flags(&mut tree.missing_parent),
        }
    }

    fn len(&self) -> usize {
        match self {
            Column::Index(v) => v.len(),
            Column::Flags(v) => v.len(),
        }
    }

    fn element_bytes(&self) -> usize {
        match self {
            Column::Index(_) => 4,
            Column::Flags(_) => 1,
        }
    }
}

/// Encodes `result` in parts (see the module's documentation).
pub fn encode_parts(result: LoadResult) -> Result<Vec<Vec<u8>>, String> {
    let mut parts = Vec::new();
    encode_parts_with(result, |part| parts.push(part))?;
    Ok(parts)
}

/// [`encode_parts`], handing each part to `emit` as soon as it is encoded: the worker posts it at
/// once, so the UI thread decodes the first parts while the worker still encodes the last ones
/// (at a million spans the encoding takes the worker about 0.3 s).
pub fn encode_parts_with(result: LoadResult, emit: impl FnMut(Vec<u8>)) -> Result<(), String> {
    encode_parts_sized(result, TREE_PART_BYTES, emit)
}

fn encode_parts_sized(
    mut result: LoadResult,
    tree_part_bytes: usize,
    mut emit: impl FnMut(Vec<u8>),
) -> Result<(), String> {
    let analysed = analysed::traces_to_analyse(&result.set);
    // The head is the result without its spans and tree index arrays: taken out while it is
    // encoded, and put back for the parts that follow (and for the analysis, which needs both).
    let mut spans: Vec<Vec<Span>> = Vec::with_capacity(result.set.traces.len());
    let mut trees: Vec<Tree> = Vec::with_capacity(result.set.traces.len());
    for trace in &mut result.set.traces {
        spans.push(std::mem::take(&mut trace.spans));
        let tree = std::mem::take(&mut trace.tree);
        trace.tree.max_depth = tree.max_depth;
        trees.push(tree);
    }
    let tree_lens = trees
        .iter_mut()
        .map(|tree| {
            let mut lens = [0u32; COLUMNS];
            for (column, len) in lens.iter_mut().enumerate() {
                *len = u32::try_from(Column::of(tree, column).len()).map_err(|_| "a trace too large to send")?;
            }
            Ok(lens)
        })
        .collect::<Result<Vec<_>, String>>()?;
    let head = HeadRef { result: &result, tree_lens: &tree_lens, analysed: &analysed };
    emit(encode_head(&head)?);
    for ((trace, spans), tree) in result.set.traces.iter_mut().zip(spans).zip(trees) {
        trace.spans = spans;
        trace.tree = tree;
    }
    encode_tree_columns(&mut result, tree_part_bytes, &mut emit);

    encode_span_parts(&result, &mut emit)?;
    analysed::encode(&result.set, &analysed, tree_part_bytes, &mut emit)
}

// The encoding runs once per load, in the worker, whose wasm V8 first runs in its baseline tier and
// optimizes a function, whole, once it has run long enough; a call already running keeps the
// baseline code. As one function (everything inlined) the encoding was 32 kB that V8 optimized
// only when it was nearly done, at ~0.1 s of a two-core machine's CPU; in pieces, each piece is
// small to optimize and the pieces called again (a part of spans) run optimized from then on.

#[inline(never)]
fn encode_head(head: &HeadRef<'_>) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(head).map_err(|e| format!("could not encode the parsed traces: {e}"))
}

#[inline(never)]
fn encode_span_parts(result: &LoadResult, emit: &mut impl FnMut(Vec<u8>)) -> Result<(), String> {
    let mut part: Vec<&Span> = Vec::with_capacity(SPANS_PER_PART);
    for span in result.set.traces.iter().flat_map(|t| &t.spans) {
        part.push(span);
        if part.len() == SPANS_PER_PART {
            emit(encode_spans(&part)?);
            part.clear();
        }
    }
    if !part.is_empty() {
        emit(encode_spans(&part)?);
    }
    Ok(())
}

#[inline(never)]
fn encode_spans(part: &[&Span]) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(part).map_err(|e| format!("could not encode the spans: {e}"))
}

#[inline(never)]
fn encode_tree_columns(result: &mut LoadResult, tree_part_bytes: usize, emit: &mut impl FnMut(Vec<u8>)) {
    for column in 0..COLUMNS {
        let mut part: Vec<u8> = Vec::new();
        for trace in &mut result.set.traces {
            match Column::of(&mut trace.tree, column) {
                Column::Index(values) => {
                    for value in values.iter() {
                        part.extend_from_slice(&value.to_le_bytes());
                        if part.len() >= tree_part_bytes {
                            emit(std::mem::take(&mut part));
                        }
                    }
                }
                Column::Flags(values) => {
                    for flag in values.iter() {
                        part.push(u8::from(*flag));
                        if part.len() >= tree_part_bytes {
                            emit(std::mem::take(&mut part));
                        }
                    }
                }
            }
        }
        if !part.is_empty() {
            emit(part);
        }
    }
}

#[inline(never)]
fn decode_spans(part: &[u8]) -> Result<Vec<Span>, String> {
    postcard::from_bytes(part).map_err(|e| format!("could not decode the parsed spans: {e}"))
}

/// Reassembles what [`encode_parts`] produced, one part at a time. Parts out of place, too long or
/// too short are errors, never panics.
pub struct Assembly {
    result: LoadResult,
    tree_lens: Vec<[u32; COLUMNS]>,
    /// The tree column the next part fills; [`COLUMNS`] once every column is complete.
    column: usize,
    /// Within that column, the trace being filled.
    column_trace: usize,
    /// The trace the next spans belong to.
    trace: usize,
    /// The large traces' analyses, which follow the spans.
    analyses: Incoming,
}

impl Assembly {
    #[inline(never)]
    pub fn start(head: &[u8]) -> Result<Assembly, String> {
        let Head { mut result, tree_lens, analysed } =
            postcard::from_bytes(head).map_err(|e| format!("could not decode the parsed traces: {e}"))?;
        if tree_lens.len() != result.set.traces.len() {
            return Err("the parsing worker's result lists its trees wrongly".to_owned());
        }
        for (trace, lens) in result.set.traces.iter_mut().zip(&tree_lens) {
            // A trace has a span per `parent` entry: its spans' vector never grows by copying (in
            // wasm a reallocation copies, and a million spans take 100 MB). A length no allocation
            // can hold is left to the parts, which cannot match it.
            trace.spans.try_reserve_exact(lens[0] as usize).ok();
            for (column, len) in lens.iter().enumerate() {
                let len = *len as usize;
                let reserved = match Column::of(&mut trace.tree, column) {
                    Column::Index(v) => v.try_reserve_exact(len),
                    Column::Flags(v) => v.try_reserve_exact(len),
                };
                reserved.ok();
            }
        }
        let analyses = Incoming::new(analysed);
        let mut assembly = Assembly { result, tree_lens, column: 0, column_trace: 0, trace: 0, analyses };
        assembly.skip_full_columns();
        Ok(assembly)
    }

    /// Adds the next part: a piece of a tree column while any is incomplete, then spans, then the
    /// large traces' analyses. Out of line, as its callers run once per result and loop over the
    /// parts (see the note above `encode_head`): V8 then optimizes this and [`decode_spans`] alone.
    #[inline(never)]
    pub fn add(&mut self, part: &[u8]) -> Result<(), String> {
        if self.column < COLUMNS {
            return self.add_tree_part(part);
        }
        if self.trace >= self.result.set.traces.len() {
            return self.analyses.add(part, &self.result.set);
        }
        let mut spans = decode_spans(part)?.into_iter();
        while let Some(trace) = self.result.set.traces.get_mut(self.trace) {
            let wanted = trace.tree.len().saturating_sub(trace.spans.len());
            trace.spans.extend(spans.by_ref().take(wanted));
            if trace.spans.len() < trace.tree.len() {
                break;
            }
            self.trace += 1;
        }
        if spans.next().is_some() {
            return Err("the parsing worker sent more spans than its traces hold".to_owned());
        }
        self.skip_full_traces();
        Ok(())
    }

    fn add_tree_part(&mut self, part: &[u8]) -> Result<(), String> {
        let column = self.column;
        let mut rest = part;
        while !rest.is_empty() {
            if self.column != column {
                return Err("a part of the parsing worker's trees runs past its column".to_owned());
            }
            let (Some(trace), Some(lens)) =
                (self.result.set.traces.get_mut(self.column_trace), self.tree_lens.get(self.column_trace))
            else {
                return Err("the parsing worker sent more tree data than its traces hold".to_owned());
            };
            let mut target = Column::of(&mut trace.tree, column);
            let size = target.element_bytes();
            if !rest.len().is_multiple_of(size) {
                return Err("a part of the parsing worker's trees is cut inside a value".to_owned());
            }
            let wanted = (lens[column] as usize).saturating_sub(target.len());
            let (now, later) = rest.split_at(wanted.min(rest.len() / size) * size);
            match &mut target {
                // `chunks_exact(4)`: every chunk has the four bytes indexed.
                Column::Index(v) => {
                    v.extend(now.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])));
                }
                Column::Flags(v) => v.extend(now.iter().map(|b| *b != 0)),
            }
            rest = later;
            self.skip_full_columns();
        }
        Ok(())
    }

    /// Moves past the tree columns (and traces within one) that are complete.
    fn skip_full_columns(&mut self) {
        while self.column < COLUMNS {
            let filled =
                self.result.set.traces.get_mut(self.column_trace).map(|t| Column::of(&mut t.tree, self.column).len());
            match (filled, self.tree_lens.get(self.column_trace)) {
                (Some(filled), Some(lens)) if filled < lens[self.column] as usize => return,
                (Some(_), Some(_)) => self.column_trace += 1,
                _ => {
                    self.column += 1;
                    self.column_trace = 0;
                }
            }
        }
        self.skip_full_traces();
    }

    fn skip_full_traces(&mut self) {
        while self.result.set.traces.get(self.trace).is_some_and(|t| t.spans.len() >= t.tree.len()) {
            self.trace += 1;
        }
    }

    /// The whole result, once every part has been added.
    #[inline(never)]
    pub fn finish(self) -> Result<LoadResult, String> {
        if self.column < COLUMNS || self.trace < self.result.set.traces.len() || !self.analyses.is_complete() {
            return Err("the parsing worker's result is missing parts".to_owned());
        }
        let mut result = self.result;
        result.analysed = self.analyses.done;
        Ok(result)
    }
}

/// Every part through one [`Assembly`] (tests).
#[cfg(test)]
pub(crate) fn reassemble(parts: &[Vec<u8>]) -> Result<LoadResult, String> {
    let Some((head, rest)) = parts.split_first() else { return Err("no parts".to_owned()) };
    let mut assembly = Assembly::start(head)?;
    for part in rest {
        assembly.add(part)?;
    }
    assembly.finish()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::TraceSource;
    use spanlens_synth::{SynthOptions, generate};

    fn result(spans: usize, traces: usize) -> LoadResult {
        let set = generate(&SynthOptions { spans, traces, seed: 5, deep_chain: false });
        let source = TraceSource::Url { url: "u".to_owned() };
        LoadResult {
            bytes_total: 1,
            read_millis: 2.0,
            busy_millis: 1.0,
            parse_millis: 3.0,
            ..LoadResult::new(source, set)
        }
    }

    #[test]
    fn parts_reassemble_to_the_same_result() {
        for (spans, traces) in [(0, 1), (10, 1), (SPANS_PER_PART * 2 + 17, 3), (SPANS_PER_PART, 1), (5000, 40)] {
            let original = result(spans, traces);
            let expected = original.set.clone();
            let got = reassemble(&encode_parts(original).unwrap()).unwrap();
            assert!(got.set == expected, "{spans} spans in {traces} traces");
            assert_eq!(got.parse_millis, 3.0);
            assert_eq!(got.source, TraceSource::Url { url: "u".to_owned() });
        }
    }

    #[test]
    fn tree_columns_cut_anywhere_reassemble_across_traces() {
        // Tiny tree parts: columns split mid-trace and traces split across parts, in every column.
        for part_bytes in [4, 12, 40, 1000] {
            let original = result(3_000, 7);
            let expected = original.set.clone();
            let mut parts = Vec::new();
            encode_parts_sized(original, part_bytes, |p| parts.push(p)).unwrap();
            assert!(parts[1..].iter().take_while(|p| p.len() <= part_bytes).count() > COLUMNS);
            assert!(reassemble(&parts).unwrap().set == expected, "parts of {part_bytes} bytes");
        }
    }

    #[test]
    fn a_large_trees_columns_come_in_parts_of_a_mebibyte() {
        let original = result(300_000, 1);
        let expected = original.set.clone();
        let parts = encode_parts(original).unwrap();
        let span_parts = 300_000usize.div_ceil(SPANS_PER_PART);
        // The trace's analysis: a part, then its self times (2.4 MB) in three.
        let analysis_parts = 1 + 3;
        let tree_parts: Vec<usize> = parts[1..parts.len() - span_parts - analysis_parts].iter().map(Vec::len).collect();
        // Seven columns of ~300,000 indices (1.2 MB) in two parts each; `roots` (one index) and the
        // flags (300,000 bytes) in one.
        assert_eq!(tree_parts.len(), 16, "{tree_parts:?}");
        assert!(tree_parts.iter().all(|len| *len <= TREE_PART_BYTES), "{tree_parts:?}");
        assert_eq!(tree_parts.iter().filter(|len| **len == TREE_PART_BYTES).count(), 7, "{tree_parts:?}");
        assert!(reassemble(&parts).unwrap().set == expected);
    }

    #[test]
    fn parts_decode_as_they_are_emitted() {
        let original = result(SPANS_PER_PART * 3 + 1, 2);
        let expected = original.set.clone();
        let mut assembly: Option<Assembly> = None;
        let mut emitted = 0;
        encode_parts_with(original, |part| {
            emitted += 1;
            match assembly.as_mut() {
                None => assembly = Some(Assembly::start(&part).unwrap()),
                Some(a) => a.add(&part).unwrap(),
            }
        })
        .unwrap();
        assert_eq!(emitted, 1 + COLUMNS + 4, "the head, a part per tree column and four span parts");
        assert!(assembly.unwrap().finish().unwrap().set == expected);
    }

    #[test]
    fn missing_extra_or_broken_parts_are_errors_not_panics() {
        let parts = encode_parts(result(SPANS_PER_PART + 5, 2)).unwrap();
        let tree_end = 1 + COLUMNS;
        // Short: a span part missing, or a tree column missing.
        let mut short = Assembly::start(&parts[0]).unwrap();
        for part in &parts[1..parts.len() - 1] {
            short.add(part).unwrap();
        }
        assert!(short.finish().is_err());
        let mut no_tree = Assembly::start(&parts[0]).unwrap();
        for part in &parts[1..tree_end - 1] {
            no_tree.add(part).unwrap();
        }
        assert!(no_tree.finish().is_err());
        // Long: a span part twice.
        let mut long = Assembly::start(&parts[0]).unwrap();
        for part in &parts[1..] {
            long.add(part).unwrap();
        }
        assert!(long.add(&parts[tree_end]).is_err());
        // A tree part cut inside a value, or running past its column.
        let mut cut = Assembly::start(&parts[0]).unwrap();
        assert!(cut.add(&parts[1][..parts[1].len() - 1]).is_err());
        let mut joined = Assembly::start(&parts[0]).unwrap();
        assert!(joined.add(&[parts[1].clone(), parts[2].clone()].concat()).is_err());
        // Garbage.
        assert!(Assembly::start(b"\xff\xff").is_err());
        let mut garbage = Assembly::start(&parts[0]).unwrap();
        for part in &parts[1..tree_end] {
            garbage.add(part).unwrap();
        }
        assert!(garbage.add(b"\xff\xff\xff").is_err());
    }
}
