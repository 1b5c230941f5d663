//! The flame graph's own state: its mode (time order or left heavy, in the URL as `flame=`), how
//! frames are coloured, the frames themselves, the left-heavy graph's own x window, the hovered frame
//! and the operation the table highlights. The selection, find and the time-order window are the
//! shared focus's, so the waterfall and the flame graph show the same thing.

use crate::state::{Focus, Shared, TraceAnalysis};
use leptos::prelude::*;
use spanlens_analysis::bitset::BitSet;
use spanlens_analysis::flame::{FlameGraph, FlameMode, FlameTableRow, flame_table, left_heavy, time_order};
use spanlens_layout::viewport::Viewport;
use spanlens_model::Sym;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorBy {
    Service,
    SelfTime,
}

#[derive(Clone, Copy)]
pub struct FlameState {
    pub mode: RwSignal<FlameMode>,
    pub color_by: RwSignal<ColorBy>,
    pub graph: Memo<Shared<FlameGraph>>,
    pub table: Memo<Shared<Vec<FlameTableRow>>>,
    /// The left-heavy graph's x window (its x is not time, so it cannot share the focus's).
    pub heavy_viewport: RwSignal<Viewport>,
    pub hover: RwSignal<Option<u32>>,
    /// The operation (service, name) whose frames the table row highlights.
    pub highlight: RwSignal<Option<(Sym, Sym)>>,
    /// Frames holding a find match.
    pub matched_frames: Memo<Option<Shared<BitSet>>>,
    /// Asks the canvas to scroll a depth into view.
    pub scroll_request: RwSignal<Option<u32>>,
}

pub fn mode_from_param(value: Option<&str>) -> FlameMode {
    match value {
        Some("left-heavy") => FlameMode::LeftHeavy,
        _ => FlameMode::TimeOrder,
    }
}

pub fn mode_param(mode: FlameMode) -> Option<&'static str> {
    match mode {
        FlameMode::TimeOrder => None,
        FlameMode::LeftHeavy => Some("left-heavy"),
    }
}

impl FlameState {
    pub fn new(analysis: TraceAnalysis, focus: Focus) -> Self {
        let data = analysis.data;
        let mode = RwSignal::new(mode_from_param(crate::url::query_param("flame").as_deref()));
        Effect::new(move |_| crate::url::replace_query_param("flame", mode_param(mode.get())));
        let graph = Memo::new(move |_| {
            let mode = mode.get();
            crate::timing::mark(crate::timing::FLAME_BUILD_BEGIN);
            let graph = data.with_value(|d| {
                analysis.self_nanos.with_value(|self_nanos| {
                    Shared::new(match mode {
                        FlameMode::TimeOrder => time_order(d.trace(), self_nanos),
                        FlameMode::LeftHeavy => left_heavy(d.trace(), self_nanos),
                    })
                })
            });
            crate::timing::measure(crate::timing::FLAME_BUILD, crate::timing::FLAME_BUILD_BEGIN);
            graph
        });
        let table = Memo::new(move |_| {
            data.with_value(|d| analysis.self_nanos.with_value(|s| Shared::new(flame_table(d.trace(), s))))
        });
        let matched_frames = Memo::new(move |_| {
            if focus.find_text.with(|t| t.trim().is_empty()) {
                return None;
            }
            let matches = focus.matches.get();
            graph.with(|g| {
                let mut set = BitSet::new(g.frames.len());
                for &span in matches.iter() {
                    if let Some(frame) = g.frame_of(span) {
                        set.set(frame, true);
                    }
                }
                Some(Shared::new(set))
            })
        });
        let extent = graph.with_untracked(|g| g.extent_nanos.max(1));
        let this = FlameState {
            mode,
            color_by: RwSignal::new(ColorBy::Service),
            graph,
            table,
            heavy_viewport: RwSignal::new(Viewport::new(0, extent, 800.0)),
            hover: RwSignal::new(None),
            highlight: RwSignal::new(None),
            matched_frames,
            scroll_request: RwSignal::new(None),
        };
        // A new left-heavy graph (the mode switched) starts zoomed out.
        Effect::new(move |_| {
            let extent = graph.with(|g| (g.mode, g.extent_nanos.max(1)));
            if extent.0 == FlameMode::LeftHeavy {
                this.heavy_viewport.update(|v| *v = Viewport::new(0, extent.1, v.width_px));
            }
        });
        // Reveal requests (find, the detail panel): scroll the span's frame into view.
        Effect::new(move |_| {
            let Some(span) = focus.reveal.get() else { return };
            let depth = graph.with_untracked(|g| g.frame_of(span).and_then(|f| g.frame(f)).map(|f| f.depth));
            this.scroll_request.set(depth);
            focus.reveal.set(None);
        });
        this
    }

    pub fn from_context() -> Self {
        expect_context::<FlameState>()
    }

    /// The x window frames are drawn in: the shared time window in time order, the graph's own in
    /// left heavy.
    pub fn viewport(&self, focus: Focus) -> Viewport {
        match self.mode.get() {
            FlameMode::TimeOrder => focus.viewport.get(),
            FlameMode::LeftHeavy => self.heavy_viewport.get(),
        }
    }

    pub fn viewport_untracked(&self, focus: Focus) -> Viewport {
        match self.mode.get_untracked() {
            FlameMode::TimeOrder => focus.viewport.get_untracked(),
            FlameMode::LeftHeavy => self.heavy_viewport.get_untracked(),
        }
    }

    pub fn update_viewport(&self, focus: Focus, f: impl FnOnce(&Viewport) -> Viewport) {
        match self.mode.get_untracked() {
            FlameMode::TimeOrder => focus.viewport.update(|v| *v = f(v)),
            FlameMode::LeftHeavy => self.heavy_viewport.update(|v| *v = f(v)),
        }
    }

    /// Zooms the x window to one frame (double click).
    pub fn zoom_to_frame(&self, focus: Focus, frame: u32) {
        let Some((start, end)) = self.graph.with_untracked(|g| {
            g.frame(frame).map(|f| (g.origin_nanos + f.start_nanos, g.origin_nanos + f.end_nanos()))
        }) else {
            return;
        };
        // A little room either side, so the frame's edges are visible.
        let pad = ((end - start) / 20).max(1);
        self.update_viewport(focus, |v| v.set_range(start - pad, end + pad));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_round_trips_through_the_url() {
        for mode in [FlameMode::TimeOrder, FlameMode::LeftHeavy] {
            assert_eq!(mode_from_param(mode_param(mode)), mode);
        }
        assert_eq!(mode_from_param(Some("nonsense")), FlameMode::TimeOrder);
    }
}
