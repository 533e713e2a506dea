//! A panic is a bug, but its message may quote what keyfence was reading
//! (slicing errors print the string they sliced): the hook prints only where
//! it happened and exits 2, so a secret can never reach a CI log this way.

use std::io::Write;
use std::panic::Location;

/// Replaces the default panic hook for the whole process.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let mut err = std::io::stderr().lock();
        let _ = write_report(info.location(), &mut err);
        let _ = err.flush();
        std::process::exit(2);
    }));
}

/// The message: the location only, never the payload.
fn write_report(location: Option<&Location<'_>>, out: &mut dyn Write) -> std::io::Result<()> {
    let at = location.map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
    writeln!(
        out,
        "keyfence: error: internal error{at} (a bug in keyfence; please report it: \
         https://github.com/keyfence/keyfence/issues)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_names_the_location_only() {
        let mut out = Vec::new();
        write_report(Some(Location::caller()), &mut out).expect("write");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.starts_with("keyfence: error: internal error at src/cli/panic_hook.rs:"),
            "{text}"
        );
    }
}
