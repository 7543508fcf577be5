//! (being written)
use crate::lower::ctx::Ctx;
use crate::model::Config;

/// Checks that span this area of the configuration.
pub fn check(_cfg: &Config, _ctx: &mut Ctx) {}
