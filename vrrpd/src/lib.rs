//! vigil-vrrpd: the VRRP engine.
#![forbid(unsafe_code)]

pub mod auth;
pub mod packet;
