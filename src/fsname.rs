//! File names built from data (a flag code, an OBS recording template, an export name) checked
//! against what every platform courtside runs on accepts — Windows being the strictest.
//!
//! Windows refuses `<>:"/\|?*` and control characters in a name, treats `CON`, `PRN`, `AUX`,
//! `NUL`, `COM1`–`COM9` and `LPT1`–`LPT9` as devices whatever their extension (`CON.png` opens the
//! console), and silently drops a trailing dot or space. A name that passes here is one path
//! component that means the same file on Windows, macOS and Linux.

use std::fmt;

/// Why a string cannot be used as one file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameProblem {
    /// The name is empty.
    Empty,
    /// The name is `.` or `..`, which name folders, not a file.
    DotName,
    /// The name holds a character Windows refuses (or a folder separator).
    BadChar(char),
    /// The name (before its first dot) is a Windows device name such as `CON` or `COM1`.
    Reserved(String),
    /// The name ends in a dot or a space, which Windows drops.
    TrailingDotOrSpace,
    /// The name is longer than 255 bytes.
    TooLong(usize),
}

impl fmt::Display for NameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameProblem::Empty => write!(f, "the file name is empty"),
            NameProblem::DotName => write!(f, "'.' and '..' are folder names, not file names"),
            NameProblem::BadChar(c) if c.is_control() => write!(
                f,
                "the file name holds a control character (U+{:04X})",
                *c as u32
            ),
            NameProblem::BadChar(c) => write!(
                f,
                "the file name holds '{c}', which Windows does not allow in file names \
                 (none of < > : \" / \\ | ? *)"
            ),
            NameProblem::Reserved(stem) => write!(
                f,
                "'{stem}' is a device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9), \
                 not usable as a file name with any extension"
            ),
            NameProblem::TrailingDotOrSpace => {
                write!(
                    f,
                    "the file name ends in a dot or a space, which Windows drops"
                )
            }
            NameProblem::TooLong(n) => write!(f, "the file name is {n} bytes long (at most 255)"),
        }
    }
}

impl std::error::Error for NameProblem {}

/// Characters no file name may hold on Windows (also the folder separators of every platform).
const FORBIDDEN: &[char] = &['<', '>', ':', '"', '/', '\\', '|', '?', '*'];

/// Whether no file name may hold `c` on some platform (Windows' forbidden characters, the folder
/// separators, control characters): the set the repairs of data-built names replace.
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control() || FORBIDDEN.contains(&c)
}

/// Whether `stem` (the part of a name before its first dot, any case) is a Windows device name.
pub fn is_reserved_device_name(stem: &str) -> bool {
    let upper = stem.trim_end_matches([' ', '.']).to_ascii_uppercase();
    match upper.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" => true,
        _ => {
            let b = upper.as_bytes();
            b.len() == 4
                && (upper.starts_with("COM") || upper.starts_with("LPT"))
                && (b'1'..=b'9').contains(&b[3])
        }
    }
}

/// Check that `name` is one file name every platform accepts and reads as the same file.
pub fn check_file_name(name: &str) -> Result<(), NameProblem> {
    if name.is_empty() {
        return Err(NameProblem::Empty);
    }
    if name == "." || name == ".." {
        return Err(NameProblem::DotName);
    }
    if name.len() > 255 {
        return Err(NameProblem::TooLong(name.len()));
    }
    if let Some(c) = name.chars().find(|c| is_forbidden_char(*c)) {
        return Err(NameProblem::BadChar(c));
    }
    let stem = name.split('.').next().unwrap_or(name);
    if is_reserved_device_name(stem) {
        return Err(NameProblem::Reserved(stem.to_string()));
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return Err(NameProblem::TrailingDotOrSpace);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_pass() {
        for ok in [
            "KOR.png",
            "kor.svg",
            "Court 1 - 204.mkv",
            "match_245.A.json",
            "CONTEST.png",
        ] {
            assert_eq!(check_file_name(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn windows_forbidden_characters_are_refused() {
        for (name, c) in [
            ("12:03.mkv", ':'),
            ("a<b", '<'),
            ("a>b", '>'),
            ("a\"b", '"'),
            ("a/b", '/'),
            ("a\\b", '\\'),
            ("a|b", '|'),
            ("a?b", '?'),
            ("a*b", '*'),
            ("a\u{7}b", '\u{7}'),
            ("a\nb", '\n'),
        ] {
            assert_eq!(
                check_file_name(name),
                Err(NameProblem::BadChar(c)),
                "{name:?}"
            );
        }
    }

    #[test]
    fn device_names_are_refused_with_any_extension_and_case() {
        for name in [
            "CON",
            "con.png",
            "Nul.svg",
            "AUX.tar.gz",
            "COM1.mkv",
            "lpt9",
            "PRN",
        ] {
            assert!(
                matches!(check_file_name(name), Err(NameProblem::Reserved(_))),
                "{name}"
            );
        }
        for name in ["COM0.png", "COM10.png", "LPT.png", "CONS.png", "NULL.png"] {
            assert_eq!(check_file_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn empty_dots_trailing_and_long_names_are_refused() {
        assert_eq!(check_file_name(""), Err(NameProblem::Empty));
        assert_eq!(check_file_name(".."), Err(NameProblem::DotName));
        assert_eq!(check_file_name("a."), Err(NameProblem::TrailingDotOrSpace));
        assert_eq!(check_file_name("a "), Err(NameProblem::TrailingDotOrSpace));
        let long = "a".repeat(256);
        assert_eq!(check_file_name(&long), Err(NameProblem::TooLong(256)));
    }

    #[test]
    fn messages_name_the_cause() {
        let msg = check_file_name("CON.png").unwrap_err().to_string();
        assert!(
            msg.contains("'CON'") && msg.contains("device name"),
            "{msg}"
        );
        let msg = check_file_name("12:03").unwrap_err().to_string();
        assert!(msg.contains("':'"), "{msg}");
    }
}
