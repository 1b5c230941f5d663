//! Pure geometry between the trace model (and its analysis, in `spanlens-analysis`) and the canvas
//! renderers.
//!
//! Nothing here touches the DOM: every function takes model data plus plain numbers and returns plain,
//! serde-friendly data, so it runs (and is tested) natively and can run in a worker. Times stay `i64`
//! nanoseconds throughout; `f64` appears only for pixels. No function recurses over the span tree:
//! real traces are 70,000+ levels deep and wasm stacks are small.
//!
//! How a waterfall renderer uses it:
//!
//! * once per trace: `spanlens_analysis::summarize` (header), [`ServiceColors::for_trace`] (colours),
//!   `spanlens_analysis::critical_path` (path overlay), [`Viewport::for_trace`] for the main view and the minimap,
//!   [`density_grid`] + [`DensityGrid::rects`] for the minimap;
//! * per filter / find change: `find_spans` → `hide_non_matching` (analysis) into [`ViewState::hidden`]
//!   → [`layout_rows`];
//! * per expand/collapse click: [`Rows::set_collapsed`] (incremental);
//! * per frame: [`RowMetrics::visible_rows`] → [`visible_bars`] for those rows,
//!   [`Rows::row`] and [`Rows::guides`] for the name column, [`event_marks`] for event ticks,
//!   `CriticalPath::segments_of` → [`pixel_runs`], [`ticks()`] for the axis;
//! * per pointer event: [`hit_test()`]; per wheel/drag: [`Viewport::zoom`],
//!   [`Viewport::pan_px`], [`Viewport::range_from_px_selection`] → [`Viewport::set_range`];
//! * "scroll to selected": [`ViewState::reveal`] → [`layout_rows`] → [`Rows::row_of_span`] →
//!   [`RowMetrics::scroll_to_row`].

// Tests may unwrap: a panic there is a failed assertion. Library code is checked without cfg(test).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod flame;
pub mod graph;
pub mod hit_test;
pub mod lod;
pub mod palette;
pub mod path_pixels;
pub mod rows;
pub mod ticks;
pub mod viewport;

pub use flame::{FlameBox, FlameWindow, depth_at_y, flame_boxes, flame_hit, visible_depths, zoom_to_frame};
pub use hit_test::{HitTarget, RowMetrics, hit_test};
pub use lod::{Bar, DensityGrid, DensityRect, density_grid, event_marks, visible_bars};
pub use palette::{Rgb, ServiceColors, Theme};
pub use path_pixels::pixel_runs;
pub use rows::{Row, RowGuides, Rows, ViewState, layout_rows};
pub use ticks::{Tick, ticks};
pub use viewport::Viewport;
