//! Time-axis ticks: round steps of 1, 2 or 5 × 10^k ns, labelled relative to the trace start.

use crate::viewport::Viewport;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tick {
    /// Absolute time of the tick.
    pub nanos: i64,
    pub x_px: f64,
    /// Offset from the zero point, e.g. `0ms`, `250ms`, `1.5s`, `12µs`.
    pub label: String,
}

/// The smallest 1/2/5 × 10^k step (in ns, at least 1) that keeps ticks `min_spacing_px` apart.
pub fn tick_step_nanos(viewport: &Viewport, min_spacing_px: f64) -> i64 {
    let spacing = if min_spacing_px.is_finite() && min_spacing_px > 0.0 { min_spacing_px } else { 1.0 };
    let raw = spacing / viewport.px_per_nanos();
    let mut decade: i64 = 1;
    loop {
        for m in [1, 2, 5] {
            let step = decade.saturating_mul(m);
            if step as f64 >= raw || step == i64::MAX {
                return step;
            }
        }
        if decade > i64::MAX / 10 {
            return i64::MAX;
        }
        decade *= 10;
    }
}

/// Ticks inside the viewport at multiples of the step from `zero_nanos` (normally the trace start,
/// i.e. `viewport.bounds_start_nanos`), so labels read as offsets into the trace.
pub fn ticks(viewport: &Viewport, zero_nanos: i64, min_spacing_px: f64) -> Vec<Tick> {
    let step = i128::from(tick_step_nanos(viewport, min_spacing_px));
    let from = i128::from(viewport.start_nanos) - i128::from(zero_nanos);
    let to = i128::from(viewport.end_nanos) - i128::from(zero_nanos);
    // First multiple of the step at or after `from` (ceil division that is right for negatives too).
    let mut k = from.div_euclid(step) + i128::from(from.rem_euclid(step) != 0);
    let mut out = Vec::new();
    // The step keeps ticks >= min spacing apart, so this stays near width / spacing; the cap guards
    // against degenerate spacing arguments.
    while k * step <= to && out.len() < 10_000 {
        let offset = k * step;
        let Ok(nanos) = i64::try_from(i128::from(zero_nanos) + offset) else {
            break;
        };
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        out.push(Tick { nanos, x_px: viewport.px_from_nanos(nanos), label: format_offset(offset, step as i64) });
        k += 1;
    }
    out
}

/// Formats an offset in the largest unit not exceeding it, with just enough decimals to tell ticks
/// `step` apart: `1.5s` next to `1s`, `250ms`, `12µs`. Zero takes the step's unit (`0ms`).
pub fn format_offset(offset_nanos: i64, step_nanos: i64) -> String {
    const UNITS: [(i64, &str); 4] = [(1_000_000_000, "s"), (1_000_000, "ms"), (1_000, "µs"), (1, "ns")];
    let magnitude =
        if offset_nanos == 0 { step_nanos.max(1) } else { offset_nanos.unsigned_abs().min(i64::MAX as u64) as i64 };
    let (scale, unit) = UNITS.iter().copied().find(|&(scale, _)| magnitude >= scale).unwrap_or((1, "ns"));
    // Decimals needed so every multiple of the step prints exactly: step 500ms in seconds needs 1,
    // step 250µs in milliseconds needs 2.
    let mut decimals = 0usize;
    let mut unit_step = scale;
    while unit_step > 1 && step_nanos.max(1) % unit_step != 0 && decimals < 9 {
        unit_step /= 10;
        decimals += 1;
    }
    let sign = if offset_nanos < 0 { "-" } else { "" };
    let abs = offset_nanos.unsigned_abs();
    let scale = scale as u64;
    let whole = abs / scale;
    if decimals == 0 {
        return format!("{sign}{whole}{unit}");
    }
    let frac_digits = format!("{:0width$}", abs % scale, width = scale.ilog10() as usize);
    let frac = frac_digits.get(..decimals).unwrap_or("").trim_end_matches('0');
    if frac.is_empty() { format!("{sign}{whole}{unit}") } else { format!("{sign}{whole}.{frac}{unit}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_000_000_000_000;

    fn labels(v: &Viewport, spacing: f64) -> Vec<String> {
        ticks(v, v.bounds_start_nanos, spacing).into_iter().map(|t| t.label).collect()
    }

    #[test]
    fn nice_steps_and_labels() {
        let v = Viewport::new(T0, T0 + 2_000_000_000, 1000.0);
        assert_eq!(tick_step_nanos(&v, 200.0), 500_000_000);
        assert_eq!(labels(&v, 200.0), vec!["0ms", "500ms", "1s", "1.5s", "2s"]);
        let us = Viewport::new(T0, T0 + 50_000, 500.0);
        assert_eq!(labels(&us, 100.0), vec!["0µs", "10µs", "20µs", "30µs", "40µs", "50µs"]);
        let ns = Viewport::new(T0, T0 + 100, 1000.0);
        assert_eq!(tick_step_nanos(&ns, 5.0), 1);
        assert_eq!(format_offset(12_000, 2_000), "12µs");
        assert_eq!(format_offset(1_250_000, 250_000), "1.25ms");
        assert_eq!(format_offset(250_000_000, 50_000_000), "250ms");
        assert_eq!(format_offset(-1_500_000_000, 500_000_000), "-1.5s");
    }

    #[test]
    fn zoomed_in_ticks_are_offsets_from_the_trace_start() {
        let v = Viewport::new(T0, T0 + 10_000_000_000, 1000.0).set_range(T0 + 3_000_000_000, T0 + 3_000_001_000);
        let t = ticks(&v, T0, 100.0);
        assert!(!t.is_empty());
        assert_eq!(t[0].label, "3s");
        assert_eq!(t[1].label, "3.0000001s");
        assert!(t.iter().all(|x| x.x_px >= -1e-9 && x.x_px <= 1000.0 + 1e-9));
        for w in t.windows(2) {
            assert!(w[1].x_px - w[0].x_px >= 100.0 - 1e-9);
        }
    }

    #[test]
    fn degenerate_inputs() {
        let v = Viewport::new(i64::MIN, i64::MAX, 1.0);
        assert!(ticks(&v, 0, 0.0).len() <= 10_000);
        assert!(!ticks(&Viewport::new(0, 1, 100.0), 0, f64::NAN).is_empty());
    }
}
