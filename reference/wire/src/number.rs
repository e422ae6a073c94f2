//! DynamoDB's number type (`N`): validation, canonical form and ordering.
//!
//! DynamoDB numbers are decimal strings with up to 38 significant digits and a magnitude between
//! 1E-130 and 9.9999999999999999999999999999999999999E+125. They are stored and returned in a
//! canonical form (no leading or trailing zeros, no exponent, no `+`) and ordered numerically.

use std::cmp::Ordering;

use super::error::ApiError;

/// A parsed DynamoDB number: `(-1)^negative × digits × 10^exponent`, digits without leading or
/// trailing zeros (empty for zero).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Number {
    negative: bool,
    digits: Vec<u8>,
    exponent: i64,
}

impl Number {
    /// Parses and validates a number string, with DynamoDB's messages on failure.
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        let invalid = || {
            ApiError::validation(
                "The parameter cannot be converted to a numeric value".to_owned() + ": " + s,
            )
        };
        let t = s.trim();
        let (negative, rest) = match t.as_bytes().first() {
            Some(b'-') => (true, &t[1..]),
            Some(b'+') => (false, &t[1..]),
            _ => (false, t),
        };
        let (mantissa, exp_part) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let (int_part, frac_part) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(invalid());
        }
        if !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(invalid());
        }
        let mut exponent: i64 = match exp_part {
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty()
                    || digits.len() > 6
                    || !digits.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(invalid());
                }
                e.parse::<i64>().map_err(|_| invalid())?
            }
            None => 0,
        };
        exponent -= frac_part.len() as i64;
        let mut digits: Vec<u8> = int_part
            .bytes()
            .chain(frac_part.bytes())
            .map(|b| b - b'0')
            .skip_while(|d| *d == 0)
            .collect();
        while digits.last() == Some(&0) {
            digits.pop();
            exponent += 1;
        }
        if digits.is_empty() {
            return Ok(Self {
                negative: false,
                digits,
                exponent: 0,
            });
        }
        if digits.len() > 38 {
            return Err(ApiError::validation(
                "Attempting to store more than 38 significant digits in a Number",
            ));
        }
        // Magnitude: the position of the most significant digit is digits.len() - 1 + exponent.
        let top = digits.len() as i64 - 1 + exponent;
        if top > 125 {
            return Err(ApiError::validation(
                "Number overflow. Attempting to store a number with magnitude larger than supported range",
            ));
        }
        if top < -130 {
            return Err(ApiError::validation(
                "Number underflow. Attempting to store a number with magnitude smaller than supported range",
            ));
        }
        Ok(Self {
            negative,
            digits,
            exponent,
        })
    }

    /// The canonical string DynamoDB returns.
    pub fn canonical(&self) -> String {
        if self.digits.is_empty() {
            return "0".to_owned();
        }
        let mut out = String::new();
        if self.negative {
            out.push('-');
        }
        let ds: String = self.digits.iter().map(|d| char::from(b'0' + d)).collect();
        if self.exponent >= 0 {
            out.push_str(&ds);
            out.extend(std::iter::repeat_n('0', self.exponent as usize));
        } else {
            let point = ds.len() as i64 + self.exponent;
            if point > 0 {
                out.push_str(&ds[..point as usize]);
                out.push('.');
                out.push_str(&ds[point as usize..]);
            } else {
                out.push_str("0.");
                out.extend(std::iter::repeat_n('0', (-point) as usize));
                out.push_str(&ds);
            }
        }
        out
    }

    /// The exact sum `self + other`, or DynamoDB's error when it does not fit a number
    /// (more than 38 significant digits, or out of range). Used by UpdateItem's `+`, `-` and
    /// `ADD`.
    pub fn add(&self, other: &Number) -> Result<Number, ApiError> {
        if self.is_zero() {
            return Ok(other.clone());
        }
        if other.is_zero() {
            return Ok(self.clone());
        }
        let low = self.exponent.min(other.exponent);
        let a = self.scaled(low);
        let b = other.scaled(low);
        let (negative, digits) = if self.negative == other.negative {
            (self.negative, add_digits(&a, &b))
        } else {
            match cmp_digits(&a, &b) {
                Ordering::Equal => return Ok(Number::zero()),
                Ordering::Greater => (self.negative, sub_digits(&a, &b)),
                Ordering::Less => (other.negative, sub_digits(&b, &a)),
            }
        };
        let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
        let sign = if negative { "-" } else { "" };
        Number::parse(&format!("{sign}{text}E{low}"))
    }

    /// `-self`.
    pub fn negated(&self) -> Number {
        let mut n = self.clone();
        if !n.is_zero() {
            n.negative = !n.negative;
        }
        n
    }

    fn zero() -> Number {
        Number {
            negative: false,
            digits: Vec::new(),
            exponent: 0,
        }
    }

    /// The digits with `exponent - low` zeros appended (`low <= exponent`).
    fn scaled(&self, low: i64) -> Vec<u8> {
        let mut d = self.digits.clone();
        d.extend(std::iter::repeat_n(
            0,
            (self.exponent - low).max(0) as usize,
        ));
        d
    }

    fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        let top_a = self.digits.len() as i64 + self.exponent;
        let top_b = other.digits.len() as i64 + other.exponent;
        top_a
            .cmp(&top_b)
            .then_with(|| self.digits.cmp(&other.digits))
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => return Ordering::Equal,
            (true, false) => {
                return if other.negative {
                    Ordering::Greater
                } else {
                    Ordering::Less
                };
            }
            (false, true) => {
                return if self.negative {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
            }
            _ => {}
        }
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Magnitude order of two digit strings without leading zeros (most significant first).
fn cmp_digits(a: &[u8], b: &[u8]) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// `a + b` over decimal digit strings, most significant first.
fn add_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let (mut i, mut j, mut carry) = (a.len(), b.len(), 0u8);
    while i > 0 || j > 0 || carry > 0 {
        let x = if i > 0 { a[i - 1] } else { 0 };
        let y = if j > 0 { b[j - 1] } else { 0 };
        let s = x + y + carry;
        out.push(s % 10);
        carry = s / 10;
        i = i.saturating_sub(1);
        j = j.saturating_sub(1);
    }
    out.reverse();
    out
}

/// `a - b` over decimal digit strings, most significant first, for `a >= b`.
fn sub_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let (mut i, mut j, mut borrow) = (a.len(), b.len(), 0i8);
    while i > 0 {
        let x = a[i - 1] as i8;
        let y = if j > 0 { b[j - 1] as i8 } else { 0 };
        let mut d = x - y - borrow;
        borrow = 0;
        if d < 0 {
            d += 10;
            borrow = 1;
        }
        out.push(d as u8);
        i -= 1;
        j = j.saturating_sub(1);
    }
    out.reverse();
    let first = out.iter().position(|d| *d != 0).unwrap_or(out.len());
    out.drain(..first);
    out
}

/// Canonical form of a number string, or DynamoDB's validation error.
pub fn canonical(s: &str) -> Result<String, ApiError> {
    Number::parse(s).map(|n| n.canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        for (i, o) in [
            ("1.50", "1.5"),
            ("01", "1"),
            ("1e2", "100"),
            ("-0.00", "0"),
            ("+3", "3"),
            ("12.5E-3", "0.0125"),
            ("-7", "-7"),
        ] {
            assert_eq!(canonical(i).unwrap(), o, "{i}");
        }
        for bad in ["", "abc", "1.2.3", "e5", "--1", "1e", "1e+x"] {
            assert!(canonical(bad).is_err(), "{bad}");
        }
        assert!(canonical(&"1".repeat(39)).is_err());
        assert!(canonical("1e126").is_err());
        assert!(canonical("1e125").is_ok());
        assert!(canonical("1e-131").is_err());
        assert!(canonical("1e-130").is_ok());
    }

    #[test]
    fn numeric_order() {
        let mut v: Vec<Number> = ["10", "-2", "0", "2.5", "-10", "3", "0.001"]
            .iter()
            .map(|s| Number::parse(s).unwrap())
            .collect();
        v.sort();
        let out: Vec<String> = v.iter().map(Number::canonical).collect();
        assert_eq!(out, ["-10", "-2", "0", "0.001", "2.5", "3", "10"]);
    }
}
