//! (being written) One line of an address, route or rule block.
use crate::lower::ctx::Ctx;
use crate::model::ipaddr::{IpAddress, Route, Rule};
use crate::tree::Node;

/// One line of `static_ipaddress` / `virtual_ipaddress` / `virtual_ipaddress_excluded`.
pub fn address(_node: &Node, _ctx: &mut Ctx) -> Option<IpAddress> {
    None
}
/// One line of `static_routes` / `virtual_routes`.
pub fn route(_node: &Node, _ctx: &mut Ctx) -> Option<Route> {
    None
}
/// One line of `static_rules` / `virtual_rules`.
pub fn rule(_node: &Node, _ctx: &mut Ctx) -> Option<Rule> {
    None
}
