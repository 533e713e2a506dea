//! Embeds every `rules/*.toml` file into the binary, in file-name order,
//! converted to JSON here so that start-up parses JSON, not TOML (a pre-commit
//! run pays this on every commit). A rule file that is not valid TOML fails the
//! build, naming the file.

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let dir = root.join("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".toml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::from(
        "/// Built-in rule files: (file name, the TOML converted to JSON), in file-name order.\n",
    );
    out.push_str("pub const BUILTIN_RULE_FILES: &[(&str, &str)] = &[\n");
    for n in &names {
        println!("cargo:rerun-if-changed=rules/{n}");
        let p = dir.join(n);
        let text = fs::read_to_string(&p).unwrap_or_else(|e| panic!("rules/{n}: {e}"));
        let value: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("rules/{n}: {e}"));
        let json = serde_json::to_string(&value).expect("TOML values convert to JSON");
        out.push_str(&format!("    ({n:?}, {json:?}),\n"));
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin_rules.rs");
    fs::write(dest, out).expect("write builtin_rules.rs");
}
