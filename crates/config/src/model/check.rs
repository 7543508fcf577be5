//! (being written)
use serde::{Deserialize, Serialize};
/// (being written)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Checker {}
