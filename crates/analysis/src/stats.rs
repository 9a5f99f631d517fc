//! Robust trend statistics for short, noisy series (memory samples, numbers mined from
//! logs): Theil–Sen slope, the Mann–Kendall trend test and Spearman rank correlation.
//!
//! Example: for `x = [0, 1, 2, 3, 4, 5]`, `y = [100, 110, 500, 130, 140, 150]` (one spike)
//! [`theil_sen`] gives a slope of 10 per unit (the spike does not move it) and
//! [`mann_kendall`] finds an increasing trend; `[100, 100, 100, 100]` has no trend.
//!
//! Hand-written rather than taken from a crate: these are a few dozen lines of
//! textbook formulas (Sen 1968; Kendall 1975 with the tie correction; Spearman on average
//! ranks), while the statistics crates we know (`statrs`, `linregress`) bring large
//! dependency trees to the wasm build and do not include Theil–Sen or Mann–Kendall anyway.
//! Inputs are capped ([`MAX_POINTS`]) so the O(n²) pairwise loops stay cheap.

/// Most points the pairwise methods look at; longer series are thinned evenly first.
pub const MAX_POINTS: usize = 400;

/// Evenly thins a series to at most [`MAX_POINTS`] points, keeping the first and last.
fn thin(x: &[f64], y: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = x.len().min(y.len());
    if n <= MAX_POINTS {
        return (x[..n].to_vec(), y[..n].to_vec());
    }
    let mut xs = Vec::with_capacity(MAX_POINTS);
    let mut ys = Vec::with_capacity(MAX_POINTS);
    for k in 0..MAX_POINTS {
        let i = k * (n - 1) / (MAX_POINTS - 1);
        xs.push(x[i]);
        ys.push(y[i]);
    }
    (xs, ys)
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    // Selection, not a full sort: the same values in O(n) (thousands of slopes per series).
    let m = v.len() / 2;
    let odd = v.len() % 2 == 1;
    let (below, mid, _) = v.select_nth_unstable_by(m, f64::total_cmp);
    let mid = *mid;
    Some(if odd {
        mid
    } else {
        // The largest of the lower half is the other middle value.
        let lower = below.iter().copied().max_by(f64::total_cmp).unwrap_or(mid);
        (lower + mid) / 2.0
    })
}

/// A fitted line `y = intercept + slope · x`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Line {
    pub slope: f64,
    pub intercept: f64,
}

impl Line {
    pub fn at(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }
}

/// Theil–Sen estimator: the median of the slopes between every pair of points with
/// different x, and the median of `y − slope·x` as intercept. `None` with fewer than two
/// distinct x values.
pub fn theil_sen(x: &[f64], y: &[f64]) -> Option<Line> {
    let (x, y) = thin(x, y);
    let mut slopes = Vec::with_capacity(x.len() * x.len().saturating_sub(1) / 2);
    for i in 0..x.len() {
        for j in i + 1..x.len() {
            let dx = x[j] - x[i];
            if dx != 0.0 && dx.is_finite() {
                let s = (y[j] - y[i]) / dx;
                if s.is_finite() {
                    slopes.push(s);
                }
            }
        }
    }
    let slope = median(&mut slopes)?;
    let mut rest: Vec<f64> = x.iter().zip(&y).map(|(a, b)| b - slope * a).collect();
    let intercept = median(&mut rest)?;
    Some(Line { slope, intercept })
}

/// Result of the Mann–Kendall test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MannKendall {
    /// Kendall's S: concordant minus discordant pairs (in x order).
    pub s: f64,
    /// Normal approximation with continuity and tie corrections.
    pub z: f64,
    /// One-sided p-value for an increasing trend (`P(Z ≥ z)`).
    pub p_increasing: f64,
    /// Kendall's tau-a, `S / (n(n−1)/2)`, in −1..1.
    pub tau: f64,
}

fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Mann–Kendall trend test of `y` over `x` (points are taken in x order). `None` with
/// fewer than 3 points.
pub fn mann_kendall(x: &[f64], y: &[f64]) -> Option<MannKendall> {
    let (x, y) = thin(x, y);
    let n = x.len();
    if n < 3 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let ys: Vec<f64> = order.iter().map(|&i| y[i]).collect();
    let mut s = 0.0;
    for i in 0..n {
        for j in i + 1..n {
            s += sign(ys[j] - ys[i]);
        }
    }
    // Variance with the tie correction: groups of equal y values.
    let mut sorted = ys.clone();
    sorted.sort_by(f64::total_cmp);
    let nf = n as f64;
    let mut var = nf * (nf - 1.0) * (2.0 * nf + 5.0);
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && sorted[j + 1] == sorted[i] {
            j += 1;
        }
        let t = (j - i + 1) as f64;
        if t > 1.0 {
            var -= t * (t - 1.0) * (2.0 * t + 5.0);
        }
        i = j + 1;
    }
    var /= 18.0;
    let z = if var <= 0.0 {
        0.0
    } else if s > 0.0 {
        (s - 1.0) / var.sqrt()
    } else if s < 0.0 {
        (s + 1.0) / var.sqrt()
    } else {
        0.0
    };
    Some(MannKendall { s, z, p_increasing: normal_sf(z), tau: s / (nf * (nf - 1.0) / 2.0) })
}

/// Upper tail of the standard normal, `P(Z ≥ z)`, via `erfc` (Numerical Recipes'
/// Chebyshev fit, relative error below 1.2e-7).
pub fn normal_sf(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Average ranks (1-based; ties share their mean rank).
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            out[k] = r;
        }
        i = j + 1;
    }
    out
}

/// Spearman rank correlation of paired values, in −1..1. `None` with fewer than 3 pairs
/// or when either side is constant.
pub fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len().min(b.len());
    if n < 3 {
        return None;
    }
    let (ra, rb) = (ranks(&a[..n]), ranks(&b[..n]));
    let mean = (n as f64 + 1.0) / 2.0;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (da, db) = (ra[i] - mean, rb[i] - mean);
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    if saa == 0.0 || sbb == 0.0 {
        return None;
    }
    Some(sab / (saa * sbb).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xs(n: usize) -> Vec<f64> {
        (0..n).map(|i| i as f64).collect()
    }

    #[test]
    fn theil_sen_ignores_one_spike() {
        let y = [100.0, 110.0, 500.0, 130.0, 140.0, 150.0];
        let l = theil_sen(&xs(6), &y).unwrap();
        assert!((l.slope - 10.0).abs() < 1e-9, "{l:?}");
        assert!((l.at(0.0) - 100.0).abs() < 1e-9, "{l:?}");
        assert!(theil_sen(&[1.0, 1.0], &[1.0, 2.0]).is_none());
    }

    #[test]
    fn mann_kendall_detects_rise_not_flat_or_noise() {
        let up = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let mk = mann_kendall(&xs(8), &up).unwrap();
        assert_eq!(mk.s, 28.0);
        assert!(mk.p_increasing < 0.001, "{mk:?}");
        assert!((mk.tau - 1.0).abs() < 1e-9);
        let flat = [5.0; 8];
        let mk = mann_kendall(&xs(8), &flat).unwrap();
        assert_eq!(mk.s, 0.0);
        assert!(mk.p_increasing >= 0.5);
        let noise = [5.0, 3.0, 6.0, 2.0, 5.0, 4.0, 3.0, 5.0];
        assert!(mann_kendall(&xs(8), &noise).unwrap().p_increasing > 0.1);
        // Known value: n=10 strictly increasing, var = 10·9·25/18 = 125, z = 44/√125.
        let mk = mann_kendall(&xs(10), &xs(10)).unwrap();
        assert!((mk.z - 44.0 / 125f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn normal_tail_values() {
        assert!((normal_sf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_sf(1.644_853_6) - 0.05).abs() < 1e-6);
        assert!((normal_sf(-1.959_964) - 0.975).abs() < 1e-6);
    }

    #[test]
    fn spearman_monotone_and_ties() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!((spearman(&a, &[10.0, 20.0, 25.0, 100.0, 1000.0]).unwrap() - 1.0).abs() < 1e-9);
        assert!((spearman(&a, &[5.0, 4.0, 3.0, 2.0, 1.0]).unwrap() + 1.0).abs() < 1e-9);
        assert!(spearman(&a, &[1.0; 5]).is_none());
        let r = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!(r > 0.9 && r < 1.0, "{r}");
    }

    #[test]
    fn long_series_are_thinned() {
        let n = 5000;
        let l = theil_sen(&xs(n), &xs(n)).unwrap();
        assert!((l.slope - 1.0).abs() < 1e-9);
        assert!(mann_kendall(&xs(n), &xs(n)).unwrap().p_increasing < 1e-6);
    }
}
