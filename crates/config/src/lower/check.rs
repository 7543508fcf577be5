//! (being written) Checker blocks inside `real_server`.
use crate::lower::ctx::Ctx;
use crate::model::check::Checker;
use crate::tree::Node;

/// Checker block keywords.
pub const CHECKER_KEYWORDS: &[&str] = &[
    "TCP_CHECK", "HTTP_GET", "SSL_GET", "SMTP_CHECK", "MISC_CHECK", "DNS_CHECK",
    "UDP_CHECK", "PING_CHECK", "FILE_CHECK", "BFD_CHECK",
];

/// Lowers a checker block (`node.keyword()` is one of [`CHECKER_KEYWORDS`]).
pub fn checker(_node: &Node, _ctx: &mut Ctx) -> Option<Checker> {
    None
}
