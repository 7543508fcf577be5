//! Translations between the state machine's vocabulary and the IPC messages' (states,
//! notify events, counters). Pure.

use vigil_ipc::msg::vrrp::{InstanceCounters, NotifyEvent, VrrpState};

use crate::fsm::{NotifyState, State};
use crate::packet::Reason;

/// The IPC state of a state-machine state.
pub fn state(s: State) -> VrrpState {
    match s {
        State::Init => VrrpState::Init,
        State::Backup => VrrpState::Backup,
        State::Master => VrrpState::Master,
        State::Fault => VrrpState::Fault,
    }
}

/// The notify event of a state machine's Notify action.
pub fn notify(s: NotifyState) -> NotifyEvent {
    match s {
        NotifyState::Master => NotifyEvent::Master,
        NotifyState::Backup => NotifyEvent::Backup,
        NotifyState::Fault => NotifyEvent::Fault,
        NotifyState::Stop => NotifyEvent::Stop,
    }
}

/// Counts a rejected packet in keepalived's statistics (vrrp_print_stats); reasons
/// keepalived has no counter for are only in the daemon's per-reason counters.
pub fn count_reject(c: &mut InstanceCounters, reason: Reason) {
    let field = match reason {
        Reason::TooShort | Reason::Truncated | Reason::LengthMismatch => {
            &mut c.packet_length_errors
        }
        Reason::IntervalMismatch => &mut c.advert_interval_errors,
        Reason::TtlNot255 => &mut c.ttl_errors,
        Reason::BadType => &mut c.invalid_type_received,
        Reason::AddressCountMismatch | Reason::AddressListMismatch => &mut c.address_list_errors,
        Reason::InvalidAuthType => &mut c.invalid_auth_type,
        Reason::AuthTypeMismatch => &mut c.auth_type_mismatch,
        Reason::AuthDataMismatch | Reason::AhSpiMismatch | Reason::AhReplay => &mut c.auth_failures,
        Reason::BadChecksum => &mut c.checksum_errors,
        Reason::BadVersion => &mut c.version_errors,
        Reason::BadIpHeader
        | Reason::BadAhHeader
        | Reason::UnknownVrid
        | Reason::UnexpectedDestination
        | Reason::NotUnicastPeer => return,
    };
    *field = field.saturating_add(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_mismatch_is_an_auth_failure() {
        let mut c = InstanceCounters::default();
        count_reject(&mut c, Reason::AuthDataMismatch);
        count_reject(&mut c, Reason::TtlNot255);
        count_reject(&mut c, Reason::UnknownVrid);
        assert_eq!(c.auth_failures, 1);
        assert_eq!(c.ttl_errors, 1);
    }
}
