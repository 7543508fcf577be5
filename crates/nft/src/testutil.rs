//! Test helpers shared by the encoders' unit tests.

/// Parses the `|len|flags|type|` / `| xx xx xx xx |` lines `nft --debug=mnl` prints
/// into bytes (lengths and types are host-endian u16s, data as shown).
pub(crate) fn from_mnl(dump: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for line in dump.lines() {
        let line = line.trim();
        let Some(inner) = line.strip_prefix('|').and_then(|l| l.strip_suffix('|')) else {
            continue;
        };
        let parts: Vec<&str> = inner.split('|').collect();
        if parts.len() == 3 {
            let len: u16 = parts[0].trim().parse().expect("len");
            let mut ty: u16 = parts[2].trim().parse().expect("type");
            if parts[1].starts_with('N') {
                ty |= 0x8000;
            }
            out.extend_from_slice(&len.to_ne_bytes());
            out.extend_from_slice(&ty.to_ne_bytes());
        } else {
            for b in inner.split_whitespace() {
                out.push(u8::from_str_radix(b, 16).expect("hex"));
            }
        }
    }
    out
}
