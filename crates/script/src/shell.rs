//! The command line keepalived gives `/bin/sh -c` when a script is not an executable
//! (lib/notify.c `cmd_str_r()`, then `system()`).

use crate::argv::Argv;

/// The shell used, as by `system(3)`.
pub const SHELL: &str = "/bin/sh";

/// keepalived `cmd_str_r()`: every word in single quotes, joined by spaces, except a first
/// word starting with `<` or `>` (a redirection-only file test), which stays bare.
/// Quotes inside a word are not escaped, as in keepalived.
pub fn command_line(argv: &Argv) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, w) in argv.bytes().iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        let bare = i == 0 && matches!(w.first(), Some(b'<' | b'>'));
        if !bare {
            out.push(b'\'');
        }
        out.extend_from_slice(w);
        if !bare {
            out.push(b'\'');
        }
    }
    out
}

/// The argv that runs `argv` through [`SHELL`]: `sh -c LINE`, as `system(3)` does.
pub fn shell_argv(argv: &Argv) -> Argv {
    let mut a = Argv::from_words([b"sh".to_vec()]).unwrap_or_else(|| argv.clone());
    a.push("-c");
    a.push(command_line(argv));
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::argv::split_command;

    #[test]
    fn words_are_single_quoted_cmd_str_r() {
        let a = split_command("/etc/k/plain 'a b' c").unwrap();
        assert_eq!(command_line(&a), b"'/etc/k/plain' 'a b' 'c'");
        let s = shell_argv(&a);
        assert_eq!(s.to_string(), "'sh' '-c' ''/etc/k/plain' 'a b' 'c''");
    }

    #[test]
    fn redirection_first_word_stays_bare_cmd_str_r() {
        let a = split_command("</dev/tcp/192.0.2.1/80").unwrap();
        assert_eq!(command_line(&a), b"</dev/tcp/192.0.2.1/80");
    }
}
