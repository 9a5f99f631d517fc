//! Kubernetes resource quantities, exactly as the API server reads them.
//!
//! Grammar (k8s.io/apimachinery `resource.Quantity`):
//! `<signedNumber><suffix>`, number `12`, `1.5`, `1.`, `.5`; suffix one of the binary
//! SI `Ki Mi Gi Ti Pi Ei`, the decimal SI `n u m "" k M G T P E`, or a decimal exponent
//! `e<signedNumber>` / `E<signedNumber>`.
//!
//! Example: `parse("0.5Gi")` is exactly 536870912; `to_bytes` rounds a fractional
//! byte count up, as `Quantity.Value()` does (`1.5` → 2).
//!
//! Written here rather than taken from a crate: the Kubernetes crates carry quantities
//! as strings, and the one parsing crate we found pulls in `k8s-openapi` (large for
//! wasm) and uses floating point, while memory limits must be exact integers.

use std::fmt;

/// An exact quantity: `mantissa / 10^scale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantity {
    mantissa: i128,
    scale: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuantityError {
    Empty,
    Syntax(String),
    TooLarge(String),
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantityError::Empty => write!(f, "empty quantity"),
            QuantityError::Syntax(s) => write!(f, "not a Kubernetes quantity: {s:?}"),
            QuantityError::TooLarge(s) => write!(f, "quantity out of range: {s:?}"),
        }
    }
}

impl std::error::Error for QuantityError {}

const MAX_SCALE: u32 = 36;

impl Quantity {
    /// The value rounded up to a whole number (bytes for memory), as Kubernetes does.
    /// `None` for negative values or values above `u64::MAX`.
    pub fn to_bytes(self) -> Option<u64> {
        if self.mantissa < 0 {
            return None;
        }
        let div = 10i128.pow(self.scale);
        let whole = self.mantissa / div + i128::from(self.mantissa % div != 0);
        u64::try_from(whole).ok()
    }

    /// The value in thousandths (millicores for CPU), rounded up.
    pub fn to_millis(self) -> Option<i64> {
        let m = self.mantissa.checked_mul(1000)?;
        let div = 10i128.pow(self.scale);
        let q = m.div_euclid(div) + i128::from(m.rem_euclid(div) != 0);
        i64::try_from(q).ok()
    }

    /// Exact comparison of two quantities.
    pub fn cmp_exact(&self, other: &Quantity) -> Option<std::cmp::Ordering> {
        let s = self.scale.max(other.scale);
        let a = self.mantissa.checked_mul(10i128.checked_pow(s - self.scale)?)?;
        let b = other.mantissa.checked_mul(10i128.checked_pow(s - other.scale)?)?;
        Some(a.cmp(&b))
    }
}

/// Parses a quantity string (`128974848`, `129e6`, `129M`, `123Mi`, `0.5Gi`, `100m`).
pub fn parse(input: &str) -> Result<Quantity, QuantityError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(QuantityError::Empty);
    }
    let syntax = || QuantityError::Syntax(input.to_string());
    let too_large = || QuantityError::TooLarge(input.to_string());

    let bytes = s.as_bytes();
    let mut i = 0;
    let mut negative = false;
    if bytes[0] == b'+' || bytes[0] == b'-' {
        negative = bytes[0] == b'-';
        i = 1;
    }
    let mut mantissa: i128 = 0;
    let mut scale: u32 = 0;
    let mut digits = 0;
    let mut seen_dot = false;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_digit() {
            digits += 1;
            // Leading zeros and digits beyond what i128 holds: keep exactness or fail.
            mantissa =
                mantissa.checked_mul(10).and_then(|m| m.checked_add(i128::from(b - b'0'))).ok_or_else(too_large)?;
            if seen_dot {
                scale += 1;
                if scale > MAX_SCALE {
                    return Err(too_large());
                }
            }
        } else if b == b'.' && !seen_dot {
            seen_dot = true;
        } else {
            break;
        }
        i += 1;
    }
    if digits == 0 {
        return Err(syntax());
    }
    let suffix = &s[i..];
    let (mul, exp10): (i128, i32) = match suffix {
        "" => (1, 0),
        "Ki" => (1 << 10, 0),
        "Mi" => (1 << 20, 0),
        "Gi" => (1 << 30, 0),
        "Ti" => (1 << 40, 0),
        "Pi" => (1 << 50, 0),
        "Ei" => (1 << 60, 0),
        "n" => (1, -9),
        "u" => (1, -6),
        "m" => (1, -3),
        "k" => (1, 3),
        "M" => (1, 6),
        "G" => (1, 9),
        "T" => (1, 12),
        "P" => (1, 15),
        "E" => (1, 18),
        _ => {
            let rest = suffix.strip_prefix('e').or_else(|| suffix.strip_prefix('E')).ok_or_else(syntax)?;
            let digits = rest.strip_prefix(['+', '-']).unwrap_or(rest);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(syntax());
            }
            let e: i32 = rest.parse().map_err(|_| too_large())?;
            if e.abs() > 60 {
                return Err(too_large());
            }
            (1, e)
        }
    };
    mantissa = mantissa.checked_mul(mul).ok_or_else(too_large)?;
    if exp10 >= 0 {
        let p = 10i128.checked_pow(exp10 as u32).ok_or_else(too_large)?;
        mantissa = mantissa.checked_mul(p).ok_or_else(too_large)?;
    } else {
        scale += exp10.unsigned_abs();
    }
    // Normalise: drop trailing zeros of the fraction so equal values compare equal.
    while scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    if scale > MAX_SCALE {
        return Err(too_large());
    }
    if negative {
        mantissa = -mantissa;
    }
    Ok(Quantity { mantissa, scale })
}

/// Parses a memory quantity to whole bytes (rounded up). `None` if not a quantity,
/// negative, or too large.
pub fn parse_bytes(input: &str) -> Option<u64> {
    parse(input).ok()?.to_bytes()
}

/// Formats bytes for people: `512Mi`, `1.5Gi`, `301Mi`, `900Ki`, `17B`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [(&str, u64); 4] = [("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size {
            if bytes % size == 0 {
                return format!("{}{unit}", bytes / size);
            }
            // Inexact values always show a decimal, so `512Mi` on screen means exactly 512Mi.
            let v = bytes as f64 / size as f64;
            return format!("{v:.1}{unit}");
        }
    }
    format!("{bytes}B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_units_are_exact() {
        assert_eq!(parse_bytes("128974848"), Some(128_974_848));
        assert_eq!(parse_bytes("129e6"), Some(129_000_000));
        assert_eq!(parse_bytes("129M"), Some(129_000_000));
        assert_eq!(parse_bytes("123Mi"), Some(123 * 1024 * 1024));
        assert_eq!(parse_bytes("1Gi"), Some(1 << 30));
        assert_eq!(parse_bytes("0.5Gi"), Some(536_870_912));
        assert_eq!(parse_bytes("900Ki"), Some(921_600));
        assert_eq!(parse_bytes("1k"), Some(1000));
        assert_eq!(parse_bytes("2E"), Some(2_000_000_000_000_000_000));
        assert_eq!(parse_bytes("1.5"), Some(2), "fractions round up like Quantity.Value()");
        assert_eq!(parse_bytes(".5Ki"), Some(512));
        assert_eq!(parse_bytes("1."), Some(1));
    }

    #[test]
    fn cpu_millis() {
        assert_eq!(parse("100m").unwrap().to_millis(), Some(100));
        assert_eq!(parse("0.25").unwrap().to_millis(), Some(250));
        assert_eq!(parse("2").unwrap().to_millis(), Some(2000));
    }

    #[test]
    fn rejects_what_the_api_rejects() {
        for bad in ["", "Mi", "1Mb", "1 Mi", "1e", "1e+", "--1", "1.2.3", "0x10", "1mi"] {
            assert!(parse(bad).is_err(), "{bad:?} must be rejected");
        }
        assert_eq!(parse_bytes("-1Mi"), None);
        assert_eq!(parse_bytes("99999999999999999999Ei"), None, "beyond u64 bytes");
        assert!(matches!(parse("9999999999999999999999999Ei"), Err(QuantityError::TooLarge(_))));
    }

    #[test]
    fn equal_values_compare_equal() {
        let a = parse("1Gi").unwrap();
        let b = parse("1073741824").unwrap();
        assert_eq!(a.cmp_exact(&b), Some(std::cmp::Ordering::Equal));
        assert_eq!(parse("1.50").unwrap(), parse("1.5").unwrap());
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(format_bytes(536_870_912), "512Mi");
        assert_eq!(format_bytes(301 * 1024 * 1024), "301Mi");
        assert_eq!(format_bytes(3 << 29), "1.5Gi");
        assert_eq!(format_bytes(17), "17B");
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties {
    //! The Kubernetes quantity rules, checked on generated values against exact integer
    //! arithmetic (u128), not against our own parser.
    use super::*;
    use proptest::prelude::*;

    const BINARY: [(&str, u128); 7] =
        [("", 1), ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40), ("Pi", 1 << 50), ("Ei", 1 << 60)];
    const DECIMAL: [(&str, u32); 6] = [("k", 3), ("M", 6), ("G", 9), ("T", 12), ("P", 15), ("E", 18)];

    fn ceil_div(a: u128, b: u128) -> u128 {
        a / b + u128::from(a % b != 0)
    }

    proptest! {
        #[test]
        fn binary_suffixes_are_exact(n in 0u64..1_000_000, i in 0usize..7) {
            let (suffix, mult) = BINARY[i];
            let want = u128::from(n) * mult;
            let got = parse_bytes(&format!("{n}{suffix}"));
            prop_assert_eq!(got.map(u128::from), u64::try_from(want).ok().map(u128::from));
        }

        #[test]
        fn decimal_suffixes_and_exponents_agree(n in 0u64..1_000_000, i in 0usize..6) {
            let (suffix, exp) = DECIMAL[i];
            let a = parse(&format!("{n}{suffix}")).unwrap();
            let b = parse(&format!("{n}e{exp}")).unwrap();
            let c = parse(&format!("{n}E+{exp}")).unwrap();
            prop_assert_eq!(a, b);
            prop_assert_eq!(b, c);
            let want = u128::from(n) * 10u128.pow(exp);
            prop_assert_eq!(a.to_bytes().map(u128::from), u64::try_from(want).ok().map(u128::from));
        }

        #[test]
        fn fractions_round_up_like_value(int in 0u64..100_000, frac in 0u32..1000, digits in 1usize..4, i in 0usize..7) {
            let (suffix, mult) = BINARY[i];
            let frac_s = format!("{:0width$}", frac % 10u32.pow(digits as u32), width = digits);
            let text = format!("{int}.{frac_s}{suffix}");
            let scale = 10u128.pow(digits as u32);
            let exact_num = (u128::from(int) * scale + u128::from(frac % 10u32.pow(digits as u32))) * mult;
            let want = ceil_div(exact_num, scale);
            prop_assert_eq!(parse_bytes(&text).map(u128::from), u64::try_from(want).ok().map(u128::from), "{}", text);
        }

        #[test]
        fn ordering_matches_the_numbers(a in 0u64..1_000_000_000, b in 0u64..1_000_000_000, i in 0usize..7, j in 0usize..7) {
            let (sa, ma) = BINARY[i];
            let (sb, mb) = BINARY[j];
            let qa = parse(&format!("{a}{sa}")).unwrap();
            let qb = parse(&format!("{b}{sb}")).unwrap();
            prop_assert_eq!(qa.cmp_exact(&qb), Some((u128::from(a) * ma).cmp(&(u128::from(b) * mb))));
        }

        #[test]
        fn canonical_forms_round_trip(n in any::<u64>(), k in 1u64..100_000, i in 1usize..5) {
            prop_assert_eq!(parse_bytes(&n.to_string()), Some(n));
            // A value shown without a decimal point is exact: it reads back to itself.
            let m = k * (1u64 << (10 * i));
            let shown = format_bytes(m);
            if !shown.contains('.') {
                prop_assert_eq!(parse_bytes(&shown), Some(m), "{}", shown);
            }
        }

        #[test]
        fn any_text_parses_or_errs_without_panic(s in "\\PC{0,24}") {
            let _ = parse(&s);
        }
    }
}
