//! The waterfall's keys: up/down (j/k) move the selection by row, left/right collapse and expand,
//! as in file trees. The trace page handles the keys every view shares.

use crate::state::{Focus, TraceAnalysis};
use crate::views::WaterfallState;
use crate::views::keyboard::is_plain_key;
use leptos::prelude::*;

pub fn handle_key(analysis: TraceAnalysis, focus: Focus, wf: WaterfallState, e: &web_sys::KeyboardEvent) {
    if !is_plain_key(e) {
        return;
    }
    let key = e.key();
    let handled = match key.as_str() {
        "ArrowDown" | "j" => {
            move_selection(analysis, focus, wf, 1);
            true
        }
        "ArrowUp" | "k" => {
            move_selection(analysis, focus, wf, -1);
            true
        }
        "ArrowLeft" | "ArrowRight" => {
            if let Some(span) = focus.selected.get_untracked() {
                let collapse = key == "ArrowLeft";
                let row_state = wf.rows.with_untracked(|r| {
                    analysis.data.with_value(|d| r.row_of_span(&d.trace().tree, span).and_then(|i| r.row(i)))
                });
                match row_state {
                    Some(row) if row.has_children && row.collapsed != collapse => wf.set_collapsed(span, collapse),
                    // Left on a leaf or collapsed row goes to the parent.
                    Some(_) if collapse => {
                        let parent = analysis.data.with_value(|d| d.trace().tree.parent_of(span));
                        if parent.is_some() {
                            focus.select(parent);
                        }
                    }
                    _ => {}
                }
            }
            true
        }
        _ => false,
    };
    if handled {
        e.prevent_default();
    }
}

fn move_selection(analysis: TraceAnalysis, focus: Focus, wf: WaterfallState, delta: i64) {
    let next = wf.rows.with_untracked(|rows| {
        if rows.is_empty() {
            return None;
        }
        let current = focus
            .selected
            .get_untracked()
            .and_then(|s| analysis.data.with_value(|d| rows.row_of_span(&d.trace().tree, s)));
        let row = match current {
            Some(r) => (r as i64 + delta).clamp(0, rows.len() as i64 - 1) as usize,
            None => 0,
        };
        rows.span(row)
    });
    if next.is_some() {
        focus.select(next);
    }
}
