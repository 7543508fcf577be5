//! keepalived's script splitting: `set_script_params_array()` (lib/notify.c) over
//! `alloc_strvec_quoted_escaped()` (lib/parser.c). Rows marked "observed" were checked
//! against keepalived 2.2.7 (Debian bookworm) with a script printing its argv
//! NUL-separated; the input is the string after keepalived's first pass over the line.

use super::*;

/// (configured string, argv keepalived makes)
const TABLE: &[(&str, &[&[u8]])] = &[
    // Plain words.
    ("/bin/true", &[b"/bin/true"]),
    ("/bin/check a b", &[b"/bin/check", b"a", b"b"]),
    // Leading, trailing and repeated white space, tabs: observed (s8).
    (
        "   /tmp/p.sh    s8  \ttab  ",
        &[b"/tmp/p.sh", b"s8", b"tab"],
    ),
    (
        "/bin/x\x0ba\x0cb\rc\nd",
        &[b"/bin/x", b"a", b"b", b"c", b"d"],
    ),
    // Single quotes group: observed (s1).
    ("/tmp/p.sh s1 a 'b c'", &[b"/tmp/p.sh", b"s1", b"a", b"b c"]),
    // Double quotes group too: observed (s1, s2).
    ("/tmp/p.sh \"d e\" \"x y\"", &[b"/tmp/p.sh", b"d e", b"x y"]),
    // An escaped space joins: observed (s1).
    ("/tmp/p.sh f\\ g", &[b"/tmp/p.sh", b"f g"]),
    // Quotes join with the text around them: observed (s2).
    ("/tmp/p.sh a\"b c\"d", &[b"/tmp/p.sh", b"ab cd"]),
    ("/tmp/p.sh x'y z'\"w v\"", &[b"/tmp/p.sh", b"xy zw v"]),
    // An empty quoted word is an empty argument: observed (s2).
    ("/tmp/p.sh \"\" e ''", &[b"/tmp/p.sh", b"", b"e", b""]),
    // Each quote kind is literal inside the other.
    ("/bin/x \"p'q\" 'r\"s'", &[b"/bin/x", b"p'q", b"r\"s"]),
    // Escapes: hex, octal, \n \t, \cA, \\, \q, bare \x: observed (s3).
    (
        "/tmp/p.sh \\x41\\102\\n\\t\\cA \\\\ \\q \\x",
        &[b"/tmp/p.sh", b"AB\n\t\x01", b"\\", b"q", b"x"],
    ),
    // Backslash escapes inside single quotes too (unlike a shell).
    (
        "/bin/x 'it\\'s' \"say \\\"hi\\\"\"",
        &[b"/bin/x", b"it's", b"say \"hi\""],
    ),
    // \a \b \E \f \r \v.
    (
        "/bin/x \\a\\b\\E\\f\\r\\v",
        &[b"/bin/x", b"\x07\x08\x1b\x0c\r\x0b"],
    ),
    // \x takes every hex digit and keeps the low 8 bits; \x4g is 0x04 then g.
    ("/bin/x \\x414 \\x4g", &[b"/bin/x", b"\x14", b"\x04g"]),
    // Octal takes at most three digits; \777 wraps to 0xff; \1234 is S then 4.
    ("/bin/x \\1234 \\777", &[b"/bin/x", b"S4", b"\xff"]),
    // \c masks the next character with 0x1f, whatever its case (`\c[` is ESC).
    ("/bin/x \\ca\\c[", &[b"/bin/x", b"\x01\x1b"]),
    // An escaped NUL cuts the word (strndup): \0 and \x00.
    ("/bin/x ab\\0cd e\\x00gh", &[b"/bin/x", b"ab", b"e"]),
    // ... and \x takes every hex digit that follows: \x00f is 0x0f.
    ("/bin/x e\\x00f", &[b"/bin/x", b"e\x0f"]),
    // Shell metacharacters are plain text: no shell is involved: observed (s4).
    (
        "/tmp/p.sh s4 $HOME ; echo `id` | cat >/tmp/pwned *",
        &[
            b"/tmp/p.sh",
            b"s4",
            b"$HOME",
            b";",
            b"echo",
            b"`id`",
            b"|",
            b"cat",
            b">/tmp/pwned",
            b"*",
        ],
    ),
    // A bare name stays bare (the PATH search comes later, in the security check).
    ("check_it --quiet", &[b"check_it", b"--quiet"]),
    // Redirection-only "script" (a file-existence test keepalived runs with a shell).
    ("</dev/tcp/192.0.2.1/80", &[b"</dev/tcp/192.0.2.1/80"]),
    // Quoted white space only is still a word.
    ("' '", &[b" "]),
    // Non-ASCII bytes pass through untouched.
    ("/bin/x caf\u{e9}", &[b"/bin/x", "caf\u{e9}".as_bytes()]),
];

#[test]
fn split_matches_keepalived_alloc_strvec_quoted_escaped() {
    assert!(TABLE.len() >= 20);
    for (input, want) in TABLE {
        let got = split_command(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        let want: Vec<Vec<u8>> = want.iter().map(|w| w.to_vec()).collect();
        assert_eq!(got.bytes(), want.as_slice(), "input {input:?}");
    }
}

#[test]
fn errors_drop_the_script_like_notify_script_init() {
    // alloc_strvec_quoted_escaped() returns NULL: keepalived logs "Unable to parse
    // script" and ignores it.
    assert_eq!(split_command(""), Err(SplitError::Empty));
    assert_eq!(split_command(" \t "), Err(SplitError::Empty));
    assert_eq!(
        split_command("/bin/x 'a b"),
        Err(SplitError::UnmatchedQuote('\''))
    );
    assert_eq!(
        split_command("/bin/x \"a"),
        Err(SplitError::UnmatchedQuote('"'))
    );
    assert_eq!(
        split_command("/bin/x a\\"),
        Err(SplitError::TrailingBackslash)
    );
    // An escaped quote does not open a quote.
    assert!(split_command("/bin/x \\'a").is_ok());
}

#[test]
fn argv_push_and_display() {
    let mut a = split_command("/bin/n 'x y'").unwrap();
    a.push("INSTANCE");
    a.push(b"cut\0here".to_vec());
    assert_eq!(a.len(), 4);
    assert_eq!(a.to_string(), "'/bin/n' 'x y' 'INSTANCE' 'cut'");
    a.set_program(OsStr::new("/usr/bin/n"));
    assert_eq!(a.program(), OsStr::new("/usr/bin/n"));
    assert!(Argv::from_words(Vec::<Vec<u8>>::new()).is_none());
    assert!(Argv::from_words([b"a\0".to_vec()]).is_none());
}
