//! Drawing a canvas: the one way every canvas of the app is drawn.
//!
//! The hook owns device-pixel-ratio sizing (crisp on HiDPI), the theme, coalescing redraws into one
//! animation frame, and cleanup. The caller splits its drawing in two: `inputs` reads everything the
//! picture depends on (it runs tracked, so a change to anything it reads schedules a redraw: no
//! hand-kept list of signals to mirror), and `draw` paints from what `inputs` returned, reading no
//! signals itself.

use crate::hooks::{device_pixel_ratio, use_raf_scheduler};
use crate::render::canvas::{Chrome, chrome, prepare};
use crate::state::AppState;
use leptos::html;
use leptos::prelude::*;
use spanlens_layout::palette;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::CanvasRenderingContext2d;

/// What `draw` gets besides its inputs: a context scaled to CSS pixels, its size and the theme.
pub struct Canvas2dFrame<'a> {
    pub ctx: &'a CanvasRenderingContext2d,
    pub width_px: f64,
    pub height_px: f64,
    pub theme: palette::Theme,
    pub chrome: &'a Chrome,
}

/// The latest frame's size, theme and inputs, waiting for the next animation frame.
type Pending<T> = Rc<RefCell<Option<((f64, f64), palette::Theme, T)>>>;

/// Draws `canvas` with `draw` on the next animation frame whenever `size` or anything `inputs` reads
/// changes (at most once per frame), and when the theme changes.
pub fn use_canvas_2d<T: 'static>(
    canvas: NodeRef<html::Canvas>,
    size: impl Fn() -> (f64, f64) + 'static,
    inputs: impl Fn() -> T + 'static,
    draw: impl Fn(&Canvas2dFrame<'_>, &T) + 'static,
) {
    let app = AppState::from_context();
    let latest: Pending<T> = Rc::default();
    let for_draw = Rc::clone(&latest);
    let scheduler = use_raf_scheduler(move || {
        let Some(canvas) = canvas.get_untracked() else { return };
        let Ok(frame) = for_draw.try_borrow() else { return };
        let Some(((width_px, height_px), theme, inputs)) = frame.as_ref() else { return };
        let (width_px, height_px) = (*width_px, *height_px);
        if width_px <= 0.0 || height_px <= 0.0 {
            return;
        }
        let Some(ctx) = prepare(&canvas, width_px, height_px, device_pixel_ratio()) else { return };
        let chrome = chrome(*theme);
        draw(&Canvas2dFrame { ctx: &ctx, width_px, height_px, theme: *theme, chrome: &chrome }, inputs);
    });
    Effect::new(move |_| {
        // The canvas mounting is an input too: the first frame waits for it.
        canvas.track();
        let frame = (size(), app.theme.get().palette(), inputs());
        if let Ok(mut slot) = latest.try_borrow_mut() {
            *slot = Some(frame);
        }
        scheduler.with_value(|s| s.schedule());
    });
}
