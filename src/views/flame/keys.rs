//! The flame graph's keys, as the waterfall's move through rows: up/down (k/j) go to the parent
//! frame and the first child, left/right (h/l) to the neighbouring frame of the same depth.

use crate::state::Focus;
use crate::views::flame::FlameState;
use crate::views::keyboard::is_plain_key;
use leptos::prelude::*;
use spanlens_analysis::flame::FlameGraph;
use spanlens_model::NONE;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Parent,
    FirstChild,
    Previous,
    Next,
}

/// The frame a key moves to from `from` (or the first root frame when nothing is selected).
pub fn target(graph: &FlameGraph, from: Option<u32>, step: Move) -> Option<u32> {
    let Some(from) = from else { return (!graph.frames.is_empty()).then_some(0) };
    let frame = graph.frame(from)?;
    match step {
        Move::Parent => (frame.parent != NONE).then_some(frame.parent),
        // Children sit one depth down, sorted by start: the first whose parent is `from`.
        Move::FirstChild => {
            let range = graph.depth_range(frame.depth + 1);
            let start = range.start;
            graph.frames.get(range).and_then(|fs| fs.iter().position(|f| f.parent == from)).map(|i| (start + i) as u32)
        }
        Move::Previous | Move::Next => {
            let range = graph.depth_range(frame.depth);
            let i = from as usize;
            let next = if step == Move::Next { i + 1 } else { i.checked_sub(1)? };
            range.contains(&next).then_some(next as u32)
        }
    }
}

pub fn handle_key(focus: Focus, fs: FlameState, e: &web_sys::KeyboardEvent) {
    if !is_plain_key(e) {
        return;
    }
    let step = match e.key().as_str() {
        "ArrowUp" | "k" => Move::Parent,
        "ArrowDown" | "j" => Move::FirstChild,
        "ArrowLeft" | "h" => Move::Previous,
        "ArrowRight" | "l" => Move::Next,
        _ => return,
    };
    e.prevent_default();
    let next = fs.graph.with_untracked(|g| {
        let from = focus.selected.get_untracked().and_then(|s| g.frame_of(s));
        let to = target(g, from, step)?;
        g.frame(to).map(|f| (f.span, f.depth))
    });
    if let Some((span, depth)) = next {
        focus.select(Some(span));
        fs.scroll_request.set(Some(depth));
    }
}
