//! Fuzzes the receive path: any bytes, as an IPv4 datagram or an IPv6
//! payload, must be checked without a panic against instances of every
//! version and authentication, and an accepted advert must re-encode to the
//! same VRRP message.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use libfuzzer_sys::fuzz_target;
use vigil_vrrpd::packet::validate::{check, parse, Datagram, Expect, ExpectAuth};
use vigil_vrrpd::packet::{Scope, V3Ipv4Checksum, Version};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let key = *b"fuzzkey\0";
    let peers = [IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))];
    let d = if sel & 1 == 0 {
        Datagram::Ipv4(rest)
    } else {
        Datagram::Ipv6 {
            src: "fe80::1".parse::<Ipv6Addr>().unwrap_or(Ipv6Addr::LOCALHOST),
            dst: "ff02::12"
                .parse::<Ipv6Addr>()
                .unwrap_or(Ipv6Addr::LOCALHOST),
            hop_limit: 255,
            payload: rest,
        }
    };
    let Ok(p) = parse(d) else {
        return;
    };
    // Expect what the packet says (so that deep checks are reached) or not.
    let addrs: Vec<IpAddr> = p.advert.addresses().collect();
    let version = if sel & 2 == 0 {
        p.advert.version()
    } else {
        Version::V3
    };
    let mut e = Expect::new(version, p.advert.interval(), &addrs);
    e.auth = match (sel >> 2) & 3 {
        0 => ExpectAuth::None,
        1 => ExpectAuth::Pass(&key),
        _ => ExpectAuth::Ah {
            key: &key,
            last_seq: u32::from(sel >> 4),
        },
    };
    if sel & 0x10 != 0 {
        e.unicast_peers = &peers;
        e.check_unicast_src = sel & 0x20 != 0;
        e.old_unicast_checksum = sel & 0x40 != 0;
    }
    if sel & 0x80 != 0 {
        e.v3_ipv4_checksum = V3Ipv4Checksum::AsV2;
    }
    if let Ok(ok) = check(d, |_| Some(e)) {
        // Re-encoding gives the same message; the checksum bytes are left
        // out because they were verified above and the scope is the
        // validator's business.
        let adv = ok.parsed.advert;
        let mut out = Vec::new();
        if adv.reserved() == 0
            && adv
                .to_advertisement()
                .encode(adv.family(), Scope::MessageOnly, &mut out)
                .is_ok()
        {
            assert_eq!(out[..6], adv.bytes()[..6]);
            assert_eq!(out[8..], adv.bytes()[8..]);
        }
    }
});
