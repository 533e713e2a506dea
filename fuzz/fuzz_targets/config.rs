//! `.keyfence.toml` and rule files from arbitrary text: parsing, rule
//! compilation (user regexes under their size limits), the allowlist, and a
//! scan with the resulting rules. The input is the config text, then a NUL
//! byte, then the bytes to scan. Nothing may panic, and an error message must
//! never be empty.
#![no_main]

use keyfence::config::Config;
use keyfence::filter::FilterSet;
use keyfence::rules::RuleSetBuilder;
use keyfence::scan::Engine;
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let (text, hay) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let origin = Path::new(".keyfence.toml");

    // The same text as a rule file.
    let mut rules_only = RuleSetBuilder::default();
    match rules_only.add_file_text("rules/fuzz.toml", text) {
        Ok(_) => {
            let _ = rules_only.build(&[]);
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }

    // As a config: the user's rules (built-ins left out to keep runs fast),
    // the allowlist, then a scan.
    let config = match Config::from_text(origin, text) {
        Ok(c) => c,
        Err(e) => {
            assert!(e.to_string().starts_with(".keyfence.toml: "), "{e}");
            return;
        }
    };
    let mut b = RuleSetBuilder::default();
    for r in &config.rules {
        if let Err(e) = b.add(r.clone(), ".keyfence.toml") {
            assert!(e.to_string().starts_with(".keyfence.toml: rule '"), "{e}");
            return;
        }
    }
    let Ok(rules) = b.build(&[]) else { return };
    let filters = match FilterSet::new(&config.allowlist, origin) {
        Ok(f) => f,
        Err(e) => {
            assert!(e.to_string().starts_with(".keyfence.toml: "), "{e}");
            return;
        }
    };
    let engine = Engine::new(Arc::new(rules), filters);
    let mut scratch = engine.scratch();
    let mut findings = Vec::new();
    engine.scan_bytes(hay, "fuzz.txt", &mut scratch, &mut findings);
});
