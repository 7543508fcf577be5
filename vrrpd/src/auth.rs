//! VRRPv2 authentication as keepalived does it: PASS (RFC 2338 §5.3.6.1,
//! dropped from RFC 3768 but still spoken) and IPsec AH with HMAC-MD5-96.

use hmac::digest::generic_array::GenericArray;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use md5::Md5;

/// Length of the v2 authentication data and of keepalived's password.
pub const AUTH_DATA_LEN: usize = 8;

/// Length of keepalived's AH header (RFC 2402 §2 with a 96-bit ICV).
pub const AH_LEN: usize = 24;

/// AH payload length field for a 24-byte header: 32-bit words minus 2.
pub const AH_PAYLOAD_LEN: u8 = 4;

/// Length of the HMAC-MD5-96 integrity check value (RFC 2403).
pub const ICV_LEN: usize = 12;

/// A PASS password or AH key: keepalived's `auth_pass`, cut to 8 bytes and
/// zero padded.
pub type AhKey = [u8; AUTH_DATA_LEN];

/// The 8-byte authentication data keepalived derives from `auth_pass`: the
/// first 8 bytes, zero padded (keepalived warns and truncates longer ones).
pub fn key_from_password(password: &[u8]) -> [u8; AUTH_DATA_LEN] {
    let mut key = [0; AUTH_DATA_LEN];
    let n = password.len().min(AUTH_DATA_LEN);
    key[..n].copy_from_slice(&password[..n]);
    key
}

/// Compares PASS data in constant time (keepalived's memcmp_constant_time).
pub fn pass_matches(received: &[u8; AUTH_DATA_LEN], configured: &[u8; AUTH_DATA_LEN]) -> bool {
    received
        .iter()
        .zip(configured)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

fn icv_mac(key: &AhKey, ip_header: &[u8], ah: &[u8], vrrp: &[u8], unicast: bool) -> Hmac<Md5> {
    // keepalived vrrp.c: the mutable IPv4 fields TOS, fragment offset and
    // header checksum are zeroed, and the TTL too when unicast peers are
    // configured (RFC 2402 §3.3.3.1.1.1 lists TTL as mutable; keepalived
    // keeps it for multicast, where it must be 255 anyway). The ICV field
    // of the AH header is zeroed.
    let mut ip = [0u8; 60];
    let ip_len = ip_header.len().min(ip.len());
    ip[..ip_len].copy_from_slice(&ip_header[..ip_len]);
    if ip_len >= 12 {
        ip[1] = 0;
        ip[6] = 0;
        ip[7] = 0;
        ip[10] = 0;
        ip[11] = 0;
        if unicast {
            ip[8] = 0;
        }
    }
    let mut ah_copy = [0u8; AH_LEN];
    let ah_len = ah.len().min(AH_LEN);
    ah_copy[..ah_len].copy_from_slice(&ah[..ah_len]);
    ah_copy[12..].fill(0);
    // HMAC pads keys shorter than the 64-byte block with zeros (RFC 2104
    // §2), so the padded key is the same HMAC key as the password, and the
    // block-sized constructor cannot fail.
    let mut block = [0u8; 64];
    block[..AUTH_DATA_LEN].copy_from_slice(key);
    let mut mac = <Hmac<Md5> as KeyInit>::new(GenericArray::from_slice(&block));
    mac.update(&ip[..ip_len]);
    mac.update(&ah_copy[..ah_len]);
    mac.update(vrrp);
    mac
}

/// The HMAC-MD5-96 ICV keepalived puts in the AH header of a datagram made
/// of `ip_header` (options included), the 24-byte `ah` header and the VRRP
/// message `vrrp`.
pub fn ah_icv(
    key: &AhKey,
    ip_header: &[u8],
    ah: &[u8],
    vrrp: &[u8],
    unicast: bool,
) -> [u8; ICV_LEN] {
    let full = icv_mac(key, ip_header, ah, vrrp, unicast)
        .finalize()
        .into_bytes();
    let mut out = [0; ICV_LEN];
    out.copy_from_slice(&full[..ICV_LEN]);
    out
}

/// Whether the ICV in `ah` (bytes 12..24) is right, compared in constant
/// time.
pub fn ah_verify(key: &AhKey, ip_header: &[u8], ah: &[u8], vrrp: &[u8], unicast: bool) -> bool {
    let Some(icv) = ah.get(12..AH_LEN) else {
        return false;
    };
    icv_mac(key, ip_header, ah, vrrp, unicast)
        .verify_truncated_left(icv)
        .is_ok()
}

/// keepalived's anti-replay rule: a sequence number is accepted only if it
/// is above the last one seen (vrrp.c `vrrp_in_chk_ipsecah`, RFC 2402 §3.4.3
/// without the window).
pub fn ah_seq_is_fresh(last_seen: u32, seq: u32) -> bool {
    seq > last_seen
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    // RFC 2202 §2 test case 2: HMAC-MD5 with key "Jefe".
    #[test]
    fn rfc2202_hmac_md5_case_2_with_keepalived_padding() {
        let mut mac = <Hmac<Md5> as KeyInit>::new_from_slice(&key_from_password(b"Jefe")).unwrap();
        mac.update(b"what do ya want for nothing?");
        let out = mac.finalize().into_bytes();
        assert_eq!(
            out.as_slice(),
            [
                0x75, 0x0c, 0x78, 0x3e, 0x6a, 0xb0, 0xb5, 0x03, 0xea, 0xa8, 0x6e, 0x31, 0x0a, 0x5d,
                0xb7, 0x38
            ]
        );
    }

    #[test]
    fn password_cut_to_8_and_zero_padded() {
        assert_eq!(key_from_password(b"abc"), *b"abc\0\0\0\0\0");
        assert_eq!(key_from_password(b"0123456789"), *b"01234567");
    }

    #[test]
    fn pass_compare() {
        assert!(pass_matches(b"secret1\0", b"secret1\0"));
        assert!(!pass_matches(b"secret1\0", b"secret2\0"));
    }

    #[test]
    fn rfc2402_3_4_3_sequence_must_increase() {
        assert!(ah_seq_is_fresh(0, 1));
        assert!(!ah_seq_is_fresh(5, 5));
        assert!(!ah_seq_is_fresh(5, 4));
    }
}
