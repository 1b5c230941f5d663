//! Canvas helpers: HiDPI sizing, theme colours (read from the page's CSS) and text fitting.

use spanlens_layout::palette::{Rgb, Theme};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast as _;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement};

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

/// Colours of everything that is not a service bar. Defined once, as CSS custom properties
/// (`--sl-canvas-*` in `style/tokens.css`), and read from the page for each theme.
#[derive(Clone, Debug, Default)]
pub struct Chrome {
    pub background: String,
    pub row_alt: String,
    pub text: String,
    pub muted: String,
    pub grid: String,
    pub guide: String,
    pub divider: String,
    pub selected: String,
    pub hover: String,
    pub matched: String,
    pub axis_bg: String,
    /// The error red of bars (`spanlens_layout::palette`), for marks drawn beside them.
    pub error: String,
    pub critical: String,
    pub event: String,
    pub window_shade: String,
    pub window_edge: String,
}

thread_local! {
    /// The chrome of the theme last read: reading CSS costs a style recalculation, a frame must not.
    static CHROME: RefCell<Option<(Theme, Rc<Chrome>)>> = const { RefCell::new(None) };
}

/// The canvas chrome of `theme`, read from the page's CSS the first time it is asked for.
pub fn chrome(theme: Theme) -> Rc<Chrome> {
    CHROME.with(|cell| {
        let mut cached = cell.borrow_mut();
        if let Some((t, chrome)) = cached.as_ref()
            && *t == theme
        {
            return Rc::clone(chrome);
        }
        let chrome = Rc::new(read_chrome(theme));
        *cached = Some((theme, Rc::clone(&chrome)));
        chrome
    })
}

/// Resolves each `--sl-canvas-*` property to a colour through a hidden probe element: custom
/// properties holding `light-dark()` only resolve once used in a real colour property.
fn read_chrome(theme: Theme) -> Chrome {
    let probe = Probe::new();
    let resolve = |name: &str| probe.color_of(name);
    Chrome {
        background: resolve("--sl-canvas-bg"),
        row_alt: resolve("--sl-canvas-row-alt"),
        text: resolve("--sl-canvas-text"),
        muted: resolve("--sl-canvas-muted"),
        grid: resolve("--sl-canvas-grid"),
        guide: resolve("--sl-canvas-guide"),
        divider: resolve("--sl-canvas-divider"),
        selected: resolve("--sl-canvas-selected"),
        hover: resolve("--sl-canvas-hover"),
        matched: resolve("--sl-canvas-matched"),
        axis_bg: resolve("--sl-canvas-axis-bg"),
        error: css(spanlens_layout::palette::error_color(theme)),
        critical: resolve("--sl-canvas-critical"),
        event: resolve("--sl-canvas-event"),
        window_shade: resolve("--sl-canvas-window-shade"),
        window_edge: resolve("--sl-canvas-window-edge"),
    }
}

/// A hidden element whose computed `color` resolves a custom property; removed when dropped.
struct Probe {
    element: Option<HtmlElement>,
}

impl Probe {
    fn new() -> Probe {
        let element = web_sys::window().and_then(|w| w.document()).and_then(|d| {
            let el = d.create_element("span").ok()?.dyn_into::<HtmlElement>().ok()?;
            el.style().set_property("display", "none").ok();
            d.body()?.append_child(&el).ok()?;
            Some(el)
        });
        Probe { element }
    }

    /// The colour `name` resolves to, or empty (the canvas then keeps its previous colour).
    fn color_of(&self, name: &str) -> String {
        let resolved = || -> Option<String> {
            let el = self.element.as_ref()?;
            el.style().set_property("color", &format!("var({name})")).ok()?;
            web_sys::window()?.get_computed_style(el).ok()??.get_property_value("color").ok()
        };
        resolved().unwrap_or_default()
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        if let Some(el) = &self.element {
            el.remove();
        }
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
    fit_text_measured(ctx, text, max_px).map(|(fitted, _)| fitted)
}

/// [`fit_text`] with the fitted text's width in CSS pixels, for a caller that lays out what follows
/// it: measured once here instead of again there (`measureText` crosses into the browser, per label,
/// per frame).
pub fn fit_text_measured(ctx: &CanvasRenderingContext2d, text: &str, max_px: f64) -> Option<(String, f64)> {
    if max_px < 8.0 {
        return None;
    }
    let width = |s: &str| ctx.measure_text(s).map(|m| m.width()).unwrap_or(0.0);
    let whole = width(text);
    if whole <= max_px {
        return Some((text.to_owned(), whole));
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut lo, mut hi) = (0usize, chars.len());
    let mut fitted_px = 0.0;
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "…";
        let candidate_px = width(&candidate);
        if candidate_px <= max_px {
            lo = mid;
            fitted_px = candidate_px;
        } else {
            hi = mid - 1;
        }
    }
    (lo > 0).then(|| (chars[..lo].iter().collect::<String>() + "…", fitted_px))
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
