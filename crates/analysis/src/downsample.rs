//! Downsampling a long series for drawing: largest-triangle-three-buckets (LTTB,
//! Steinarsson 2013), so 24 h of 15 s samples (5,760 points) draw as a few hundred
//! without losing the shape, and the peak before each kill.
//!
//! LTTB keeps the first and last points and, from each of `target − 2` equal buckets
//! between, the point that makes the largest triangle with the point kept before it and
//! the mean of the next bucket: peaks and troughs make large triangles, so they stay.
//! On top of that, the point right before a fall of a quarter of the series' range (a
//! kill) is kept, so the peak before a kill is exact, never averaged away; the result may then hold a few points more than `target`.
//!
//! Example: a series rising 0..=999 with a fall to 0 after the point 500 keeps 1, 500
//! (the peak), the point after the fall, 999, and evenly spread points between.

/// A fall of at least this share of the series' range right after a bucket's highest
/// point keeps that point (a kill, or a restart).
pub const KILL_FALL: f64 = 0.25;

/// The indexes of the points of `(x, y)` (x ascending) to draw, at most about `target`
/// (never fewer than 3 unless the series is shorter); all of them when the series is
/// no longer than `target`.
pub fn lttb(x: &[f64], y: &[f64], target: usize) -> Vec<usize> {
    let n = x.len().min(y.len());
    let target = target.max(3);
    if n <= target {
        return (0..n).collect();
    }
    let (lo, hi) = y[..n].iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let range = hi - lo;
    let buckets = target - 2;
    let every = (n - 2) as f64 / buckets as f64;
    let mut out = Vec::with_capacity(target + 8);
    out.push(0);
    let mut a = 0usize;
    for b in 0..buckets {
        let start = 1 + (b as f64 * every) as usize;
        let end = (1 + ((b + 1) as f64 * every) as usize).min(n - 1).max(start + 1);
        // The mean of the next bucket (the last point for the last bucket).
        let (ns, ne) = if b + 1 < buckets {
            (end, (1 + ((b + 2) as f64 * every) as usize).min(n - 1).max(end + 1))
        } else {
            (n - 1, n)
        };
        let len = (ne - ns) as f64;
        let mx = x[ns..ne].iter().sum::<f64>() / len;
        let my = y[ns..ne].iter().sum::<f64>() / len;
        let (ax, ay) = (x[a], y[a]);
        let mut best = start;
        let mut best_area = -1.0;
        for i in start..end {
            let area = ((ax - mx) * (y[i] - ay) - (ax - x[i]) * (my - ay)).abs();
            if area > best_area {
                best_area = area;
                best = i;
            }
        }
        // A kill in the bucket: keep the point right before the fall, in order with the
        // point LTTB chose.
        let fall = (start..end).find(|&i| range > 0.0 && i + 1 < n && y[i] - y[i + 1] >= KILL_FALL * range);
        match fall {
            Some(k) if k < best => out.extend([k, best]),
            Some(k) if k > best => out.extend([best, k]),
            _ => out.push(best),
        }
        a = *out.last().unwrap_or(&best);
    }
    out.push(n - 1);
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_series_are_kept_whole() {
        let x = [0.0, 1.0, 2.0];
        assert_eq!(lttb(&x, &[1.0, 2.0, 3.0], 10), [0, 1, 2]);
    }

    #[test]
    fn long_series_keep_ends_order_and_the_peak_before_each_kill() {
        // 24 h at 15 s: a leak that falls back at two kills.
        let n = 5760;
        let x: Vec<f64> = (0..n).map(|i| f64::from(i) * 15.0).collect();
        let y: Vec<f64> = (0..n).map(|i| f64::from(i % 2500) * 1000.0 + f64::from(i % 7)).collect();
        let kept = lttb(&x, &y, 500);
        assert!(kept.len() <= 520, "{}", kept.len());
        assert_eq!((kept[0], *kept.last().unwrap()), (0, n as usize - 1));
        assert!(kept.windows(2).all(|w| w[0] < w[1]));
        for peak in [2499usize, 4999] {
            assert!(kept.contains(&peak), "peak {peak} before the kill is kept");
        }
    }

    #[test]
    fn a_flat_series_stays_flat_and_nothing_panics() {
        let x: Vec<f64> = (0..1000).map(f64::from).collect();
        let y = vec![5.0; 1000];
        let kept = lttb(&x, &y, 50);
        assert!(kept.len() <= 50);
        assert!(lttb(&[], &[], 10).is_empty());
        assert_eq!(lttb(&x, &y[..4], 3).len(), 3);
    }
}
