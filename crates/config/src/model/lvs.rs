//! (being written)
use serde::{Deserialize, Serialize};
/// (being written)
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Lvs {}
