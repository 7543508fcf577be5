//! Cutting a script's output into lines for the log.

/// The longest line passed on whole; longer ones are cut into pieces of this size, so a
/// script cannot make the supervisor buffer without bound.
pub const MAX_LINE: usize = 4096;

/// Collects bytes and hands out complete lines (without the newline).
#[derive(Debug, Default, Clone)]
pub struct LineSplitter {
    buf: Vec<u8>,
}

impl LineSplitter {
    /// An empty splitter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes; calls `line` for every complete (or over-long) line.
    pub fn push(&mut self, mut data: &[u8], line: &mut dyn FnMut(&[u8])) {
        while let Some(n) = data.iter().position(|&b| b == b'\n') {
            self.buf.extend_from_slice(&data[..n]);
            self.emit_long(line);
            line(&self.buf);
            self.buf.clear();
            data = &data[n + 1..];
        }
        self.buf.extend_from_slice(data);
        self.emit_long(line);
    }

    /// At end of output: passes on a last line without a newline.
    pub fn finish(&mut self, line: &mut dyn FnMut(&[u8])) {
        if !self.buf.is_empty() {
            line(&self.buf);
            self.buf.clear();
        }
    }

    fn emit_long(&mut self, line: &mut dyn FnMut(&[u8])) {
        while self.buf.len() > MAX_LINE {
            let rest = self.buf.split_off(MAX_LINE);
            line(&self.buf);
            self.buf = rest;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chunks: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut s = LineSplitter::new();
        for c in chunks {
            s.push(c, &mut |l| out.push(l.to_vec()));
        }
        s.finish(&mut |l| out.push(l.to_vec()));
        out
    }

    #[test]
    fn lines_across_chunks() {
        assert_eq!(
            run(&[b"ab", b"c\nd", b"\n\nlast"]),
            [
                b"abc".to_vec(),
                b"d".to_vec(),
                b"".to_vec(),
                b"last".to_vec()
            ]
        );
    }

    #[test]
    fn long_lines_are_cut() {
        let big = vec![b'x'; MAX_LINE * 2 + 5];
        let out = run(&[&big, b"\n"]);
        let lens: Vec<usize> = out.iter().map(Vec::len).collect();
        assert_eq!(lens, [MAX_LINE, MAX_LINE, 5]);
    }
}
