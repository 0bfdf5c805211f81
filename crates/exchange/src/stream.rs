//! Large csv files read as blocks of whole records, so that the batch commands stream a file of
//! any size in bounded memory and parse its blocks on several threads. A block ends at a newline
//! outside quotes (a quoted field may hold a newline); a record longer than a block grows the
//! block. GB18030 files are told from UTF-8 by their first block and decoded block by block: a
//! newline or a quote never occurs inside a GB18030 character.

use std::borrow::Cow;
use std::io::Read;

use crate::ExchangeError;

/// Bytes read at a time: big enough that thread hand-offs cost nothing, small enough that a few
/// blocks in flight stay a few tens of MB.
pub const BLOCK: usize = 4 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
}

impl Encoding {
    /// The block as UTF-8 bytes: borrowed for UTF-8 files (validated where it matters by the
    /// caller), decoded for GB18030 ones.
    pub fn text<'a>(self, block: &'a [u8]) -> Result<Cow<'a, [u8]>, ExchangeError> {
        match self {
            Encoding::Utf8 => Ok(Cow::Borrowed(block)),
            Encoding::Gb18030 => encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(block)
                .map(|s| Cow::Owned(s.into_owned().into_bytes()))
                .ok_or(ExchangeError::Encoding),
        }
    }
}

/// A csv file being read: its header (cleaned as every import cleans it), its encoding, and the
/// blocks of data records that follow.
pub struct Blocks<R> {
    reader: R,
    carry: Vec<u8>,
    eof: bool,
    size: usize,
    pub headers: Vec<String>,
    pub encoding: Encoding,
    /// The first data block, read with the header.
    first: Option<Vec<u8>>,
}

fn io(e: std::io::Error) -> ExchangeError {
    ExchangeError::Io(e.to_string())
}

impl<R: Read> Blocks<R> {
    /// Reads the header line; the file's encoding is decided on the first block.
    pub fn open(reader: R) -> Result<Blocks<R>, ExchangeError> {
        Self::with_block_size(reader, BLOCK)
    }

    /// `open` with a chosen block size (tests cut small files into many blocks).
    pub fn with_block_size(reader: R, size: usize) -> Result<Blocks<R>, ExchangeError> {
        let mut b = Blocks {
            reader,
            carry: Vec::new(),
            eof: false,
            size: size.max(64),
            headers: Vec::new(),
            encoding: Encoding::Utf8,
            first: None,
        };
        let Some(mut block) = b.next_block(Vec::new())? else { return Err(ExchangeError::Empty) };
        if block.starts_with(b"\xEF\xBB\xBF") {
            block.drain(..3);
        }
        b.encoding = match std::str::from_utf8(&block) {
            Ok(_) => Encoding::Utf8,
            Err(e) if e.error_len().is_none() => Encoding::Utf8,
            Err(_) => Encoding::Gb18030,
        };
        let end = memchr::memchr(b'\n', &block).map_or(block.len(), |p| p + 1);
        let head = b.encoding.text(&block[..end])?;
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&head[..]);
        let mut rec = csv::StringRecord::new();
        if !reader.read_record(&mut rec).map_err(|e| ExchangeError::Malformed(format!("CSV表头格式错误：{e}")))?
        {
            return Err(ExchangeError::Empty);
        }
        b.headers = rec.iter().map(crate::table::clean_header).collect();
        if b.headers.iter().all(String::is_empty) {
            return Err(ExchangeError::Empty);
        }
        block.drain(..end);
        b.first = Some(block);
        Ok(b)
    }

    /// The next block of whole records, filled into `buf` (a spent block handed back, or empty);
    /// `None` at the end of the file.
    pub fn next(&mut self, buf: Vec<u8>) -> Result<Option<Vec<u8>>, ExchangeError> {
        if let Some(first) = self.first.take() {
            return Ok(Some(first));
        }
        self.next_block(buf)
    }

    fn next_block(&mut self, mut buf: Vec<u8>) -> Result<Option<Vec<u8>>, ExchangeError> {
        buf.clear();
        buf.append(&mut self.carry);
        let mut want = self.size.max(buf.len() + 1);
        loop {
            // Into a buffer sized once (a recycled block keeps its pages): no page faults and no
            // growth by doubling past the block.
            let mut len = buf.len();
            buf.resize(want, 0);
            while !self.eof && len < want {
                match self.reader.read(&mut buf[len..]) {
                    Ok(0) => self.eof = true,
                    Ok(n) => len += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(io(e)),
                }
            }
            buf.truncate(len);
            if buf.is_empty() {
                return Ok(None);
            }
            if self.eof {
                return Ok(Some(buf));
            }
            match record_end(&buf) {
                Some(end) => {
                    self.carry.extend_from_slice(&buf[end..]);
                    buf.truncate(end);
                    return Ok(Some(buf));
                }
                // One record longer than the block: read on.
                None => want = buf.len() * 2,
            }
        }
    }
}

/// Just past the last newline that is outside quotes (an even number of quotes before it).
fn record_end(buf: &[u8]) -> Option<usize> {
    let mut nl = memchr::memrchr(b'\n', buf)?;
    if memchr::memchr(b'"', buf).is_none() {
        return Some(nl + 1);
    }
    let mut quotes = memchr::memchr_iter(b'"', &buf[..nl]).count();
    loop {
        if quotes.is_multiple_of(2) {
            return Some(nl + 1);
        }
        let prev = memchr::memrchr(b'\n', &buf[..nl])?;
        quotes -= memchr::memchr_iter(b'"', &buf[prev..nl]).count();
        nl = prev;
    }
}

/// Trims spaces, tabs and a carriage return at both ends.
pub fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b'\r', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t' | b'\r'] = s {
        s = rest;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(file: &[u8], size: usize) -> (Vec<String>, Vec<Vec<u8>>) {
        let mut b = Blocks::with_block_size(file, size).unwrap();
        let mut out = Vec::new();
        while let Some(block) = b.next(Vec::new()).unwrap() {
            out.push(block);
        }
        (b.headers, out)
    }

    #[test]
    fn blocks_end_at_records_outside_quotes() {
        let mut file = "\u{feff}\"学籍号\",说明*\n".as_bytes().to_vec();
        for i in 0..200 {
            file.extend_from_slice(format!("G{i},\"第一行\n第二行，含\"\"引号\"\"\"\n").as_bytes());
        }
        let (headers, blocks) = all(&file, 64);
        assert_eq!(headers, ["学籍号", "说明"]);
        assert!(blocks.len() > 10);
        for b in &blocks {
            assert!(memchr::memchr_iter(b'"', b).count().is_multiple_of(2), "a block never cuts a quoted field");
            assert!(b.ends_with(b"\"\n"));
        }
        let body: Vec<u8> = blocks.concat();
        let header_len = "\u{feff}\"学籍号\",说明*\n".len();
        assert_eq!(body, file[header_len..]);
    }

    #[test]
    fn a_record_longer_than_a_block_and_a_last_line_without_newline() {
        let long = "x".repeat(500);
        let file = format!("a,b\n1,{long}\n2,y");
        let (_, blocks) = all(file.as_bytes(), 64);
        assert_eq!(blocks.concat(), format!("1,{long}\n2,y").as_bytes());
    }

    #[test]
    fn gb18030_is_told_by_the_first_block() {
        let (gbk, _, _) = encoding_rs::GB18030.encode("学籍号,状态\nG1,旷课\n");
        let mut b = Blocks::open(&gbk[..]).unwrap();
        assert_eq!(b.encoding, Encoding::Gb18030);
        assert_eq!(b.headers, ["学籍号", "状态"]);
        let block = b.next(Vec::new()).unwrap().unwrap();
        assert_eq!(&*b.encoding.text(&block).unwrap(), "G1,旷课\n".as_bytes());
        assert!(matches!(Blocks::open(&b""[..]), Err(ExchangeError::Empty)));
    }
}
