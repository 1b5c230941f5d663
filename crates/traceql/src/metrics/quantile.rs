//! Log2 histograms, as Tempo uses for `quantile_over_time` and
//! `histogram_over_time`: a value falls in the bucket whose upper bound is
//! the smallest power of two at or above it, and a quantile interpolates
//! linearly inside the bucket it lands in. Memory per series and step is one
//! counter per occupied power of two, whatever the number of spans.

/// The bucket of a value: the exponent of its upper bound `2^e`, or
/// [`ZERO_BUCKET`] for values `<= 0` (which have no logarithm).
pub fn bucket_of(value: f64) -> i32 {
    if value <= 0.0 || value.is_nan() {
        return ZERO_BUCKET;
    }
    // Exact powers of two stay in their own bucket (ceil(log2(8)) = 3).
    let e = value.log2().ceil();
    e.clamp(-1100.0, 1100.0) as i32
}

pub const ZERO_BUCKET: i32 = i32::MIN;

/// The upper bound of a bucket.
pub fn bucket_upper(bucket: i32) -> f64 {
    if bucket == ZERO_BUCKET { 0.0 } else { 2f64.powi(bucket) }
}

/// The lower bound of a bucket (half its upper bound; 0 for the zero bucket).
fn bucket_lower(bucket: i32) -> f64 {
    if bucket == ZERO_BUCKET { 0.0 } else { 2f64.powi(bucket - 1) }
}

/// Quantile `q` (0..=1) of a histogram given as `(bucket, count)` pairs
/// sorted by bucket. NaN when the histogram is empty.
pub fn quantile(sorted: &[(i32, u64)], q: f64) -> f64 {
    let total: u64 = sorted.iter().map(|(_, c)| c).sum();
    if total == 0 || q.is_nan() {
        return f64::NAN;
    }
    let rank = q.clamp(0.0, 1.0) * total as f64;
    let mut before = 0u64;
    for &(bucket, count) in sorted {
        if count == 0 {
            continue;
        }
        let after = before + count;
        if after as f64 >= rank {
            let fraction = ((rank - before as f64) / count as f64).clamp(0.0, 1.0);
            let (lo, hi) = (bucket_lower(bucket), bucket_upper(bucket));
            return lo + (hi - lo) * fraction;
        }
        before = after;
    }
    sorted.last().map_or(f64::NAN, |&(b, _)| bucket_upper(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_powers_of_two() {
        assert_eq!(bucket_of(1.0), 0);
        assert_eq!(bucket_of(8.0), 3);
        assert_eq!(bucket_of(9.0), 4);
        assert_eq!(bucket_of(0.3), -1);
        assert_eq!(bucket_of(0.0), ZERO_BUCKET);
        assert_eq!(bucket_of(-5.0), ZERO_BUCKET);
        assert_eq!(bucket_of(f64::NAN), ZERO_BUCKET);
        assert_eq!(bucket_of(f64::INFINITY), 1100);
        assert_eq!(bucket_upper(4), 16.0);
        assert_eq!(bucket_upper(ZERO_BUCKET), 0.0);
    }

    #[test]
    fn quantiles_interpolate_inside_the_bucket() {
        // 10 values in (8, 16], 10 in (16, 32].
        let h = [(4, 10), (5, 10)];
        assert_eq!(quantile(&h, 0.0), 8.0);
        assert_eq!(quantile(&h, 0.25), 12.0);
        assert_eq!(quantile(&h, 0.5), 16.0);
        assert_eq!(quantile(&h, 0.75), 24.0);
        assert_eq!(quantile(&h, 1.0), 32.0);
        assert!(quantile(&[], 0.5).is_nan());
        assert_eq!(quantile(&[(ZERO_BUCKET, 3)], 0.9), 0.0);
    }
}
