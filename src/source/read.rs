//! Reading one file, capped at the size limit, into a reused buffer.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// What reading a file gave.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadOutcome {
    /// The whole file is in the buffer.
    Read,
    /// The file is larger than the limit; the buffer holds nothing useful.
    TooLarge,
}

/// Reads `path` into `buf` (cleared first) unless it is larger than `max` bytes.
pub fn read_capped(path: &Path, max: u64, buf: &mut Vec<u8>) -> io::Result<ReadOutcome> {
    buf.clear();
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    if len > max {
        return Ok(ReadOutcome::TooLarge);
    }
    buf.reserve(len as usize);
    // The file may grow between stat and read: never take more than max + 1.
    file.take(max + 1).read_to_end(buf)?;
    if buf.len() as u64 > max {
        buf.clear();
        return Ok(ReadOutcome::TooLarge);
    }
    Ok(ReadOutcome::Read)
}
