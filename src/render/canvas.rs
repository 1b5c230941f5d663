//! Canvas helpers: HiDPI sizing, theme colours and text fitting.

use spanlens_layout::palette::{Rgb, Theme};
use wasm_bindgen::JsCast as _;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Sizes the backing store to `css × dpr` device pixels and scales the context so drawing code works
/// in CSS pixels. Resizing clears the canvas, so it only happens when the size really changed.
pub fn prepare(
    canvas: &HtmlCanvasElement,
    width_px: f64,
    height_px: f64,
    dpr: f64,
) -> Option<CanvasRenderingContext2d> {
    let device_w = (width_px * dpr).round().max(1.0) as u32;
    let device_h = (height_px * dpr).round().max(1.0) as u32;
    if canvas.width() != device_w || canvas.height() != device_h {
        canvas.set_width(device_w);
        canvas.set_height(device_h);
        let style = canvas.style();
        style.set_property("width", &format!("{width_px}px")).ok();
        style.set_property("height", &format!("{height_px}px")).ok();
    }
    let ctx = canvas.get_context("2d").ok()??.dyn_into::<CanvasRenderingContext2d>().ok()?;
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0).ok();
    Some(ctx)
}

/// Colours of everything that is not a service bar.
pub struct Chrome {
    pub background: &'static str,
    pub row_alt: &'static str,
    pub text: &'static str,
    pub muted: &'static str,
    pub grid: &'static str,
    pub guide: &'static str,
    pub divider: &'static str,
    pub selected: &'static str,
    pub hover: &'static str,
    pub matched: &'static str,
    pub axis_bg: &'static str,
    pub error: &'static str,
    pub critical: &'static str,
    pub event: &'static str,
    pub window_shade: &'static str,
    pub window_edge: &'static str,
}

pub fn chrome(theme: Theme) -> Chrome {
    match theme {
        Theme::Light => Chrome {
            background: "#ffffff",
            row_alt: "#fafbfc",
            text: "#1b2430",
            muted: "#5d6b7c",
            grid: "#eef0f3",
            guide: "#c5ccd5",
            divider: "#dfe3e8",
            selected: "#dbe7fd",
            hover: "#f1f4f8",
            matched: "#fff4c2",
            axis_bg: "#f7f8fa",
            error: "#d62728",
            critical: "rgba(17, 24, 39, 0.72)",
            event: "rgba(17, 24, 39, 0.85)",
            window_shade: "rgba(27, 36, 48, 0.16)",
            window_edge: "#2563eb",
        },
        Theme::Dark => Chrome {
            background: "#161c24",
            row_alt: "#18202a",
            text: "#e3e8ef",
            muted: "#95a3b5",
            grid: "#212a35",
            guide: "#3a4656",
            divider: "#2a3441",
            selected: "#24385c",
            hover: "#1e2732",
            matched: "#4a4020",
            axis_bg: "#1d2530",
            error: "#ff5c5c",
            critical: "rgba(255, 255, 255, 0.8)",
            event: "rgba(255, 255, 255, 0.9)",
            window_shade: "rgba(0, 0, 0, 0.35)",
            window_edge: "#6b9cff",
        },
    }
}

pub fn css(rgb: Rgb) -> String {
    format!("rgb({},{},{})", rgb.0, rgb.1, rgb.2)
}

pub fn css_alpha(rgb: Rgb, alpha: f64) -> String {
    format!("rgba({},{},{},{alpha:.3})", rgb.0, rgb.1, rgb.2)
}

/// Fits `text` into `max_px`, cutting the end with an ellipsis. Binary search keeps measureText calls
/// logarithmic in the text length.
pub fn fit_text(ctx: &CanvasRenderingContext2d, text: &str, max_px: f64) -> Option<String> {
    if max_px < 8.0 {
        return None;
    }
    let width = |s: &str| ctx.measure_text(s).map(|m| m.width()).unwrap_or(0.0);
    if width(text) <= max_px {
        return Some(text.to_owned());
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "…";
        if width(&candidate) <= max_px {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    (lo > 0).then(|| chars[..lo].iter().collect::<String>() + "…")
}

/// Collects rectangles by fill colour so each colour is filled with one path: far fewer state changes
/// and draw calls than one `fillRect` per bar.
#[derive(Default)]
pub struct RectBatch {
    groups: Vec<(String, Vec<Rect>)>,
}

/// x, y, width, height in CSS pixels.
type Rect = (f64, f64, f64, f64);

impl RectBatch {
    pub fn push(&mut self, color: &str, x: f64, y: f64, w: f64, h: f64) {
        match self.groups.iter_mut().find(|(c, _)| c == color) {
            Some((_, rects)) => rects.push((x, y, w, h)),
            None => self.groups.push((color.to_owned(), vec![(x, y, w, h)])),
        }
    }

    pub fn flush(&mut self, ctx: &CanvasRenderingContext2d) {
        for (color, rects) in self.groups.drain(..) {
            ctx.set_fill_style_str(&color);
            ctx.begin_path();
            for (x, y, w, h) in rects {
                ctx.rect(x, y, w, h);
            }
            ctx.fill();
        }
    }
}
