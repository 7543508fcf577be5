//! Loading a configuration file into something the children can be given, and the
//! two-phase reload: a new configuration becomes the one in force (the broker's
//! reference) only when every running child acknowledged it.

use std::path::Path;
use std::time::Instant;
use vigil_config::{load_file, Config, Options};

/// A parsed, valid configuration, or every diagnostic that says why not.
pub fn load(path: &Path, config_id: &str) -> Result<(Box<Config>, Vec<String>), Vec<String>> {
    if !path.exists() {
        return Err(vec![format!(
            "{}: configuration file not found",
            path.display()
        )]);
    }
    let opts = Options {
        config_id: config_id.to_string(),
    };
    let loaded = load_file(path, &opts);
    let lines: Vec<String> = loaded
        .diags
        .render_short(&loaded.sources)
        .lines()
        .map(str::to_string)
        .collect();
    if loaded.is_valid() {
        Ok((Box::new(loaded.config), lines))
    } else {
        Err(lines)
    }
}

/// Which child an acknowledgement comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// vrrpd.
    Vrrp,
    /// checkerd.
    Checker,
}

/// A reload sent and not yet acknowledged by every child.
#[derive(Debug)]
pub struct Pending {
    /// The generation sent.
    pub generation: u64,
    /// The new configuration.
    pub config: Box<Config>,
    /// vrrpd's answer is awaited.
    pub vrrp: bool,
    /// checkerd's answer is awaited.
    pub checker: bool,
    /// Rejections received.
    pub rejections: Vec<String>,
    /// When it was sent.
    pub started: Instant,
}

/// Where a reload stands after an answer.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Still waiting.
    Waiting,
    /// Every child applied it: commit.
    Commit,
    /// A child refused it: keep the old configuration.
    Keep(Vec<String>),
}

impl Pending {
    /// A reload awaiting the children marked true.
    pub fn new(generation: u64, config: Box<Config>, vrrp: bool, checker: bool) -> Self {
        Pending {
            generation,
            config,
            vrrp,
            checker,
            rejections: Vec::new(),
            started: Instant::now(),
        }
    }

    /// Records `who`'s answer to `generation` (answers to other generations are
    /// ignored) and says where the reload stands.
    pub fn answer(&mut self, who: Who, generation: u64, rejected: Option<String>) -> Verdict {
        if generation == self.generation {
            match who {
                Who::Vrrp => self.vrrp = false,
                Who::Checker => self.checker = false,
            }
            if let Some(r) = rejected {
                self.rejections.push(r);
            }
        }
        self.verdict()
    }

    /// A child will not answer (it is not running any more): stop waiting for it.
    pub fn forget(&mut self, who: Who) -> Verdict {
        match who {
            Who::Vrrp => self.vrrp = false,
            Who::Checker => self.checker = false,
        }
        self.verdict()
    }

    /// Where the reload stands.
    pub fn verdict(&self) -> Verdict {
        if self.vrrp || self.checker {
            Verdict::Waiting
        } else if self.rejections.is_empty() {
            Verdict::Commit
        } else {
            Verdict::Keep(self.rejections.clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> Pending {
        Pending::new(5, Box::default(), true, true)
    }

    #[test]
    fn commits_only_when_both_applied() {
        let mut p = pending();
        assert_eq!(p.answer(Who::Vrrp, 5, None), Verdict::Waiting);
        assert_eq!(p.answer(Who::Checker, 5, None), Verdict::Commit);
    }

    #[test]
    fn a_rejection_keeps_the_old_configuration() {
        let mut p = pending();
        assert_eq!(
            p.answer(Who::Vrrp, 5, Some("vrrp: no such interface".into())),
            Verdict::Waiting
        );
        assert_eq!(
            p.answer(Who::Checker, 5, None),
            Verdict::Keep(vec!["vrrp: no such interface".into()])
        );
    }

    #[test]
    fn answers_to_other_generations_do_not_count() {
        let mut p = pending();
        assert_eq!(p.answer(Who::Vrrp, 4, None), Verdict::Waiting);
        assert!(p.vrrp);
    }

    #[test]
    fn a_child_that_died_is_not_waited_for() {
        let mut p = Pending::new(2, Box::default(), true, false);
        assert_eq!(p.forget(Who::Vrrp), Verdict::Commit);
    }

    #[test]
    fn missing_file_is_an_error() {
        let e = load(Path::new("/nonexistent/k.conf"), "x").expect_err("missing");
        assert!(e[0].contains("not found"));
    }
}
