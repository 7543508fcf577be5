//! (being written)
use super::Printer;
use crate::model::check::Checker;
use crate::model::Config;

/// Prints the part of the configuration outside virtual servers that belongs to
/// checkers (`bfd_instance` blocks).
pub fn print(_cfg: &Config, _p: &mut Printer) {}

/// Prints one checker block.
pub fn checker(_c: &Checker, _p: &mut Printer) {}
