//! vigil-vrrpd: VRRP (RFC 5798 / RFC 9568 v3, RFC 3768 v2) as keepalived runs it.
#![forbid(unsafe_code)]

pub mod auth;
pub mod fsm;
pub mod packet;
pub mod sim;
pub mod time;
