//! The baseline file and the formats `keyfence baseline import` reads, from
//! arbitrary text: the input is baseline text, a NUL byte, then text given to
//! the detect-secrets and gitleaks importers. Nothing may panic; a baseline
//! that parses must survive render → parse unchanged, and merging it with
//! itself must change nothing.
#![no_main]

use keyfence::filter::import::{detect_secrets, gitleaks, GitleaksEntry};
use keyfence::filter::Baseline;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let (baseline, import) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let path = Path::new(".keyfence-baseline.json");
    if let Ok(text) = std::str::from_utf8(baseline) {
        match Baseline::parse(path, text) {
            Ok(b) => {
                let again = Baseline::parse(path, &b.render()).expect("a rendered baseline parses");
                assert_eq!(again, b, "render → parse changed the baseline");
                assert_eq!(Baseline::merge(&b, &b, &b), b, "merging with itself changed it");
            }
            Err(e) => assert!(e.to_string().starts_with(".keyfence-baseline.json: "), "{e}"),
        }
    }
    if let Ok(text) = std::str::from_utf8(import) {
        let _ = detect_secrets(Path::new(".secrets.baseline"), text, &[], "fuzz", "2026-01-01");
        for line in text.lines() {
            let _ = GitleaksEntry::parse(line);
        }
        let mut in_commit = |_: &str, _: &str| Ok(Vec::new());
        let _ = gitleaks(text, &[], &mut in_commit);
    }
});
