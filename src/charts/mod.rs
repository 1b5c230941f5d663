//! Charts drawn with `plotters` on a canvas (through the shared canvas hook), one per file.

pub mod histogram;

pub use histogram::DurationHistogram;

use plotters::style::RGBColor;

/// A CSS colour from the chrome (`rgb(…)`/`rgba(…)` as computed styles give them) for plotters.
pub fn parse_css(css: &str) -> Option<RGBColor> {
    let inner = css.trim().strip_prefix("rgb")?.trim_start_matches('a').strip_prefix('(')?.strip_suffix(')')?;
    let mut parts = inner.split(',').map(|p| p.trim().parse::<f64>().ok());
    let (r, g, b) = (parts.next()??, parts.next()??, parts.next()??);
    Some(RGBColor(r as u8, g as u8, b as u8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_colours_parse_for_plotters() {
        assert_eq!(parse_css("rgb(1, 2, 3)"), Some(RGBColor(1, 2, 3)));
        assert_eq!(parse_css("rgba(10,20,30,0.5)"), Some(RGBColor(10, 20, 30)));
        assert_eq!(parse_css("#fff"), None);
    }
}
