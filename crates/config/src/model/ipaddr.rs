//! (being written) Addresses, routes and rules as in static_* and virtual_* blocks.
use serde::{Deserialize, Serialize};
/// (being written)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpAddress {}
/// (being written)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {}
/// (being written)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {}
