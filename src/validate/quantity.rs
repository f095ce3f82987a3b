// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Kubernetes resource quantities (`10Gi`, `500M`, `1.5Ti`, `1e9`), parsed exactly enough to
//! compare sizes. Values are held in nano-units in an `i128`, which covers everything up to
//! well past `1000Ei`; finer fractions round up, as the API server does.

use std::fmt;

use snafu::Snafu;

/// Why a quantity string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Snafu)]
pub enum QuantityError {
    /// The text is not `<number><suffix>`.
    #[snafu(display(
        "'{text}' is not a Kubernetes quantity (expected a number with an optional suffix such as Ki, Mi, Gi, Ti, k, M, G or an exponent like e9)"
    ))]
    Malformed {
        /// The text that was read.
        text: String,
    },
    /// The value is too large to compare.
    #[snafu(display("'{text}' is too large"))]
    TooLarge {
        /// The text that was read.
        text: String,
    },
}

/// A parsed quantity, comparable with `<`, `==`, `>` regardless of the suffix used
/// (`1Gi == 1024Mi`, `1G < 1Gi`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QuantityValue {
    nanos: i128,
}

const NANOS: i128 = 1_000_000_000;

impl QuantityValue {
    /// Whether the quantity is strictly greater than zero.
    pub fn is_positive(self) -> bool {
        self.nanos > 0
    }

    /// The value in whole units, rounded up (bytes for storage).
    pub fn ceil_units(self) -> i128 {
        self.nanos.div_euclid(NANOS) + i128::from(self.nanos.rem_euclid(NANOS) != 0)
    }
}

impl fmt::Display for QuantityValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.ceil_units())
    }
}

/// Parses a Kubernetes quantity.
pub fn parse_quantity(text: &str) -> Result<QuantityValue, QuantityError> {
    let malformed = || QuantityError::Malformed {
        text: text.to_owned(),
    };
    let too_large = || QuantityError::TooLarge {
        text: text.to_owned(),
    };

    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let number_len = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(number_len);
    let (int_part, frac_part) = match number.split_once('.') {
        Some((i, f)) => (i, f),
        None => (number, ""),
    };
    if (int_part.is_empty() && frac_part.is_empty()) || frac_part.contains('.') {
        return Err(malformed());
    }

    // mantissa = int_part.frac_part as an integer, scaled down by 10^frac_len.
    let mut mantissa: i128 = 0;
    for c in int_part.bytes().chain(frac_part.bytes()) {
        mantissa = mantissa
            .checked_mul(10)
            .and_then(|m| m.checked_add(i128::from(c - b'0')))
            .ok_or_else(too_large)?;
    }
    let frac_len = i32::try_from(frac_part.len()).map_err(|_| too_large())?;

    let (pow2, pow10): (u32, i32) = match suffix {
        "" => (0, 0),
        "Ki" => (10, 0),
        "Mi" => (20, 0),
        "Gi" => (30, 0),
        "Ti" => (40, 0),
        "Pi" => (50, 0),
        "Ei" => (60, 0),
        "n" => (0, -9),
        "u" => (0, -6),
        "m" => (0, -3),
        "k" => (0, 3),
        "M" => (0, 6),
        "G" => (0, 9),
        "T" => (0, 12),
        "P" => (0, 15),
        "E" => (0, 18),
        s if s.starts_with(['e', 'E']) => {
            let exp = &s[1..];
            let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(malformed());
            }
            (0, exp.parse::<i32>().map_err(|_| too_large())?)
        }
        _ => return Err(malformed()),
    };

    // value in nanos = mantissa * 2^pow2 * 10^(pow10 - frac_len + 9)
    let mut value = mantissa
        .checked_mul(1i128.checked_shl(pow2).ok_or_else(too_large)?)
        .ok_or_else(too_large)?;
    let exp10 = pow10 - frac_len + 9;
    if exp10 >= 0 {
        let factor = 10i128
            .checked_pow(u32::try_from(exp10).map_err(|_| too_large())?)
            .ok_or_else(too_large)?;
        value = value.checked_mul(factor).ok_or_else(too_large)?;
    } else {
        // Finer than a nano-unit: round up, so a tiny non-zero value never reads as zero.
        let divisor = u32::try_from(-exp10)
            .ok()
            .and_then(|e| 10i128.checked_pow(e));
        value = match divisor {
            Some(d) => value / d + i128::from(value % d != 0),
            None => i128::from(value != 0),
        };
    }
    Ok(QuantityValue {
        nanos: if negative { -value } else { value },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> QuantityValue {
        parse_quantity(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn suffixes_scale_as_kubernetes_defines_them() {
        let cases: &[(&str, i128)] = &[
            ("0", 0),
            ("1", 1),
            ("1Ki", 1024),
            ("1Mi", 1 << 20),
            ("10Gi", 10 << 30),
            ("2Ti", 2 << 40),
            ("1Pi", 1 << 50),
            ("1Ei", 1 << 60),
            ("1k", 1_000),
            ("5M", 5_000_000),
            ("1G", 1_000_000_000),
            ("1T", 1_000_000_000_000),
            ("1P", 1_000_000_000_000_000),
            ("1E", 1_000_000_000_000_000_000),
            ("1.5Gi", 3 << 29),
            ("0.5Ki", 512),
            (".5k", 500),
            ("1e3", 1_000),
            ("1E3", 1_000),
            ("12e+2", 1_200),
            ("+7", 7),
            ("1500m", 2),
        ];
        for (text, units) in cases {
            assert_eq!(q(text).ceil_units(), *units, "{text}");
        }
    }

    #[test]
    fn equal_sizes_in_different_units_compare_equal() {
        assert_eq!(q("1Gi"), q("1024Mi"));
        assert_eq!(q("1G"), q("1000M"));
        assert_eq!(q("1k"), q("1000"));
        assert!(q("1G") < q("1Gi"));
        assert!(q("10Gi") > q("9.5Gi"));
        assert!(q("-1") < q("0"));
    }

    #[test]
    fn tiny_fractions_round_up_to_stay_positive() {
        assert!(q("1n").is_positive());
        assert!(q("1e-12").is_positive());
        assert!(!q("0Gi").is_positive());
        assert!(!q("-5Gi").is_positive());
    }

    #[test]
    fn malformed_text_is_an_error_naming_the_text() {
        for bad in [
            "", "Gi", "ten", "10GB", "10 Gi", "1.2.3", "1e", "1e+", "--1", "1Gii", ".",
        ] {
            let err = parse_quantity(bad).expect_err(bad);
            assert!(
                matches!(err, QuantityError::Malformed { .. }),
                "{bad}: {err}"
            );
            assert!(err.to_string().contains(&format!("'{bad}'")), "{err}");
        }
    }

    #[test]
    fn huge_values_are_reported_not_wrapped() {
        for big in ["1e40", "99999999999999999999999999999999999999999Ei"] {
            assert!(matches!(
                parse_quantity(big),
                Err(QuantityError::TooLarge { .. })
            ));
        }
    }
}
