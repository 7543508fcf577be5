//! A virtual server's quorum with hysteresis (keepalived.conf(5) `quorum`,
//! `hysteresis`; keepalived/check/ipwrapper.c `set_quorum_states`,
//! `update_quorum_state`). Pure logic over the sum of the live servers' weights.

/// The quorum state of one virtual server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quorum {
    quorum: u32,
    hysteresis: u32,
    up: bool,
}

impl Quorum {
    /// The state at start: up when the live weight reaches `quorum + hysteresis`
    /// (ipwrapper.c `set_quorum_states`; no notification for this).
    pub fn initial(quorum: u32, hysteresis: u32, weight_sum: u64) -> Self {
        Quorum {
            quorum,
            hysteresis,
            up: i128::from(weight_sum) >= i128::from(quorum) + i128::from(hysteresis),
        }
    }

    /// A state carried over a reload with possibly new settings.
    pub fn carried(quorum: u32, hysteresis: u32, up: bool) -> Self {
        Quorum {
            quorum,
            hysteresis,
            up,
        }
    }

    /// True while the quorum is met.
    pub fn is_up(&self) -> bool {
        self.up
    }

    /// The threshold the next transition is measured against: `quorum + hysteresis`
    /// to gain, `quorum - hysteresis` to lose.
    pub fn threshold(&self) -> i128 {
        let q = i128::from(self.quorum);
        let h = i128::from(self.hysteresis);
        if self.up {
            q - h
        } else {
            q + h
        }
    }

    /// Takes the new live weight; returns `Some(up)` when the quorum was gained or lost.
    /// A live weight of 0 always loses it (ipwrapper.c: `!weight_sum || weight_sum <
    /// threshold`).
    pub fn update(&mut self, weight_sum: u64) -> Option<bool> {
        let sum = i128::from(weight_sum);
        let threshold = self.threshold();
        if !self.up && sum >= threshold {
            self.up = true;
            Some(true)
        } else if self.up && (sum == 0 || sum < threshold) {
            self.up = false;
            Some(false)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipwrapper_set_quorum_states_initial_needs_quorum_plus_hysteresis() {
        assert!(Quorum::initial(3, 1, 4).is_up());
        assert!(!Quorum::initial(3, 1, 3).is_up());
    }

    #[test]
    fn keepalived_conf_quorum_default_1_lost_when_no_server_is_up() {
        let mut q = Quorum::initial(1, 0, 1);
        assert_eq!(q.update(0), Some(false));
        assert_eq!(q.update(1), Some(true));
    }

    #[test]
    fn ipwrapper_update_quorum_state_hysteresis_lose_below_quorum_minus_h() {
        let mut q = Quorum::initial(5, 2, 10);
        assert_eq!(q.update(3), None, "3 = 5-2 keeps the quorum");
        assert_eq!(q.update(2), Some(false));
    }

    #[test]
    fn ipwrapper_update_quorum_state_hysteresis_gain_at_quorum_plus_h() {
        let mut q = Quorum::initial(5, 2, 0);
        assert_eq!(q.update(6), None);
        assert_eq!(q.update(7), Some(true));
    }

    #[test]
    fn ipwrapper_update_quorum_state_zero_weight_loses_even_with_large_hysteresis() {
        // quorum - hysteresis <= 0: only a live weight of 0 loses the quorum.
        let mut q = Quorum::initial(1, 5, 6);
        assert_eq!(q.update(1), None);
        assert_eq!(q.update(0), Some(false));
    }

    #[test]
    fn no_repeated_transitions() {
        let mut q = Quorum::initial(1, 0, 0);
        assert_eq!(q.update(0), None);
        assert_eq!(q.update(2), Some(true));
        assert_eq!(q.update(3), None);
    }
}
