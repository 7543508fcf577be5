//! nf_tables rule expressions (payload, cmp, bitwise, lookup, counter, immediate
//! verdict), encoded as libnftnl does for keepalived (attribute order included).

use crate::msg::Attrs;

const NFTA_LIST_ELEM: u16 = 1;
const NFTA_EXPR_NAME: u16 = 1;
const NFTA_EXPR_DATA: u16 = 2;

const NFTA_PAYLOAD_DREG: u16 = 1;
const NFTA_PAYLOAD_BASE: u16 = 2;
const NFTA_PAYLOAD_OFFSET: u16 = 3;
const NFTA_PAYLOAD_LEN: u16 = 4;

const NFTA_CMP_SREG: u16 = 1;
const NFTA_CMP_OP: u16 = 2;
const NFTA_CMP_DATA: u16 = 3;
const NFT_CMP_EQ: u32 = 0;

const NFTA_BITWISE_SREG: u16 = 1;
const NFTA_BITWISE_DREG: u16 = 2;
const NFTA_BITWISE_LEN: u16 = 3;
const NFTA_BITWISE_MASK: u16 = 4;
const NFTA_BITWISE_XOR: u16 = 5;

const NFTA_LOOKUP_SET: u16 = 1;
const NFTA_LOOKUP_SREG: u16 = 2;

const NFTA_META_DREG: u16 = 1;
const NFTA_META_KEY: u16 = 2;

const NFTA_IMMEDIATE_DREG: u16 = 1;
const NFTA_IMMEDIATE_DATA: u16 = 2;

const NFTA_DATA_VALUE: u16 = 1;
const NFTA_DATA_VERDICT: u16 = 2;
const NFTA_VERDICT_CODE: u16 = 1;
const NFTA_VERDICT_CHAIN: u16 = 2;

/// The verdict register and the first 16-byte data register.
const NFT_REG_VERDICT: u32 = 0;
const NFT_REG_1: u32 = 1;
/// Register 2 starts right after register 1's 16 bytes, so a lookup reading 20 or 32
/// bytes from register 1 sees an address followed by an interface (a concatenation).
const NFT_REG_2: u32 = 2;

const NF_DROP: u32 = 0;
const NF_ACCEPT: u32 = 1;
/// NFT_GOTO is -4 in the verdict space shared with netfilter.
const NFT_GOTO: u32 = -4i32 as u32;

/// Where a payload expression reads from (enum nft_payload_bases).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base {
    Network = 1,
    Transport = 2,
}

/// Packet metadata a meta expression loads (enum nft_meta_keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MetaKey {
    Iif = 4,
    Oif = 5,
    IifName = 6,
    OifName = 7,
}

/// A rule's final decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    Accept,
    Drop,
    /// Continue in another chain of the same table without coming back.
    Goto(String),
}

/// One expression. keepalived only ever uses register 1, so the register is implicit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expr {
    /// Load `len` bytes at `offset` of a header into register 1.
    Payload { base: Base, offset: u32, len: u32 },
    /// Load packet metadata (an interface index or name) into register 2.
    Meta(MetaKey),
    /// Register 1 == `data`, else the rule stops.
    CmpEq(Vec<u8>),
    /// Register 1 = (register 1 & mask) ^ xor (how nftables expresses a prefix match).
    Bitwise { mask: Vec<u8>, xor: Vec<u8> },
    /// Register 1 is an element of the named set, else the rule stops.
    Lookup(String),
    /// Packet and byte counter (keepalived's `nftables_counters`).
    Counter,
    /// The verdict.
    Verdict(Verdict),
}

impl Expr {
    fn encode(&self, a: &mut Attrs) {
        match self {
            Expr::Payload { base, offset, len } => {
                a.str(NFTA_EXPR_NAME, "payload");
                a.nest(NFTA_EXPR_DATA, |d| {
                    d.u32(NFTA_PAYLOAD_DREG, NFT_REG_1)
                        .u32(NFTA_PAYLOAD_BASE, *base as u32)
                        .u32(NFTA_PAYLOAD_OFFSET, *offset)
                        .u32(NFTA_PAYLOAD_LEN, *len);
                });
            }
            Expr::Meta(key) => {
                // libnftnl's order: key, then register (keepalived's add_meta).
                a.str(NFTA_EXPR_NAME, "meta");
                a.nest(NFTA_EXPR_DATA, |d| {
                    d.u32(NFTA_META_KEY, *key as u32)
                        .u32(NFTA_META_DREG, NFT_REG_2);
                });
            }
            Expr::CmpEq(data) => {
                a.str(NFTA_EXPR_NAME, "cmp");
                a.nest(NFTA_EXPR_DATA, |d| {
                    d.u32(NFTA_CMP_SREG, NFT_REG_1).u32(NFTA_CMP_OP, NFT_CMP_EQ);
                    d.nest(NFTA_CMP_DATA, |v| {
                        v.bytes(NFTA_DATA_VALUE, data);
                    });
                });
            }
            Expr::Bitwise { mask, xor } => {
                let len = u32::try_from(mask.len()).unwrap_or(u32::MAX);
                a.str(NFTA_EXPR_NAME, "bitwise");
                a.nest(NFTA_EXPR_DATA, |d| {
                    d.u32(NFTA_BITWISE_SREG, NFT_REG_1)
                        .u32(NFTA_BITWISE_DREG, NFT_REG_1)
                        .u32(NFTA_BITWISE_LEN, len);
                    d.nest(NFTA_BITWISE_MASK, |v| {
                        v.bytes(NFTA_DATA_VALUE, mask);
                    });
                    d.nest(NFTA_BITWISE_XOR, |v| {
                        v.bytes(NFTA_DATA_VALUE, xor);
                    });
                });
            }
            Expr::Lookup(set) => {
                a.str(NFTA_EXPR_NAME, "lookup");
                a.nest(NFTA_EXPR_DATA, |d| {
                    d.u32(NFTA_LOOKUP_SREG, NFT_REG_1).str(NFTA_LOOKUP_SET, set);
                });
            }
            Expr::Counter => {
                // An empty data nest: the kernel starts the counter at zero.
                a.str(NFTA_EXPR_NAME, "counter");
                a.nest(NFTA_EXPR_DATA, |_| {});
            }
            Expr::Verdict(v) => {
                a.str(NFTA_EXPR_NAME, "immediate");
                a.nest(NFTA_EXPR_DATA, |d| {
                    d.u32(NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
                    d.nest(NFTA_IMMEDIATE_DATA, |data| {
                        data.nest(NFTA_DATA_VERDICT, |vd| match v {
                            Verdict::Accept => {
                                vd.u32(NFTA_VERDICT_CODE, NF_ACCEPT);
                            }
                            Verdict::Drop => {
                                vd.u32(NFTA_VERDICT_CODE, NF_DROP);
                            }
                            Verdict::Goto(chain) => {
                                vd.u32(NFTA_VERDICT_CODE, NFT_GOTO)
                                    .str(NFTA_VERDICT_CHAIN, chain);
                            }
                        });
                    });
                });
            }
        }
    }
}

/// Encodes a rule's expression list: one NFTA_LIST_ELEM per expression.
pub(crate) fn encode_list(a: &mut Attrs, exprs: &[Expr]) {
    for e in exprs {
        a.nest(NFTA_LIST_ELEM, |elem| e.encode(elem));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::from_mnl;

    fn encoded(exprs: &[Expr]) -> Vec<u8> {
        let mut a = Attrs::new();
        encode_list(&mut a, exprs);
        a.into_bytes()
    }

    /// `nft --debug=mnl add rule ip keepalived in ip daddr @vips counter drop` (nft
    /// 1.0.6), NFTA_RULE_EXPRESSIONS' content, minus nft's NFTA_LOOKUP_SET_ID, which
    /// keepalived does not send either.
    const DADDR_VIPS_COUNTER_DROP: &str = "
        |00052|N-|00001|
        |00012|--|00001|
        | 70 61 79 6c |
        | 6f 61 64 00 |
        |00036|N-|00002|
        |00008|--|00001|
        | 00 00 00 01 |
        |00008|--|00002|
        | 00 00 00 01 |
        |00008|--|00003|
        | 00 00 00 10 |
        |00008|--|00004|
        | 00 00 00 04 |
        |00040|N-|00001|
        |00011|--|00001|
        | 6c 6f 6f 6b |
        | 75 70 00 00 |
        |00024|N-|00002|
        |00008|--|00002|
        | 00 00 00 01 |
        |00009|--|00001|
        | 76 69 70 73 |
        | 00 00 00 00 |
        |00020|N-|00001|
        |00012|--|00001|
        | 63 6f 75 6e |
        | 74 65 72 00 |
        |00004|N-|00002|
        |00048|N-|00001|
        |00014|--|00001|
        | 69 6d 6d 65 |
        | 64 69 61 74 |
        | 65 00 00 00 |
        |00028|N-|00002|
        |00008|--|00001|
        | 00 00 00 00 |
        |00016|N-|00002|
        |00012|N-|00002|
        |00008|--|00001|
        | 00 00 00 00 |
    ";

    #[test]
    fn lookup_rule_matches_nft_byte_for_byte() {
        let exprs = [
            Expr::Payload {
                base: Base::Network,
                offset: 16,
                len: 4,
            },
            Expr::Lookup("vips".into()),
            Expr::Counter,
            Expr::Verdict(Verdict::Drop),
        ];
        assert_eq!(encoded(&exprs), from_mnl(DADDR_VIPS_COUNTER_DROP));
    }

    /// keepalived's dump of `meta load iifname => reg 2` (vrrp_nftables.c setup_rule_if).
    const META_IIFNAME: &str = "
        |00036|N-|00001|
        |00009|--|00001|
        | 6d 65 74 61 |
        | 00 00 00 00 |
        |00020|N-|00002|
        |00008|--|00002|
        | 00 00 00 06 |
        |00008|--|00001|
        | 00 00 00 02 |
    ";

    #[test]
    fn meta_matches_keepalived_byte_for_byte() {
        assert_eq!(
            encoded(&[Expr::Meta(MetaKey::IifName)]),
            from_mnl(META_IIFNAME)
        );
    }

    #[test]
    fn goto_carries_the_chain_name() {
        let bytes = encoded(&[Expr::Verdict(Verdict::Goto("in_link_local".into()))]);
        let code = (-4i32 as u32).to_be_bytes();
        let pos = bytes.windows(4).position(|w| w == code).expect("NFT_GOTO");
        // NFTA_VERDICT_CHAIN follows the code: len 18 = 4 + "in_link_local\0".
        assert_eq!(&bytes[pos + 4..pos + 6], &18u16.to_ne_bytes());
        assert_eq!(&bytes[pos + 8..pos + 22], b"in_link_local\0");
    }

    #[test]
    fn bitwise_and_cmp_carry_their_values() {
        let mut mask = [0u8; 16];
        mask[0] = 0xff;
        mask[1] = 0xc0;
        let bytes = encoded(&[
            Expr::Bitwise {
                mask: mask.to_vec(),
                xor: vec![0; 16],
            },
            Expr::CmpEq(vec![0xfe, 0x80]),
        ]);
        assert!(bytes.windows(7).any(|w| w == b"bitwise"));
        assert!(bytes.windows(16).any(|w| w == mask));
        // NFTA_BITWISE_LEN = 16
        assert!(bytes.windows(8).any(|w| w == [8, 0, 3, 0, 0, 0, 0, 16]));
        // NFTA_DATA_VALUE of cmp: len 6, type 1, fe 80, padding
        assert!(bytes
            .windows(8)
            .any(|w| w == [6, 0, 1, 0, 0xfe, 0x80, 0, 0]));
    }
}
