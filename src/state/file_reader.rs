//! Reads dropped or picked files on the UI thread and hands their slices to the parsing worker.
//!
//! The read runs here, not in the worker, so that it overlaps the parse: a worker reading a `File`
//! itself only drains the browser's read pipe between parse steps, which serializes the two
//! (measured: no gain at all from streaming). Each slice is requested with `Blob.arrayBuffer()`,
//! [`READ_AHEAD_SLICES`] requests are kept in flight, and every buffer is *transferred* to the worker
//! (no copy). A finished slice costs the UI thread a few microseconds, so the page stays responsive.

use js_sys::{ArrayBuffer, Promise};
use std::collections::VecDeque;
use wasm_bindgen::JsCast as _;
use wasm_bindgen_futures::JsFuture;
use web_sys::File;

/// Slice size: large enough that per-request overhead vanishes, small enough for smooth progress.
const SLICE_BYTES: f64 = 4.0 * 1024.0 * 1024.0;
/// Slices requested ahead (`SLICE_BYTES` × this bounds the read-ahead memory).
const READ_AHEAD_SLICES: usize = 8;

/// What happened to one slice.
pub enum Slice {
    Data(ArrayBuffer),
    /// The file could not be read (the message names the byte offset).
    Failed(String),
}

/// Reads `file` slice by slice, passing each to `on_slice`, and stops early when `keep_going`
/// returns false (the load was superseded). After a `Slice::Failed` nothing more is read.
pub async fn read_slices(file: &File, mut on_slice: impl FnMut(Slice), keep_going: impl Fn() -> bool) {
    let size = file.size();
    let mut next_offset = 0.0;
    let mut in_flight: VecDeque<(f64, Promise)> = VecDeque::with_capacity(READ_AHEAD_SLICES);
    let request = |offset: &mut f64, queue: &mut VecDeque<(f64, Promise)>| -> Result<(), String> {
        let end = (*offset + SLICE_BYTES).min(size);
        let slice = file
            .slice_with_f64_and_f64(*offset, end)
            .map_err(|_| format!("the file could not be sliced at byte {offset}"))?;
        queue.push_back((*offset, slice.array_buffer()));
        *offset = end;
        Ok(())
    };
    while next_offset < size && in_flight.len() < READ_AHEAD_SLICES {
        if let Err(message) = request(&mut next_offset, &mut in_flight) {
            on_slice(Slice::Failed(message));
            return;
        }
    }
    while let Some((offset, promise)) = in_flight.pop_front() {
        let read = JsFuture::from(promise).await.ok().and_then(|b| b.dyn_into::<ArrayBuffer>().ok());
        if !keep_going() {
            return;
        }
        let Some(buffer) = read else {
            on_slice(Slice::Failed(format!("the file could not be read at byte {offset}")));
            return;
        };
        if next_offset < size
            && let Err(message) = request(&mut next_offset, &mut in_flight)
        {
            on_slice(Slice::Failed(message));
            return;
        }
        on_slice(Slice::Data(buffer));
    }
}
