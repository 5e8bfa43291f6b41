//! Stream files: one datagram per line, as sent on the wire.
//!
//! `#` comment lines and blank lines are skipped. A line ending in CRLF is a TkStrike-style
//! datagram and is sent *with* its `\r\n`; a line ending in LF only is sent without any line
//! ending (spec style). All other bytes are passed through exactly, even invalid UTF-8.

/// One datagram of a stream file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamLine {
    /// 1-based line number in the file.
    pub line: usize,
    /// The exact datagram bytes.
    pub bytes: Vec<u8>,
}

/// Split a stream file into datagrams.
pub fn datagrams(file: &[u8]) -> Vec<StreamLine> {
    let mut out = Vec::new();
    for (i, raw) in file.split(|b| *b == b'\n').enumerate() {
        let content = raw.strip_suffix(b"\r").unwrap_or(raw);
        if content.iter().all(|b| b.is_ascii_whitespace()) || content.first() == Some(&b'#') {
            continue;
        }
        let mut bytes = raw.to_vec();
        if raw.ends_with(b"\r") {
            bytes.push(b'\n');
        }
        out.push(StreamLine { line: i + 1, bytes });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_blank_lines_and_endings() {
        let file = b"# comment\n\nclk;1:00;\r\npt1;2\n  \nhl1;\xff\xfe;\n";
        let d = datagrams(file);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].bytes, b"clk;1:00;\r\n");
        assert_eq!(d[0].line, 3);
        assert_eq!(d[1].bytes, b"pt1;2");
        assert_eq!(d[2].bytes, b"hl1;\xff\xfe;");
    }
}
