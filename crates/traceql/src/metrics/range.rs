//! Time buckets: alignment to the step, the bucket of a timestamp, and the
//! default step when the caller gives none.

use super::MetricsError;
use super::result::MetricsRange;

const SECOND_NANOS: i64 = 1_000_000_000;

/// A range aligned to its step: bucket `i` covers
/// `[start_nanos + i * step_nanos, start_nanos + (i + 1) * step_nanos)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buckets {
    pub start_nanos: i64,
    pub step_nanos: i64,
    pub count: usize,
}

impl Buckets {
    /// Aligns `range` like Tempo (start down, end up to a multiple of the
    /// step) and rejects empty or oversized ranges before any memory is
    /// reserved for them.
    pub fn new(range: &MetricsRange, max_buckets: usize) -> Result<Buckets, MetricsError> {
        let MetricsRange { start_nanos, end_nanos, step_nanos } = *range;
        if step_nanos <= 0 {
            return Err(MetricsError::InvalidRange(format!("step must be positive, got {step_nanos} ns")));
        }
        if end_nanos <= start_nanos {
            return Err(MetricsError::InvalidRange(format!(
                "end ({end_nanos} ns) must be after start ({start_nanos} ns)"
            )));
        }
        let aligned_start = start_nanos.div_euclid(step_nanos).saturating_mul(step_nanos);
        let end_steps = end_nanos.div_euclid(step_nanos) + i64::from(end_nanos.rem_euclid(step_nanos) != 0);
        let aligned_end = end_steps.saturating_mul(step_nanos);
        // i128: the span of two extreme i64 times does not fit an i64.
        let count = (i128::from(aligned_end) - i128::from(aligned_start)) / i128::from(step_nanos);
        let count = usize::try_from(count.max(1)).unwrap_or(usize::MAX);
        if count > max_buckets {
            return Err(MetricsError::TooManyPoints { points: count, limit: max_buckets });
        }
        Ok(Buckets { start_nanos: aligned_start, step_nanos, count })
    }

    /// The bucket holding `t_nanos`, if inside the range.
    pub fn index(&self, t_nanos: i64) -> Option<usize> {
        if t_nanos < self.start_nanos {
            return None;
        }
        // Common case in i64; the i128 path covers ranges wider than i64.
        let i = match t_nanos.checked_sub(self.start_nanos) {
            Some(d) => i128::from(d / self.step_nanos),
            None => (i128::from(t_nanos) - i128::from(self.start_nanos)) / i128::from(self.step_nanos),
        };
        usize::try_from(i).ok().filter(|&i| i < self.count)
    }

    /// Bucket start times.
    pub fn timestamps_nanos(&self) -> Vec<i64> {
        (0..self.count).map(|i| self.start_nanos.saturating_add((i as i64).saturating_mul(self.step_nanos))).collect()
    }

    pub fn step_seconds(&self) -> f64 {
        self.step_nanos as f64 / SECOND_NANOS as f64
    }
}

/// "Nice" steps at and above one second, so axis ticks land on round times.
const NICE_STEPS_SECONDS: [i64; 13] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

/// Tempo's default: about range/240, snapped up to a round value. Below one
/// second (a single loaded trace often lasts milliseconds) the step snaps to
/// 1-2-5 multiples of a power of ten nanoseconds, so short ranges still get
/// 100-240 points instead of one.
pub fn default_step_nanos(range_nanos: i64) -> i64 {
    let target = (range_nanos / 240).max(1);
    if target <= SECOND_NANOS {
        let mut decade = 1i64;
        loop {
            for m in [1, 2, 5] {
                let step = decade.saturating_mul(m);
                if step >= target {
                    return step;
                }
            }
            decade = decade.saturating_mul(10);
        }
    }
    for s in NICE_STEPS_SECONDS {
        if s * SECOND_NANOS >= target {
            return s * SECOND_NANOS;
        }
    }
    // Whole hours beyond that.
    let hour = 3600 * SECOND_NANOS;
    target.div_euclid(hour).saturating_add(i64::from(target.rem_euclid(hour) != 0)).saturating_mul(hour)
}

/// A range covering `[min_start_nanos, max_end_nanos]` with the default step.
/// The end is exclusive in bucketing, so one nanosecond is added to keep a
/// span starting exactly at the end inside.
pub fn default_range(min_start_nanos: i64, max_end_nanos: i64) -> MetricsRange {
    let end_nanos = max_end_nanos.max(min_start_nanos).saturating_add(1);
    let step_nanos = default_step_nanos(end_nanos.saturating_sub(min_start_nanos));
    MetricsRange { start_nanos: min_start_nanos, end_nanos, step_nanos }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn aligns_to_the_step() {
        let b = Buckets::new(&MetricsRange { start_nanos: 15, end_nanos: 41, step_nanos: 10 }, 100).unwrap();
        assert_eq!((b.start_nanos, b.count), (10, 4));
        assert_eq!(b.timestamps_nanos(), [10, 20, 30, 40]);
        assert_eq!(
            (b.index(9), b.index(10), b.index(29), b.index(49), b.index(50)),
            (None, Some(0), Some(1), Some(3), None)
        );
        let b = Buckets::new(&MetricsRange { start_nanos: -15, end_nanos: 0, step_nanos: 10 }, 100).unwrap();
        assert_eq!((b.start_nanos, b.count), (-20, 2));
    }

    #[test]
    fn rejects_bad_ranges() {
        let r = |s, e, st| Buckets::new(&MetricsRange { start_nanos: s, end_nanos: e, step_nanos: st }, 1000);
        assert!(matches!(r(0, 10, 0), Err(MetricsError::InvalidRange(_))));
        assert!(matches!(r(10, 10, 1), Err(MetricsError::InvalidRange(_))));
        assert!(matches!(r(0, 1_000_000, 1), Err(MetricsError::TooManyPoints { .. })));
        assert!(matches!(r(i64::MIN, i64::MAX, 1), Err(MetricsError::TooManyPoints { .. })));
    }

    #[test]
    fn default_steps() {
        assert_eq!(default_step_nanos(4_020_000_000), 20_000_000);
        assert_eq!(default_step_nanos(3600 * SECOND_NANOS), 15 * SECOND_NANOS);
        assert_eq!(default_step_nanos(0), 1);
        assert_eq!(default_step_nanos(240 * 24 * 3600 * SECOND_NANOS), 24 * 3600 * SECOND_NANOS);
        let r = default_range(1_000, 1_000);
        assert_eq!((r.end_nanos, r.step_nanos), (1_001, 1));
        let points = Buckets::new(&default_range(0, 4_020_000_000), 11_000).unwrap().count;
        assert!((100..=241).contains(&points), "{points}");
    }
}
