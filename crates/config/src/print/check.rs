//! (being written)
use super::Printer;
use crate::model::Config;

/// Prints this module's part of the configuration.
pub fn print(_cfg: &Config, _p: &mut Printer) {}
