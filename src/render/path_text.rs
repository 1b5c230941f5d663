//! Canvas paths built as SVG path text and handed to the canvas in one call (`new Path2D(text)`).
//!
//! A path of thousands of segments built with `moveTo`/`lineTo` costs one crossing from wasm into
//! JavaScript per point; 5,000 graph edges are some 30,000 crossings per frame, which is most of a
//! frame's budget before anything is rasterised. Writing the same path as text in Rust and parsing it
//! once in the browser is several times cheaper.

use std::fmt::Write;
use web_sys::Path2d;

/// SVG path text being built; coordinates are written to a hundredth of a unit (graph paths are
/// drawn zoomed in up to 4×, where a tenth would show).
#[derive(Default)]
pub struct PathText {
    text: String,
}

impl PathText {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn move_to(&mut self, x: f64, y: f64) {
        self.command('M', x, y);
    }

    pub fn line_to(&mut self, x: f64, y: f64) {
        self.command('L', x, y);
    }

    pub fn close(&mut self) {
        self.text.push('Z');
    }

    pub fn quad_to(&mut self, cx: f64, cy: f64, x: f64, y: f64) {
        self.command('Q', cx, cy);
        self.text.push(' ');
        self.number(x);
        self.text.push(' ');
        self.number(y);
    }

    /// An axis-aligned rectangle.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64) {
        self.move_to(x, y);
        self.line_to(x + w, y);
        self.line_to(x + w, y + h);
        self.line_to(x, y + h);
        self.close();
    }

    /// A rectangle with corners rounded by `r` (clamped to half the smaller side).
    pub fn rounded_rect(&mut self, x: f64, y: f64, w: f64, h: f64, r: f64) {
        let r = r.min(w / 2.0).min(h / 2.0).max(0.0);
        self.move_to(x + r, y);
        self.line_to(x + w - r, y);
        self.quad_to(x + w, y, x + w, y + r);
        self.line_to(x + w, y + h - r);
        self.quad_to(x + w, y + h, x + w - r, y + h);
        self.line_to(x + r, y + h);
        self.quad_to(x, y + h, x, y + h - r);
        self.line_to(x, y + r);
        self.quad_to(x, y, x + r, y);
        self.close();
    }

    /// The browser's path, or `None` when nothing was added (or the text was refused).
    pub fn to_path(&self) -> Option<Path2d> {
        if self.text.is_empty() {
            return None;
        }
        Path2d::new_with_path_string(&self.text).ok()
    }

    fn command(&mut self, c: char, x: f64, y: f64) {
        self.text.push(c);
        self.number(x);
        self.text.push(' ');
        self.number(y);
    }

    /// Hundredths as integer arithmetic: float formatting is the slow part of building the text.
    fn number(&mut self, v: f64) {
        // Far-off points (zoomed in on a long route) are clamped: the canvas clips them anyway, and
        // a huge or non-finite number would make the browser refuse the whole path.
        let hundredths = if v.is_finite() { (v.clamp(-1.0e7, 1.0e7) * 100.0).round() as i64 } else { 0 };
        if hundredths < 0 {
            self.text.push('-');
        }
        let a = hundredths.unsigned_abs();
        let _ = write!(self.text, "{}", a / 100);
        let (tenth, hundredth) = ((a / 10) % 10, a % 10);
        if tenth != 0 || hundredth != 0 {
            self.text.push('.');
            self.text.push(char::from(b'0' + tenth as u8));
            if hundredth != 0 {
                self.text.push(char::from(b'0' + hundredth as u8));
            }
        }
    }

    #[cfg(test)]
    fn as_str(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_tenths_and_signs() {
        let mut p = PathText::default();
        p.move_to(1.004, -2.255);
        p.line_to(-0.004, 10.5);
        p.line_to(3.07, 0.1);
        p.close();
        assert_eq!(p.as_str(), "M1 -2.26L0 10.5L3.07 0.1Z");
    }

    #[test]
    fn clamps_non_finite_and_huge_numbers() {
        let mut p = PathText::default();
        p.move_to(f64::NAN, 1.0e12);
        assert_eq!(p.as_str(), "M0 10000000");
    }
}
