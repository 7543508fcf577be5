//! nfnetlink framing: netlink attributes (TLVs), nf_tables messages and the batch that
//! wraps them (linux/netfilter/nfnetlink.h, linux/netfilter/nf_tables.h). Pure: bytes in
//! a `Vec`, no socket.

/// Netlink message flags (linux/netlink.h).
pub(crate) const NLM_F_REQUEST: u16 = 0x1;
pub(crate) const NLM_F_ACK: u16 = 0x4;
pub(crate) const NLM_F_CREATE: u16 = 0x400;
pub(crate) const NLM_F_APPEND: u16 = 0x800;
/// Set on a nested attribute's type, as libmnl does (nft shows it as `N-`).
const NLA_F_NESTED: u16 = 0x8000;

/// nfnetlink batch delimiters (NLMSG_MIN_TYPE and the next).
const NFNL_MSG_BATCH_BEGIN: u16 = 0x10;
const NFNL_MSG_BATCH_END: u16 = 0x11;
/// The nf_tables subsystem id: the high byte of every nf_tables message type.
const NFNL_SUBSYS_NFTABLES: u16 = 10;
const NFNETLINK_V0: u8 = 0;

/// Size of `struct nlmsghdr` + `struct nfgenmsg`.
pub(crate) const NLMSG_HDRLEN: usize = 16;
const NFGENMSG_LEN: usize = 4;

/// The nf_tables message kinds vigil sends (enum nf_tables_msg_types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    NewTable = 0,
    DelTable = 2,
    NewChain = 3,
    NewRule = 6,
    NewSet = 9,
    NewSetElem = 12,
    DelSetElem = 14,
}

impl Kind {
    /// The name `nft --debug=netlink` and the kernel sources use.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::NewTable => "NFT_MSG_NEWTABLE",
            Kind::DelTable => "NFT_MSG_DELTABLE",
            Kind::NewChain => "NFT_MSG_NEWCHAIN",
            Kind::NewRule => "NFT_MSG_NEWRULE",
            Kind::NewSet => "NFT_MSG_NEWSET",
            Kind::NewSetElem => "NFT_MSG_NEWSETELEM",
            Kind::DelSetElem => "NFT_MSG_DELSETELEM",
        }
    }
}

/// A netlink attribute list being written; nests are closed by the closure returning.
#[derive(Debug, Default)]
pub(crate) struct Attrs {
    buf: Vec<u8>,
}

impl Attrs {
    /// An empty attribute list.
    pub(crate) fn new() -> Attrs {
        Attrs::default()
    }

    /// The encoded attributes.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// One attribute with raw data, padded to 4 bytes (the length excludes the padding).
    pub(crate) fn bytes(&mut self, ty: u16, data: &[u8]) -> &mut Attrs {
        let len = 4 + data.len();
        self.buf.extend_from_slice(&attr_len(len).to_ne_bytes());
        self.buf.extend_from_slice(&ty.to_ne_bytes());
        self.buf.extend_from_slice(data);
        self.pad();
        self
    }

    /// A 32-bit attribute; nf_tables wants every integer in network byte order.
    pub(crate) fn u32(&mut self, ty: u16, v: u32) -> &mut Attrs {
        self.bytes(ty, &v.to_be_bytes())
    }

    /// A NUL-terminated string attribute.
    pub(crate) fn str(&mut self, ty: u16, s: &str) -> &mut Attrs {
        let mut data = Vec::with_capacity(s.len() + 1);
        data.extend_from_slice(s.as_bytes());
        data.push(0);
        self.bytes(ty, &data)
    }

    /// A nested attribute whose content `f` writes.
    pub(crate) fn nest(&mut self, ty: u16, f: impl FnOnce(&mut Attrs)) -> &mut Attrs {
        let mut inner = Attrs::new();
        f(&mut inner);
        let len = 4 + inner.buf.len();
        self.buf.extend_from_slice(&attr_len(len).to_ne_bytes());
        self.buf
            .extend_from_slice(&(ty | NLA_F_NESTED).to_ne_bytes());
        self.buf.extend_from_slice(&inner.buf);
        self
    }

    fn pad(&mut self) {
        while self.buf.len() % 4 != 0 {
            self.buf.push(0);
        }
    }
}

/// Attribute lengths are u16; the names and sets vigil builds are far below that, and
/// `TableConfig` validation caps the table name, so this cannot saturate in practice.
fn attr_len(len: usize) -> u16 {
    u16::try_from(len).unwrap_or(u16::MAX)
}

/// One nf_tables request, before framing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Msg {
    /// Which request.
    pub kind: Kind,
    /// NFPROTO_* of the object.
    pub family: u8,
    /// NLM_F_* besides REQUEST and ACK, which framing adds.
    pub flags: u16,
    /// The encoded attributes.
    pub attrs: Vec<u8>,
    /// What the request is about, for error messages ("table ip keepalived").
    pub what: String,
}

/// A transaction: the kernel applies all of its messages or none.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Batch {
    /// The requests, in order.
    pub msgs: Vec<Msg>,
}

/// A framed batch: the bytes to send and, per request, its sequence number and label.
#[derive(Debug)]
pub(crate) struct Framed {
    /// The datagram.
    pub bytes: Vec<u8>,
    /// (sequence number, "NFT_MSG_NEWSET set ip keepalived vips") for every request.
    pub seqs: Vec<(u32, String)>,
}

impl Batch {
    /// Appends a request.
    pub(crate) fn push(&mut self, msg: Msg) {
        self.msgs.push(msg);
    }

    /// True when there is nothing to send.
    pub(crate) fn is_empty(&self) -> bool {
        self.msgs.is_empty()
    }

    /// Frames the batch: BATCH_BEGIN, each request with NLM_F_ACK (so success is
    /// confirmed, not inferred from silence), BATCH_END; sequence numbers from `seq` up.
    pub(crate) fn frame(&self, seq: u32) -> Framed {
        let mut bytes = Vec::new();
        let mut seqs = Vec::with_capacity(self.msgs.len());
        let mut next = seq;
        // The delimiters carry the subsystem in res_id, big-endian as nft 1.0 sends it.
        header(
            &mut bytes,
            NFNL_MSG_BATCH_BEGIN,
            NLM_F_REQUEST,
            next,
            0,
            NFNL_SUBSYS_NFTABLES,
            &[],
        );
        for m in &self.msgs {
            next = next.wrapping_add(1);
            let ty = (NFNL_SUBSYS_NFTABLES << 8) | m.kind as u16;
            header(
                &mut bytes,
                ty,
                NLM_F_REQUEST | NLM_F_ACK | m.flags,
                next,
                m.family,
                0,
                &m.attrs,
            );
            seqs.push((next, format!("{} {}", m.kind.name(), m.what)));
        }
        next = next.wrapping_add(1);
        header(
            &mut bytes,
            NFNL_MSG_BATCH_END,
            NLM_F_REQUEST,
            next,
            0,
            NFNL_SUBSYS_NFTABLES,
            &[],
        );
        Framed { bytes, seqs }
    }
}

/// Writes `struct nlmsghdr` + `struct nfgenmsg` + payload.
fn header(
    out: &mut Vec<u8>,
    ty: u16,
    flags: u16,
    seq: u32,
    family: u8,
    res_id: u16,
    payload: &[u8],
) {
    let len = NLMSG_HDRLEN + NFGENMSG_LEN + payload.len();
    out.extend_from_slice(&u32::try_from(len).unwrap_or(u32::MAX).to_ne_bytes());
    out.extend_from_slice(&ty.to_ne_bytes());
    out.extend_from_slice(&flags.to_ne_bytes());
    out.extend_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes()); // port id: the kernel fills it in
    out.push(family);
    out.push(NFNETLINK_V0);
    out.extend_from_slice(&res_id.to_be_bytes());
    out.extend_from_slice(payload);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le16(v: u16) -> [u8; 2] {
        v.to_ne_bytes()
    }

    #[test]
    fn string_attribute_is_nul_terminated_and_padded() {
        let mut a = Attrs::new();
        a.str(1, "keepalived");
        // nft --debug=mnl: |00015|--|00001| 6b 65 65 70 61 6c 69 76 65 64 00 00
        let mut want = Vec::new();
        want.extend_from_slice(&le16(15));
        want.extend_from_slice(&le16(1));
        want.extend_from_slice(b"keepalived\0\0");
        assert_eq!(a.into_bytes(), want);
    }

    #[test]
    fn nested_attribute_has_the_nested_flag() {
        let mut a = Attrs::new();
        a.nest(4, |n| {
            n.u32(1, 1).u32(2, -1i32 as u32);
        });
        // nft: |00020|N-|00004| |00008|--|00001| 00 00 00 01 |00008|--|00002| ff ff ff ff
        let mut want = Vec::new();
        want.extend_from_slice(&le16(20));
        want.extend_from_slice(&le16(0x8004));
        want.extend_from_slice(&le16(8));
        want.extend_from_slice(&le16(1));
        want.extend_from_slice(&[0, 0, 0, 1]);
        want.extend_from_slice(&le16(8));
        want.extend_from_slice(&le16(2));
        want.extend_from_slice(&[0xff; 4]);
        assert_eq!(a.into_bytes(), want);
    }

    #[test]
    fn batch_is_framed_by_begin_and_end() {
        let mut b = Batch::default();
        b.push(Msg {
            kind: Kind::NewTable,
            family: 2,
            flags: NLM_F_CREATE,
            attrs: Vec::new(),
            what: "table ip t".into(),
        });
        let f = b.frame(100);
        assert_eq!(f.bytes.len(), 20 * 3);
        // BATCH_BEGIN: len 20, type 16, flags REQUEST, seq 100, nfgenmsg 00 00 00 0a
        assert_eq!(&f.bytes[0..4], &20u32.to_ne_bytes());
        assert_eq!(&f.bytes[4..6], &le16(16));
        assert_eq!(&f.bytes[6..8], &le16(1));
        assert_eq!(&f.bytes[8..12], &100u32.to_ne_bytes());
        assert_eq!(&f.bytes[16..20], &[0, 0, 0, 10]);
        // NEWTABLE: type 0x0a00, flags REQUEST|ACK|CREATE, seq 101, family ip
        assert_eq!(&f.bytes[24..26], &le16(0x0a00));
        assert_eq!(&f.bytes[26..28], &le16(0x405));
        assert_eq!(&f.bytes[28..32], &101u32.to_ne_bytes());
        assert_eq!(&f.bytes[36..40], &[2, 0, 0, 0]);
        // BATCH_END
        assert_eq!(&f.bytes[44..46], &le16(17));
        assert_eq!(&f.bytes[48..52], &102u32.to_ne_bytes());
        assert_eq!(
            f.seqs,
            vec![(101, "NFT_MSG_NEWTABLE table ip t".to_string())]
        );
    }
}
