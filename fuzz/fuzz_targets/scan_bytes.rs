//! The matcher over arbitrary bytes with every built-in rule: decoding,
//! keyword prefilter, windows, regexes, validators, filters and locations.
//! Nothing may panic, and every finding must point inside the input.
#![no_main]

use keyfence::config::Config;
use keyfence::scan::Engine;
use keyfence::scan::EngineScratch;
use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;
use std::sync::LazyLock;

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    Engine::from_config(&Config::default(), None).expect("built-in rules compile")
});

thread_local! {
    // Reused across inputs, as each scanning thread does.
    static SCRATCH: RefCell<EngineScratch> = RefCell::new(ENGINE.scratch());
}

fuzz_target!(|data: &[u8]| {
    let engine = &*ENGINE;
    let _ = keyfence::blob::is_binary(data);
    let decoded = keyfence::blob::decode(data);
    let lines = decoded.iter().filter(|&&b| b == b'\n').count() + 1;
    let mut findings = Vec::new();
    SCRATCH.with_borrow_mut(|scratch| engine.scan_bytes(data, "fuzz.txt", scratch, &mut findings));
    for f in &findings {
        assert!(f.line >= 1 && f.column >= 1, "{f:?}");
        assert!(f.line <= f.end_line && f.end_line <= lines, "{f:?}");
        assert!(f.line < f.end_line || f.column <= f.end_column, "{f:?}");
        let secret = f.secret.as_ref().expect("secret findings carry the secret");
        let plain = secret.expose();
        assert!(!plain.is_empty());
        if plain.chars().count() >= 6 {
            assert!(!secret.redacted().contains(plain), "redaction shows the secret");
        }
    }
});
