//! (being written) Printing addresses, routes and rules as block lines.
use super::Printer;
use crate::model::ipaddr::{IpAddress, Route, Rule};

/// One address line.
pub fn address(_a: &IpAddress, _p: &mut Printer) {}
/// One route line.
pub fn route(_r: &Route, _p: &mut Printer) {}
/// One rule line.
pub fn rule(_r: &Rule, _p: &mut Printer) {}
