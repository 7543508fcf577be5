//! One test per rule: RFC 5798 §6.4 (v3, with RFC 9568), RFC 3768 §6.4 (v2) where it
//! differs, and keepalived's additions. Names say the section and the rule.

#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE)

use super::*;
use std::net::IpAddr;

const SEC: u64 = 1_000_000;

fn ip(last: u8) -> IpAddr {
    IpAddr::from([192, 0, 2, last])
}

fn cfg(priority: u8) -> Config {
    Config {
        priority,
        primary_addr: ip(10),
        ..Config::default()
    }
}

fn v2(priority: u8) -> Config {
    Config {
        version: Version::V2,
        ..cfg(priority)
    }
}

fn adv(src: u8, priority: u8, interval_cs: u16) -> Event {
    Event::Advert(Advert {
        src: ip(src),
        priority,
        interval_cs,
    })
}

/// A started instance at time 0, with the startup actions thrown away.
fn started(cfg: Config) -> Instance {
    let mut i = Instance::new(cfg);
    i.handle(Time(0), Event::Startup);
    i
}

/// A started instance that became MASTER through its Master_Down_Timer.
fn master(cfg: Config) -> (Instance, Time) {
    let mut i = started(cfg);
    let at = i.timer(Timer::MasterDown).unwrap();
    i.handle(at, Event::TimerFired(Timer::MasterDown));
    assert_eq!(i.state(), State::Master);
    (i, at)
}

fn arm(timer: Timer, at: u64) -> Action {
    Action::ArmTimer {
        timer,
        at: Time(at),
    }
}

fn cancel(timer: Timer) -> Action {
    Action::CancelTimer { timer }
}

fn transitions(actions: &[Action]) -> Vec<(State, State)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Transition { from, to, .. } => Some((*from, *to)),
            _ => None,
        })
        .collect()
}

fn adverts(actions: &[Action]) -> Vec<u8> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::SendAdvert { priority } => Some(*priority),
            _ => None,
        })
        .collect()
}

// ===== §6.1 parameters =====

#[test]
fn rfc5798_6_1_skew_time_is_256_minus_priority_times_master_adver_interval_over_256() {
    assert_eq!(
        skew_time(Version::V3, 100, Span::from_secs(1)),
        Span(609_375)
    );
    assert_eq!(skew_time(Version::V3, 254, Span::from_secs(1)), Span(7_812));
    assert_eq!(
        skew_time(Version::V3, 100, Span::from_centis(10)),
        Span(60_937)
    );
}

#[test]
fn rfc5798_6_1_master_down_interval_is_three_intervals_plus_skew() {
    // The numbers keepalived is measured against in issue 4: 3609, 362 and 109 ms.
    let mdi = |cs| master_down_interval(Version::V3, 3, 100, Span::from_centis(cs));
    assert_eq!(mdi(100), Span(3_609_375));
    assert_eq!(mdi(10), Span(360_937));
    assert_eq!(mdi(3), Span(108_281));
}

#[test]
fn rfc3768_6_1_v2_skew_time_is_in_seconds_whatever_the_interval() {
    assert_eq!(
        skew_time(Version::V2, 100, Span::from_secs(5)),
        Span(609_375)
    );
    assert_eq!(
        master_down_interval(Version::V2, 3, 100, Span::from_secs(2)),
        Span(6_609_375)
    );
}

#[test]
fn keepalived_down_timer_adverts_replaces_the_three() {
    assert_eq!(
        master_down_interval(Version::V3, 5, 100, Span::from_secs(1)),
        Span(5_609_375)
    );
    let i = started(Config {
        down_timer_adverts: 5,
        ..cfg(100)
    });
    assert_eq!(i.timer(Timer::MasterDown), Some(Time(5_609_375)));
}

#[test]
fn rfc5798_v3_advert_int_down_to_ten_milliseconds() {
    let i = started(Config {
        advert_int: Span::from_millis(10),
        ..cfg(100)
    });
    assert_eq!(i.master_adver_int(), Span::from_millis(10));
    assert_eq!(i.timer(Timer::MasterDown), Some(Time(30_000 + 6_093)));
    // Below one centisecond the v3 field cannot say it: keepalived's minimum is 10 ms.
    let n = Config {
        advert_int: Span::from_millis(3),
        ..cfg(100)
    }
    .normalised();
    assert_eq!(n.advert_int, Span::from_millis(10));
}

#[test]
fn rfc3768_5_3_7_v2_advert_int_is_whole_seconds() {
    let n = Config {
        advert_int: Span::from_millis(1500),
        ..v2(100)
    }
    .normalised();
    assert_eq!(n.advert_int, Span::from_secs(2));
}

// ===== §6.4.1 Initialize =====

#[test]
fn rfc5798_6_4_1_startup_owner_sends_advert_and_garp_and_becomes_master() {
    let mut i = Instance::new(cfg(255));
    let a = i.handle(Time(7), Event::Startup);
    assert_eq!(i.state(), State::Master);
    assert_eq!(transitions(&a), vec![(State::Init, State::Master)]);
    assert_eq!(adverts(&a), vec![255]);
    assert!(a.contains(&Action::AddVips));
    assert!(a.contains(&Action::SendGarp { count: 5 }));
    assert!(a.contains(&arm(Timer::Adver, 7 + SEC)));
    assert!(a.contains(&Action::Notify {
        state: NotifyState::Master
    }));
    // The advert goes out before the GARPs (keepalived: the old master must drop the
    // VIPs first).
    let adv_pos = a
        .iter()
        .position(|x| matches!(x, Action::SendAdvert { .. }));
    let garp_pos = a.iter().position(|x| matches!(x, Action::SendGarp { .. }));
    assert!(adv_pos < garp_pos);
}

#[test]
fn rfc5798_6_4_1_startup_non_owner_arms_master_down_timer_and_becomes_backup() {
    let mut i = Instance::new(cfg(100));
    let a = i.handle(Time(7), Event::Startup);
    assert_eq!(i.state(), State::Backup);
    assert_eq!(transitions(&a), vec![(State::Init, State::Backup)]);
    assert!(adverts(&a).is_empty());
    assert!(!a.contains(&Action::AddVips));
    assert_eq!(i.master_adver_int(), Span::from_secs(1));
    assert!(a.contains(&arm(Timer::MasterDown, 7 + 3_609_375)));
}

#[test]
fn rfc5798_6_4_1_adverts_and_timers_are_ignored_before_startup() {
    let mut i = Instance::new(cfg(100));
    assert!(i.handle(Time(0), adv(20, 200, 100)).is_empty());
    assert!(i
        .handle(Time(0), Event::TimerFired(Timer::MasterDown))
        .is_empty());
    assert_eq!(i.state(), State::Init);
}

#[test]
fn keepalived_state_master_non_owner_takes_over_after_one_interval_and_minimum_skew() {
    let i = started(Config {
        initial_state: InitialState::Master,
        ..cfg(100)
    });
    assert_eq!(i.state(), State::Backup);
    assert_eq!(i.timer(Timer::MasterDown), Some(Time(SEC + 3_906)));
    let i = started(Config {
        initial_state: InitialState::Master,
        ..v2(100)
    });
    assert_eq!(i.timer(Timer::MasterDown), Some(Time(SEC + 3_906)));
}

#[test]
fn keepalived_startup_with_interface_down_enters_fault() {
    let mut i = Instance::new(cfg(255));
    assert!(i.handle(Time(0), Event::InterfaceDown).is_empty());
    let a = i.handle(Time(0), Event::Startup);
    assert_eq!(i.state(), State::Fault);
    assert!(adverts(&a).is_empty());
    assert!(a.contains(&Action::Notify {
        state: NotifyState::Fault
    }));
    assert_eq!(i.next_timer(), None);
}

// ===== §6.4.2 Backup =====

#[test]
fn rfc5798_6_4_2_shutdown_cancels_master_down_timer_and_goes_to_initialize() {
    let mut i = started(cfg(100));
    let a = i.handle(Time(5), Event::Shutdown);
    assert_eq!(i.state(), State::Init);
    assert!(a.contains(&cancel(Timer::MasterDown)));
    assert!(
        adverts(&a).is_empty(),
        "a backup sends nothing when stopping"
    );
    assert!(a.contains(&Action::Notify {
        state: NotifyState::Stop
    }));
    assert_eq!(i.next_timer(), None);
}

#[test]
fn rfc5798_6_4_2_master_down_timer_fires_sends_advert_and_garp_and_becomes_master() {
    let mut i = started(cfg(100));
    let at = i.timer(Timer::MasterDown).unwrap();
    let a = i.handle(at, Event::TimerFired(Timer::MasterDown));
    assert_eq!(i.state(), State::Master);
    assert_eq!(adverts(&a), vec![100]);
    assert!(a.contains(&Action::AddVips));
    assert!(a.contains(&Action::SendGarp { count: 5 }));
    assert!(a.contains(&arm(Timer::Adver, at.0 + SEC)));
    assert!(matches!(
        a[0],
        Action::Transition {
            cause: Cause::MasterDown,
            ..
        }
    ));
}

#[test]
fn rfc5798_6_4_2_priority_zero_sets_master_down_timer_to_skew_time() {
    let mut i = started(cfg(100));
    let a = i.handle(Time(SEC), adv(20, 0, 100));
    assert!(a.contains(&arm(Timer::MasterDown, SEC + 609_375)));
    assert_eq!(i.state(), State::Backup);
}

#[test]
fn rfc9568_6_4_2_priority_zero_skew_time_uses_the_learnt_master_adver_interval() {
    let mut i = started(cfg(100));
    i.handle(Time(SEC), adv(20, 200, 10));
    let a = i.handle(Time(2 * SEC), adv(20, 0, 10));
    assert!(a.contains(&arm(Timer::MasterDown, 2 * SEC + 60_937)));
}

#[test]
fn rfc3768_6_4_2_v2_priority_zero_sets_master_down_timer_to_skew_time() {
    let mut i = started(v2(200));
    let a = i.handle(Time(SEC), adv(20, 0, 100));
    assert!(a.contains(&arm(Timer::MasterDown, SEC + 218_750)));
}

#[test]
fn rfc5798_6_4_2_higher_priority_advert_resets_master_down_timer() {
    let mut i = started(cfg(100));
    let a = i.handle(Time(SEC), adv(20, 150, 100));
    assert_eq!(a, vec![arm(Timer::MasterDown, SEC + 3_609_375)]);
    assert_eq!(i.master(), Some((ip(20), 150)));
}

#[test]
fn rfc5798_6_4_2_equal_priority_advert_resets_master_down_timer_whatever_the_address() {
    // ">= local Priority": a backup never preempts an equal-priority master, even from
    // a higher address (the address only breaks ties between two masters).
    let mut i = started(cfg(100));
    let a = i.handle(Time(SEC), adv(5, 100, 100));
    assert_eq!(a, vec![arm(Timer::MasterDown, SEC + 3_609_375)]);
}

#[test]
fn rfc5798_6_4_2_lower_priority_advert_is_discarded_when_preempting() {
    let mut i = started(cfg(100));
    let before = i.timer(Timer::MasterDown);
    let a = i.handle(Time(SEC), adv(20, 50, 100));
    assert!(!a.iter().any(|x| matches!(x, Action::ArmTimer { .. })));
    assert_eq!(i.timer(Timer::MasterDown), before);
    // ... so the Master_Down_Timer runs out and this backup preempts.
    let a = i.handle(before.unwrap(), Event::TimerFired(Timer::MasterDown));
    assert_eq!(transitions(&a), vec![(State::Backup, State::Master)]);
}

#[test]
fn rfc5798_6_4_2_nopreempt_accepts_lower_priority_advert() {
    let mut i = started(Config {
        nopreempt: true,
        ..cfg(100)
    });
    let a = i.handle(Time(SEC), adv(20, 50, 100));
    assert_eq!(a, vec![arm(Timer::MasterDown, SEC + 3_609_375)]);
}

#[test]
fn rfc5798_6_4_2_v3_backup_learns_master_adver_interval() {
    let mut i = started(cfg(100));
    let a = i.handle(Time(SEC), adv(20, 200, 50));
    assert_eq!(i.master_adver_int(), Span::from_centis(50));
    // 3 * 0.5 s + (156 * 0.5 s) / 256
    assert!(a.contains(&arm(Timer::MasterDown, SEC + 1_500_000 + 304_687)));
    assert!(a.contains(&Action::Log(Note::AdverIntervalLearnt { centis: 50 })));
}

#[test]
fn rfc5798_6_4_2_v3_lower_priority_discarded_advert_teaches_no_interval() {
    let mut i = started(cfg(100));
    i.handle(Time(SEC), adv(20, 50, 50));
    assert_eq!(i.master_adver_int(), Span::from_secs(1));
}

#[test]
fn rfc3768_6_4_2_v2_backup_does_not_learn_the_interval() {
    let mut i = started(v2(100));
    let a = i.handle(Time(SEC), adv(20, 200, 300));
    assert_eq!(i.master_adver_int(), Span::from_secs(1));
    assert_eq!(a, vec![arm(Timer::MasterDown, SEC + 3_609_375)]);
}

// ===== §6.4.3 Master =====

#[test]
fn rfc5798_6_4_3_adver_timer_fires_sends_advert_and_rearms() {
    let (mut i, t) = master(cfg(100));
    let at = i.timer(Timer::Adver).unwrap();
    assert_eq!(at, t + Span::from_secs(1));
    let a = i.handle(at, Event::TimerFired(Timer::Adver));
    assert_eq!(
        a,
        vec![
            Action::SendAdvert { priority: 100 },
            arm(Timer::Adver, at.0 + SEC)
        ]
    );
}

#[test]
fn rfc5798_6_4_3_shutdown_cancels_adver_timer_sends_priority_zero_and_goes_to_initialize() {
    let (mut i, t) = master(cfg(100));
    let a = i.handle(t + Span(5), Event::Shutdown);
    assert_eq!(i.state(), State::Init);
    assert!(a.contains(&cancel(Timer::Adver)));
    assert_eq!(adverts(&a), vec![0]);
    assert!(a.contains(&Action::RemoveVips));
    assert_eq!(i.next_timer(), None);
    // Stopping twice does nothing more.
    assert!(i.handle(t + Span(6), Event::Shutdown).is_empty());
}

#[test]
fn rfc5798_6_4_3_priority_zero_advert_sends_advert_and_resets_adver_timer() {
    let (mut i, t) = master(cfg(100));
    let now = t + Span(300_000);
    let a = i.handle(now, adv(20, 0, 100));
    assert_eq!(i.state(), State::Master);
    assert_eq!(adverts(&a), vec![100]);
    assert!(a.contains(&arm(Timer::Adver, now.0 + SEC)));
}

#[test]
fn rfc5798_6_4_3_higher_priority_advert_cancels_adver_timer_and_becomes_backup() {
    let (mut i, t) = master(cfg(100));
    let now = t + Span(300_000);
    let a = i.handle(now, adv(20, 150, 10));
    assert_eq!(i.state(), State::Backup);
    assert!(a.contains(&cancel(Timer::Adver)));
    assert!(a.contains(&Action::RemoveVips));
    assert!(adverts(&a).is_empty());
    // Master_Adver_Interval learnt (v3), Skew_Time and Master_Down_Interval recomputed.
    assert_eq!(i.master_adver_int(), Span::from_centis(10));
    assert!(a.contains(&arm(Timer::MasterDown, now.0 + 360_937)));
    assert!(a.contains(&Action::Transition {
        from: State::Master,
        to: State::Backup,
        cause: Cause::PreemptedBy(ip(20))
    }));
}

#[test]
fn rfc3768_6_4_3_v2_higher_priority_advert_keeps_local_interval() {
    let (mut i, t) = master(v2(100));
    let a = i.handle(t, adv(20, 150, 100));
    assert_eq!(i.state(), State::Backup);
    assert!(a.contains(&arm(Timer::MasterDown, t.0 + 3_609_375)));
}

#[test]
fn rfc5798_6_4_3_equal_priority_from_higher_address_becomes_backup() {
    let (mut i, t) = master(cfg(100));
    let a = i.handle(t, adv(11, 100, 100));
    assert_eq!(transitions(&a), vec![(State::Master, State::Backup)]);
}

#[test]
fn rfc5798_6_4_3_equal_priority_from_lower_address_stays_master() {
    let (mut i, t) = master(cfg(100));
    let a = i.handle(t, adv(9, 100, 100));
    assert!(transitions(&a).is_empty());
    assert_eq!(i.state(), State::Master);
}

#[test]
fn rfc5798_6_4_3_address_comparison_is_unsigned_in_network_byte_order() {
    // 192.0.2.10 vs 10.0.0.200 and 192.0.3.1: octet order, not the last octet.
    let (mut i, t) = master(cfg(100));
    let lower = Advert {
        src: IpAddr::from([10, 0, 0, 200]),
        priority: 100,
        interval_cs: 100,
    };
    assert!(transitions(&i.handle(t, Event::Advert(lower))).is_empty());
    let higher = Advert {
        src: IpAddr::from([192, 0, 3, 1]),
        ..lower
    };
    assert_eq!(
        transitions(&i.handle(t, Event::Advert(higher))),
        vec![(State::Master, State::Backup)]
    );
    let (mut i, t) = master(Config {
        primary_addr: "2001:db8::10".parse().unwrap(),
        ..cfg(100)
    });
    let v6 = Advert {
        src: "2001:db8::9".parse().unwrap(),
        priority: 100,
        interval_cs: 100,
    };
    assert!(transitions(&i.handle(t, Event::Advert(v6))).is_empty());
    let v6 = Advert {
        src: "2001:db8::1:0".parse().unwrap(),
        ..v6
    };
    assert_eq!(
        transitions(&i.handle(t, Event::Advert(v6))),
        vec![(State::Master, State::Backup)]
    );
}

#[test]
fn rfc5798_6_4_3_lower_priority_advert_keeps_master() {
    let (mut i, t) = master(Config {
        lower_prio_no_advert: true,
        ..cfg(100)
    });
    let a = i.handle(t, adv(20, 50, 100));
    assert_eq!(i.state(), State::Master);
    assert!(transitions(&a).is_empty());
    assert!(adverts(&a).is_empty(), "lower_prio_no_advert: discard only");
}

#[test]
fn keepalived_master_answers_lower_priority_advert_at_once() {
    let (mut i, t) = master(cfg(100));
    let now = t + Span(400_000);
    let a = i.handle(now, adv(20, 50, 100));
    assert_eq!(adverts(&a), vec![100]);
    assert!(a.contains(&arm(Timer::Adver, now.0 + SEC)));
    assert!(a.contains(&Action::NotifyMasterRxLowerPri));
    assert!(a.contains(&Action::Log(Note::MasterReceivedLowerPriority {
        src: ip(20),
        priority: 50
    })));
}

#[test]
fn keepalived_higher_prio_send_advert_answers_before_stepping_down() {
    let (mut i, t) = master(Config {
        higher_prio_send_advert: true,
        ..cfg(100)
    });
    let a = i.handle(t, adv(20, 150, 100));
    assert_eq!(adverts(&a), vec![100]);
    assert_eq!(i.state(), State::Backup);
    let send = a
        .iter()
        .position(|x| matches!(x, Action::SendAdvert { .. }));
    let step = a
        .iter()
        .position(|x| matches!(x, Action::Transition { .. }));
    assert!(send < step);
    // ... and not by default.
    let (mut i, t) = master(cfg(100));
    assert!(adverts(&i.handle(t, adv(20, 150, 100))).is_empty());
}

#[test]
fn keepalived_garp_lower_prio_repeat_and_delay() {
    let (mut i, t) = master(Config {
        garp_lower_prio_repeat: 2,
        garp_lower_prio_delay: Span::from_secs(3),
        ..cfg(100)
    });
    let a = i.handle(t, adv(20, 50, 100));
    assert!(a.contains(&Action::SendGarp { count: 2 }));
    assert!(a.contains(&arm(Timer::GarpLowerPrio, t.0 + 3 * SEC)));
    let a = i.handle(
        t + Span::from_secs(3),
        Event::TimerFired(Timer::GarpLowerPrio),
    );
    assert_eq!(a, vec![Action::SendGarp { count: 2 }]);
}

#[test]
fn keepalived_equal_priority_advert_with_our_own_address_changes_nothing() {
    let (mut i, t) = master(cfg(100));
    let a = i.handle(t, adv(10, 100, 100));
    assert_eq!(a, vec![Action::Log(Note::OwnAddressAdvert)]);
}

#[test]
fn keepalived_two_address_owners_lower_one_to_254_and_step_down() {
    let mut i = started(cfg(255));
    let a = i.handle(Time(SEC), adv(9, 255, 100));
    assert!(a.contains(&Action::Log(Note::OwnerConflict)));
    assert_eq!(i.priority(), 254);
    assert_eq!(i.state(), State::Backup);
}

// ===== GARP timers and the issue 4 lesson =====

#[test]
fn keepalived_garp_master_delay_sends_second_burst() {
    let (mut i, t) = master(cfg(100));
    let at = t + Span::from_secs(5);
    assert_eq!(i.timer(Timer::GarpMasterDelay), Some(at));
    let a = i.handle(at, Event::TimerFired(Timer::GarpMasterDelay));
    assert_eq!(a, vec![Action::SendGarp { count: 5 }]);
    assert_eq!(i.timer(Timer::GarpMasterDelay), None);
}

#[test]
fn keepalived_garp_master_refresh_repeats_while_master() {
    let (mut i, t) = master(Config {
        garp_master_refresh: Span::from_secs(5),
        garp_master_refresh_repeat: 2,
        garp_master_delay: Span::ZERO,
        ..cfg(100)
    });
    assert_eq!(i.timer(Timer::GarpMasterDelay), None);
    let at = t + Span::from_secs(5);
    let a = i.handle(at, Event::TimerFired(Timer::GarpRefresh));
    assert_eq!(
        a,
        vec![
            Action::SendGarp { count: 2 },
            arm(Timer::GarpRefresh, at.0 + 5 * SEC)
        ]
    );
}

fn all_master_timers_armed() -> (Instance, Time) {
    let (mut i, t) = master(Config {
        garp_master_refresh: Span::from_secs(5),
        garp_lower_prio_repeat: 1,
        garp_lower_prio_delay: Span::from_secs(2),
        ..cfg(100)
    });
    i.handle(t, adv(20, 50, 100));
    for timer in Timer::ALL.into_iter().filter(|t| t.is_master_only()) {
        assert!(i.timer(timer).is_some(), "{timer:?} armed");
    }
    (i, t)
}

fn assert_master_timers_cancelled(i: &Instance, a: &[Action]) {
    for timer in Timer::ALL.into_iter().filter(|t| t.is_master_only()) {
        assert!(a.contains(&cancel(timer)), "{timer:?} cancelled");
        assert_eq!(i.timer(timer), None);
    }
}

#[test]
fn issue4_every_master_only_timer_is_cancelled_when_preempted() {
    let (mut i, t) = all_master_timers_armed();
    let a = i.handle(t, adv(20, 200, 100));
    assert_master_timers_cancelled(&i, &a);
    // A late expiry from the shell is ignored: no GARP from a backup.
    for timer in Timer::ALL.into_iter().filter(|t| t.is_master_only()) {
        assert!(i
            .handle(t + Span::from_secs(60), Event::TimerFired(timer))
            .is_empty());
    }
}

#[test]
fn issue4_every_master_only_timer_is_cancelled_on_fault() {
    let (mut i, t) = all_master_timers_armed();
    let a = i.handle(t, Event::InterfaceDown);
    assert_master_timers_cancelled(&i, &a);
}

#[test]
fn issue4_every_master_only_timer_is_cancelled_on_shutdown() {
    let (mut i, t) = all_master_timers_armed();
    let a = i.handle(t, Event::Shutdown);
    assert_master_timers_cancelled(&i, &a);
}

#[test]
fn stale_or_early_timer_expiry_is_ignored() {
    let mut i = started(cfg(100));
    let at = i.timer(Timer::MasterDown).unwrap();
    assert!(i
        .handle(at - Span(1), Event::TimerFired(Timer::MasterDown))
        .is_empty());
    assert!(i.handle(at, Event::TimerFired(Timer::Adver)).is_empty());
    i.handle(Time(SEC), adv(20, 200, 100));
    // The deadline moved: the old one is no longer due.
    assert!(i
        .handle(at, Event::TimerFired(Timer::MasterDown))
        .is_empty());
    assert_eq!(i.state(), State::Backup);
}

// ===== keepalived preempt_delay =====

fn delayed(delay_s: u64) -> Instance {
    started(Config {
        preempt_delay: Span::from_secs(delay_s),
        ..cfg(100)
    })
}

#[test]
fn keepalived_preempt_delay_runs_from_startup_and_tolerates_a_lower_master() {
    let mut i = delayed(10);
    assert_eq!(i.timer(Timer::PreemptDelay), Some(Time(10 * SEC)));
    for s in 1..10 {
        let a = i.handle(Time(s * SEC), adv(20, 50, 100));
        assert!(
            a.contains(&arm(Timer::MasterDown, s * SEC + 3_609_375)),
            "{s}"
        );
    }
    i.handle(Time(10 * SEC), Event::TimerFired(Timer::PreemptDelay));
    // Delay over: lower adverts are discarded again, and the backup takes over one
    // Master_Down_Interval after the last one it accepted.
    let a = i.handle(Time(11 * SEC), adv(20, 50, 100));
    assert!(a.contains(&Action::Log(Note::LowerPriorityDiscarded {
        src: ip(20),
        priority: 50
    })));
    assert_eq!(i.timer(Timer::MasterDown), Some(Time(9 * SEC + 3_609_375)));
    let a = i.handle(
        Time(9 * SEC + 3_609_375),
        Event::TimerFired(Timer::MasterDown),
    );
    assert_eq!(transitions(&a), vec![(State::Backup, State::Master)]);
}

#[test]
fn keepalived_preempt_delay_stops_on_a_higher_master_and_restarts_on_a_lower_one() {
    let mut i = delayed(10);
    let a = i.handle(Time(SEC), adv(20, 200, 100));
    assert!(a.contains(&cancel(Timer::PreemptDelay)));
    assert!(a.contains(&Action::Log(Note::PreemptDelayStopped)));
    // The master's priority drops: the delay starts at the first lower advert.
    let a = i.handle(Time(20 * SEC), adv(20, 50, 100));
    assert!(a.contains(&arm(Timer::PreemptDelay, 30 * SEC)));
    assert!(a.contains(&Action::Log(Note::PreemptDelayStarted)));
    assert!(a.contains(&arm(Timer::MasterDown, 20 * SEC + 3_609_375)));
}

#[test]
fn keepalived_preempt_delay_is_ignored_with_nopreempt_and_state_master() {
    let n = Config {
        nopreempt: true,
        preempt_delay: Span::from_secs(5),
        ..cfg(100)
    }
    .normalised();
    assert!(n.preempt_delay.is_zero());
    let n = Config {
        initial_state: InitialState::Master,
        nopreempt: true,
        preempt_delay: Span::from_secs(5),
        ..cfg(100)
    }
    .normalised();
    assert!(n.preempt_delay.is_zero() && !n.nopreempt);
    assert!(
        !Config {
            nopreempt: true,
            ..cfg(255)
        }
        .normalised()
        .nopreempt
    );
}

// ===== keepalived FAULT =====

#[test]
fn keepalived_interface_down_on_master_sends_priority_zero_removes_vips_enters_fault() {
    let (mut i, t) = master(cfg(100));
    let a = i.handle(t, Event::InterfaceDown);
    assert_eq!(i.state(), State::Fault);
    assert_eq!(adverts(&a), vec![0]);
    assert!(a.contains(&Action::RemoveVips));
    assert!(a.contains(&Action::Notify {
        state: NotifyState::Fault
    }));
    assert_eq!(i.next_timer(), None);
}

#[test]
fn keepalived_fault_ignores_adverts_and_needs_every_fault_cleared() {
    let mut i = started(cfg(100));
    i.handle(Time(1), Event::FaultEntered("chk_a".into()));
    i.handle(Time(2), Event::InterfaceDown);
    assert_eq!(i.state(), State::Fault);
    assert_eq!(i.timer(Timer::MasterDown), None);
    assert!(i.handle(Time(3), adv(20, 200, 100)).is_empty());
    assert!(i.handle(Time(4), Event::InterfaceUp).is_empty());
    assert_eq!(i.state(), State::Fault);
    let a = i.handle(Time(5), Event::FaultCleared("chk_a".into()));
    assert_eq!(transitions(&a), vec![(State::Fault, State::Backup)]);
    assert!(a.contains(&arm(Timer::MasterDown, 5 + 3_609_375)));
}

#[test]
fn keepalived_owner_leaves_fault_as_master() {
    let mut i = started(cfg(255));
    i.handle(Time(1), Event::InterfaceDown);
    let a = i.handle(Time(2), Event::InterfaceUp);
    assert_eq!(transitions(&a), vec![(State::Fault, State::Master)]);
    assert_eq!(adverts(&a), vec![255]);
}

// ===== priority tracking =====

#[test]
fn keepalived_track_weight_moves_effective_priority_within_1_and_254() {
    let mut i = started(cfg(100));
    i.handle(Time(0), Event::TrackWeight(-150));
    assert_eq!(i.priority(), 1);
    i.handle(Time(0), Event::TrackWeight(200));
    assert_eq!(i.priority(), 254);
    let a = i.handle(Time(0), Event::TrackWeight(10));
    assert_eq!(
        a,
        vec![Action::Log(Note::PriorityChanged { from: 254, to: 110 })]
    );
    let mut owner = started(cfg(255));
    owner.handle(Time(0), Event::TrackWeight(-50));
    assert_eq!(owner.priority(), 255);
}

#[test]
fn keepalived_raised_priority_preempts_through_the_discarded_advert() {
    let mut i = started(cfg(100));
    i.handle(Time(SEC), adv(20, 120, 100));
    i.handle(Time(SEC + 10), Event::TrackWeight(30));
    i.handle(Time(2 * SEC), adv(20, 120, 100));
    assert_eq!(i.timer(Timer::MasterDown), Some(Time(SEC + 3_609_375)));
}

#[test]
fn master_advertises_the_effective_priority() {
    let (mut i, t) = master(cfg(100));
    i.handle(t, Event::TrackWeight(-20));
    let a = i.handle(t + Span::from_secs(1), Event::TimerFired(Timer::Adver));
    assert_eq!(adverts(&a), vec![80]);
}

#[test]
fn transitions_log_like_keepalived() {
    let mut i = Instance::new(cfg(255));
    let a = i.handle(Time(0), Event::Startup);
    let lines: Vec<String> = a.iter().filter_map(|x| x.log_line("VI_1")).collect();
    assert_eq!(lines, vec!["(VI_1) Entering MASTER STATE".to_string()]);
}

#[test]
fn reload_reconfigure_keeps_master_state_and_recomputes_priority() {
    let mut i = started(Config {
        initial_state: InitialState::Master,
        ..cfg(100)
    });
    i.handle(Time(2 * SEC), Event::TimerFired(Timer::MasterDown));
    assert_eq!(i.state(), State::Master);
    i.handle(Time(2 * SEC), Event::TrackWeight(-10));
    assert_eq!(i.priority(), 90);
    let out = i.reconfigure(cfg(150));
    assert_eq!(i.state(), State::Master);
    assert_eq!(i.priority(), 140);
    assert!(out.contains(&Action::Log(Note::PriorityChanged { from: 90, to: 140 })));
    assert!(i.timer(Timer::Adver).is_some());
}

#[test]
fn keepalived_sync_master_takes_a_backup_member_to_master_at_once() {
    let mut i = started(cfg(100));
    assert_eq!(i.state(), State::Backup);
    let out = i.handle(Time(SEC / 10), Event::SyncMaster);
    assert_eq!(i.state(), State::Master);
    assert!(out.contains(&Action::Transition {
        from: State::Backup,
        to: State::Master,
        cause: Cause::SyncGroup
    }));
    assert!(out.contains(&Action::AddVips));
    // Already MASTER: nothing.
    assert!(i.handle(Time(SEC / 5), Event::SyncMaster).is_empty());
}

#[test]
fn keepalived_sync_backup_takes_a_master_member_to_backup_and_is_ignored_in_fault() {
    let mut i = started(Config {
        initial_state: InitialState::Master,
        ..cfg(100)
    });
    i.handle(Time(2 * SEC), Event::TimerFired(Timer::MasterDown));
    assert_eq!(i.state(), State::Master);
    let out = i.handle(Time(2 * SEC), Event::SyncBackup);
    assert_eq!(i.state(), State::Backup);
    assert!(out.contains(&Action::RemoveVips));
    assert!(i.timer(Timer::MasterDown).is_some());
    assert!(i.timer(Timer::Adver).is_none());
    i.handle(Time(2 * SEC), Event::FaultEntered("sync".into()));
    assert_eq!(i.state(), State::Fault);
    assert!(i.handle(Time(3 * SEC), Event::SyncMaster).is_empty());
    assert_eq!(i.state(), State::Fault);
}
