//! A capability set as the kernel prints it in /proc/PID/status: a 64-bit mask.

use caps::{Capability, CapsHashSet};
use std::fmt;

/// A set of capabilities as a bit mask (bit n = capability number n).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CapMask(pub u64);

impl CapMask {
    /// The empty set.
    pub const EMPTY: CapMask = CapMask(0);

    /// The mask holding exactly the given capabilities.
    pub fn of(caps: &[Capability]) -> CapMask {
        CapMask(caps.iter().fold(0, |m, c| m | c.bitmask()))
    }

    /// The mask of a `caps` crate set.
    pub fn from_set(set: &CapsHashSet) -> CapMask {
        CapMask(set.iter().fold(0, |m, c| m | c.bitmask()))
    }

    /// Whether no capability is in the set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The capabilities in `self` that are not in `other`.
    pub fn minus(self, other: CapMask) -> CapMask {
        CapMask(self.0 & !other.0)
    }

    /// Parses the hexadecimal form of /proc/PID/status (`000001ffffffffff`).
    pub fn parse_hex(text: &str) -> Option<CapMask> {
        let text = text.trim();
        if text.is_empty() || text.len() > 16 {
            return None;
        }
        u64::from_str_radix(text, 16).ok().map(CapMask)
    }
}

impl fmt::Display for CapMask {
    /// Names the capabilities (`CAP_NET_ADMIN,CAP_NET_RAW`), numbers for bits the
    /// `caps` crate has no name for, `none` for the empty set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        let known = caps::all();
        let mut first = true;
        for bit in 0..64u8 {
            if self.0 & (1u64 << bit) == 0 {
                continue;
            }
            if !first {
                f.write_str(",")?;
            }
            first = false;
            match known.iter().find(|c| c.index() == bit) {
                Some(c) => write!(f, "{c}")?,
                None => write!(f, "cap_{bit}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_raw_and_net_admin_are_bits_13_and_12() {
        // capability.h: CAP_NET_ADMIN 12, CAP_NET_RAW 13.
        let m = CapMask::of(&[Capability::CAP_NET_RAW, Capability::CAP_NET_ADMIN]);
        assert_eq!(m, CapMask(0x3000));
        assert_eq!(CapMask::parse_hex("0000000000003000"), Some(m));
    }

    #[test]
    fn display_names_known_bits_and_numbers_unknown_ones() {
        assert_eq!(CapMask(0x3000).to_string(), "CAP_NET_ADMIN,CAP_NET_RAW");
        assert_eq!(CapMask(1 << 63).to_string(), "cap_63");
        assert_eq!(CapMask::EMPTY.to_string(), "none");
    }

    #[test]
    fn parse_hex_rejects_garbage_and_overlong() {
        assert_eq!(CapMask::parse_hex("xyz"), None);
        assert_eq!(CapMask::parse_hex(""), None);
        assert_eq!(CapMask::parse_hex("10000000000000000"), None);
        assert_eq!(
            CapMask::parse_hex("000001ffffffffff"),
            Some(CapMask(0x1ff_ffff_ffff))
        );
    }

    #[test]
    fn minus_keeps_only_the_extra_bits() {
        assert_eq!(CapMask(0x3001).minus(CapMask(0x3000)), CapMask(1));
    }
}
