//! Duration histograms for the statistics view: bins over integer nanoseconds, linear when the
//! durations span less than two decades and logarithmic otherwise (a typical operation's durations
//! span microseconds to seconds, and linear bins would put everything but the outliers in one bar).

use serde::Serialize;

/// One bar: durations in `[lo_nanos, hi_nanos)` (the last bin also holds `hi_nanos`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Bin {
    pub lo_nanos: i64,
    pub hi_nanos: i64,
    pub count: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Histogram {
    pub bins: Vec<Bin>,
    /// Bin edges grow geometrically (the chart draws a log axis).
    pub log_scale: bool,
}

/// Below this max/min ratio bins are linear.
const LOG_RATIO: f64 = 100.0;

/// Bins `durations_nanos` (any order) into at most `bin_count` bins. Empty input, or `bin_count` 0,
/// gives no bins. Negative durations (clock skew in the source) are counted in the first bin.
pub fn histogram(durations_nanos: &[i64], bin_count: usize) -> Histogram {
    let (Some(&min), Some(&max)) = (durations_nanos.iter().min(), durations_nanos.iter().max()) else {
        return Histogram::default();
    };
    if bin_count == 0 {
        return Histogram::default();
    }
    let lo = min.max(0);
    let hi = max.max(lo);
    if hi == lo {
        let count = u32::try_from(durations_nanos.len()).unwrap_or(u32::MAX);
        return Histogram { bins: vec![Bin { lo_nanos: lo, hi_nanos: hi, count }], log_scale: false };
    }
    let log_scale = lo > 0 && hi as f64 / lo as f64 >= LOG_RATIO;
    let edges = edges(lo, hi, bin_count, log_scale);
    let mut bins: Vec<Bin> = edges.windows(2).map(|w| Bin { lo_nanos: w[0], hi_nanos: w[1], count: 0 }).collect();
    let last = bins.len().saturating_sub(1);
    for &d in durations_nanos {
        // First edge strictly above `d`, minus one: the bin holding it. The top value goes in the last.
        let i = edges.partition_point(|&e| e <= d).saturating_sub(1).min(last);
        if let Some(bin) = bins.get_mut(i) {
            bin.count = bin.count.saturating_add(1);
        }
    }
    Histogram { bins, log_scale }
}

/// `bin_count + 1` strictly increasing edges from `lo` to `hi` (fewer when the range has fewer
/// distinct nanoseconds than bins).
fn edges(lo: i64, hi: i64, bin_count: usize, log_scale: bool) -> Vec<i64> {
    let mut edges = Vec::with_capacity(bin_count + 1);
    edges.push(lo);
    for i in 1..bin_count {
        let t = i as f64 / bin_count as f64;
        let e = if log_scale {
            ((lo as f64).ln() + t * ((hi as f64).ln() - (lo as f64).ln())).exp().round() as i64
        } else {
            lo + ((hi - lo) as f64 * t).round() as i64
        };
        if e > *edges.last().unwrap_or(&lo) && e < hi {
            edges.push(e);
        }
    }
    edges.push(hi);
    edges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_single_value() {
        assert!(histogram(&[], 10).bins.is_empty());
        assert!(histogram(&[5], 0).bins.is_empty());
        let h = histogram(&[7, 7, 7], 10);
        assert_eq!(h.bins, vec![Bin { lo_nanos: 7, hi_nanos: 7, count: 3 }]);
    }

    #[test]
    fn linear_bins_hold_every_value_once() {
        let d: Vec<i64> = (0..100).collect();
        let h = histogram(&d, 10);
        assert!(!h.log_scale);
        assert_eq!(h.bins.len(), 10);
        assert_eq!(h.bins.iter().map(|b| b.count).sum::<u32>(), 100);
        assert!(h.bins.iter().all(|b| b.count >= 9 && b.count <= 12), "{:?}", h.bins);
        assert_eq!(h.bins.first().map(|b| b.lo_nanos), Some(0));
        assert_eq!(h.bins.last().map(|b| b.hi_nanos), Some(99));
    }

    #[test]
    fn wide_ranges_bin_logarithmically() {
        let d = [1_000, 2_000, 10_000, 1_000_000, 1_000_000_000];
        let h = histogram(&d, 6);
        assert!(h.log_scale);
        assert_eq!(h.bins.iter().map(|b| b.count).sum::<u32>(), 5);
        assert_eq!(h.bins.first().map(|b| b.count), Some(2), "{:?}", h.bins);
        assert_eq!(h.bins.last().map(|b| b.count), Some(1));
        assert!(h.bins.windows(2).all(|w| w[0].hi_nanos == w[1].lo_nanos));
    }

    #[test]
    fn tiny_ranges_do_not_repeat_edges() {
        let h = histogram(&[10, 11, 12], 50);
        assert!(h.bins.len() <= 3);
        assert!(h.bins.iter().all(|b| b.lo_nanos < b.hi_nanos));
        assert_eq!(h.bins.iter().map(|b| b.count).sum::<u32>(), 3);
    }

    #[test]
    fn negative_durations_land_in_the_first_bin() {
        let h = histogram(&[-5, 2, 20], 2);
        assert_eq!(h.bins.first().map(|b| b.count), Some(2));
    }
}
