//! Sorted rows merged from several sources: the parts of worker threads in memory, or runs that a
//! pass wrote to a temporary file when the whole did not fit the memory budget. Each row is a key
//! (the sort key, e.g. a pupil id) and its bytes (a csv line); keys are disjoint between sources.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::ExchangeError;

pub(crate) fn write_all(out: &mut dyn Write, bytes: &[u8]) -> Result<(), ExchangeError> {
    out.write_all(bytes).map_err(|e| ExchangeError::Io(e.to_string()))
}

/// A source of sorted rows.
pub(crate) trait Cursor {
    /// The current row's id and line, or `None` at the end.
    fn peek(&self) -> Option<(&[u8], &[u8])>;
    fn advance(&mut self) -> Result<(), ExchangeError>;
}

/// Receives merged rows: (id, line).
pub(crate) type Emit<'a> = dyn FnMut(&[u8], &[u8]) -> Result<(), ExchangeError> + 'a;

/// Merges sorted cursors (ids are disjoint between them) into `emit`, in id order.
pub(crate) fn merge(mut cursors: Vec<Box<dyn Cursor + '_>>, emit: &mut Emit<'_>) -> Result<(), ExchangeError> {
    loop {
        let mut best: Option<usize> = None;
        for (i, c) in cursors.iter().enumerate() {
            if let Some((k, _)) = c.peek()
                && best.is_none_or(|b| cursors[b].peek().is_some_and(|(bk, _)| k < bk))
            {
                best = Some(i);
            }
        }
        let Some(b) = best else { return Ok(()) };
        if let Some((k, line)) = cursors[b].peek() {
            emit(k, line)?;
        }
        cursors[b].advance()?;
    }
}

/// Sorted rows in a temporary file, removed on drop: (key length, key, line length, line) records.
pub(crate) struct Run {
    path: std::path::PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl Run {
    pub(crate) fn create() -> Result<Run, ExchangeError> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("eduq-run-{}-{n}.run", std::process::id()));
        let file = std::fs::File::create(&path).map_err(|e| ExchangeError::Io(e.to_string()))?;
        Ok(Run { path, file: Some(std::io::BufWriter::with_capacity(1 << 20, file)) })
    }
    pub(crate) fn push(&mut self, key: &[u8], line: &[u8]) -> Result<(), ExchangeError> {
        let Some(f) = self.file.as_mut() else { return Ok(()) };
        for part in [key, line] {
            write_all(f, &(part.len() as u32).to_le_bytes())?;
            write_all(f, part)?;
        }
        Ok(())
    }
    pub(crate) fn cursor(&mut self) -> Result<Box<dyn Cursor>, ExchangeError> {
        if let Some(f) = self.file.as_mut() {
            f.flush().map_err(|e| ExchangeError::Io(e.to_string()))?;
        }
        let file = std::fs::File::open(&self.path).map_err(|e| ExchangeError::Io(e.to_string()))?;
        let mut c = RunCursor { file: std::io::BufReader::new(file), key: Vec::new(), line: Vec::new(), done: false };
        c.advance()?;
        Ok(Box::new(c))
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        self.file = None;
        let _ = std::fs::remove_file(&self.path);
    }
}

struct RunCursor {
    file: std::io::BufReader<std::fs::File>,
    key: Vec<u8>,
    line: Vec<u8>,
    done: bool,
}

impl Cursor for RunCursor {
    fn peek(&self) -> Option<(&[u8], &[u8])> {
        (!self.done).then_some((&self.key[..], &self.line[..]))
    }
    fn advance(&mut self) -> Result<(), ExchangeError> {
        let mut len = [0u8; 4];
        match self.file.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                self.done = true;
                return Ok(());
            }
            Err(e) => return Err(ExchangeError::Io(e.to_string())),
        }
        for (i, buf) in [&mut self.key, &mut self.line].into_iter().enumerate() {
            if i == 1 {
                self.file.read_exact(&mut len).map_err(|e| ExchangeError::Io(e.to_string()))?;
            }
            buf.resize(u32::from_le_bytes(len) as usize, 0);
            self.file.read_exact(buf).map_err(|e| ExchangeError::Io(e.to_string()))?;
        }
        Ok(())
    }
}
