//! Reading one file, capped at the size limit, into a reused buffer.

use std::fs::{File, OpenOptions};
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
///
/// Only a regular file is read. The final path component is not followed if it
/// is a symlink, and opening never blocks: a file swapped for a symlink or a
/// FIFO after the walk saw it is an error, not an escape from the scanned tree
/// or a hang.
pub fn read_capped(path: &Path, max: u64, buf: &mut Vec<u8>) -> io::Result<ReadOutcome> {
    buf.clear();
    let file = open_regular(path)?;
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

/// Opens `path` for reading if it is a regular file (checked on the open handle).
fn open_regular(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = opts.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return io::Error::new(
                io::ErrorKind::InvalidInput,
                "is a symbolic link (not followed)",
            );
        }
        e
    })?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_cap() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a.txt");
        std::fs::write(&p, b"0123456789").expect("write");
        let mut buf = Vec::new();
        assert_eq!(
            read_capped(&p, 10, &mut buf).expect("read"),
            ReadOutcome::Read
        );
        assert_eq!(buf, b"0123456789");
        assert_eq!(
            read_capped(&p, 9, &mut buf).expect("read"),
            ReadOutcome::TooLarge
        );
        assert!(buf.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_not_followed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("target.txt");
        std::fs::write(&target, b"outside").expect("write");
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        let mut buf = Vec::new();
        let e = read_capped(&link, 100, &mut buf).expect_err("symlink refused");
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert!(buf.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        // Opening a FIFO for reading blocks until a writer comes; keyfence
        // must neither block nor read it (issue 9).
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("path");
        // SAFETY: `c` is a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
        let mut buf = Vec::new();
        let e = read_capped(&fifo, 100, &mut buf).expect_err("fifo refused");
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut buf = Vec::new();
        assert!(read_capped(dir.path(), 100, &mut buf).is_err());
    }
}
