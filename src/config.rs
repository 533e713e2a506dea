//! `.keyfence.toml`: found at the scanned root or given with `--config`.
//! Every table is optional; an unknown key is an error naming the file and the key.

use crate::error::{Error, Result};
use crate::rules::RuleSyntax;
use crate::severity::Severity;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file name looked for at the scanned root.
pub const CONFIG_FILE_NAME: &str = ".keyfence.toml";

/// Default largest file scanned, in bytes.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// Default number of findings reported per file; the rest are counted.
pub const DEFAULT_MAX_FINDINGS_PER_FILE: usize = 100;

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[scan]`.
    #[serde(default)]
    pub scan: ScanSection,
    /// Built-in rule ids turned off.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Extra rules.
    #[serde(default)]
    pub rules: Vec<RuleSyntax>,
    /// `[allowlist]`.
    #[serde(default)]
    pub allowlist: AllowlistConfig,
    /// `[rotation]`.
    #[serde(default)]
    pub rotation: RotationConfig,
    /// `[lint]`.
    #[serde(default)]
    pub lint: LintConfig,
}

/// `[scan]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanSection {
    /// Largest file read, in bytes.
    pub max_file_size: Option<u64>,
    /// Path globs never read.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// The allowlist lists; each drops the findings it matches.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowList {
    /// Path globs.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Regexes on the secret.
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Regexes on the whole line.
    #[serde(default)]
    pub lines: Vec<String>,
    /// The secret contains one of these (case-insensitive).
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// History: commit ids (full or abbreviated).
    #[serde(default)]
    pub commits: Vec<String>,
}

/// `[allowlist]`: global lists plus `[[allowlist.scoped]]` lists limited to some rules.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowlistConfig {
    /// Path globs.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Regexes on the secret.
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Regexes on the whole line.
    #[serde(default)]
    pub lines: Vec<String>,
    /// The secret contains one of these (case-insensitive).
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// History: commit ids (full or abbreviated).
    #[serde(default)]
    pub commits: Vec<String>,
    /// Lists limited to some rules.
    #[serde(default)]
    pub scoped: Vec<ScopedAllowList>,
}

impl AllowlistConfig {
    /// The global lists.
    pub fn global(&self) -> AllowList {
        AllowList {
            paths: self.paths.clone(),
            regexes: self.regexes.clone(),
            lines: self.lines.clone(),
            stopwords: self.stopwords.clone(),
            commits: self.commits.clone(),
        }
    }
}

/// `[[allowlist.scoped]]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopedAllowList {
    /// The rules these lists apply to.
    pub rule_ids: Vec<String>,
    /// Path globs.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Regexes on the secret.
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Regexes on the whole line.
    #[serde(default)]
    pub lines: Vec<String>,
    /// The secret contains one of these (case-insensitive).
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// History: commit ids.
    #[serde(default)]
    pub commits: Vec<String>,
}

impl ScopedAllowList {
    /// The lists.
    pub fn lists(&self) -> AllowList {
        AllowList {
            paths: self.paths.clone(),
            regexes: self.regexes.clone(),
            lines: self.lines.clone(),
            stopwords: self.stopwords.clone(),
            commits: self.commits.clone(),
        }
    }
}

/// `[rotation]`: the policy and the manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationConfig {
    /// Maximum age of a secret, in days.
    #[serde(default = "default_max_age")]
    pub max_age_days: u32,
    /// Warn this many days ahead.
    #[serde(default = "default_warn_before")]
    pub warn_before_days: u32,
    /// `[[rotation.secret]]`: named secrets and when they were last rotated.
    #[serde(default)]
    pub secret: Vec<RotationSecret>,
}

impl Default for RotationConfig {
    fn default() -> Self {
        RotationConfig {
            max_age_days: default_max_age(),
            warn_before_days: default_warn_before(),
            secret: Vec::new(),
        }
    }
}

fn default_max_age() -> u32 {
    90
}

fn default_warn_before() -> u32 {
    14
}

/// One entry of the rotation manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationSecret {
    /// Name of the secret.
    pub name: String,
    /// When it was last rotated.
    pub last_rotated: ConfigDate,
    /// Overrides the policy's maximum age.
    pub max_age_days: Option<u32>,
    /// Who owns it.
    pub owner: Option<String>,
}

/// A calendar date, written as a TOML date or a quoted `"YYYY-MM-DD"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConfigDate {
    /// Year.
    pub year: i32,
    /// Month, 1-12.
    pub month: u32,
    /// Day, 1-31.
    pub day: u32,
}

impl ConfigDate {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<ConfigDate> {
        let mut it = s.trim().splitn(3, '-');
        let year = it.next()?.parse().ok()?;
        let month: u32 = it.next()?.parse().ok()?;
        let day: u32 = it.next()?.get(..2)?.parse().ok()?;
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(ConfigDate {
            year,
            month,
            day,
        })
    }
}

impl<'de> Deserialize<'de> for ConfigDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = toml::Value::deserialize(d)?;
        let text = match v {
            toml::Value::Datetime(dt) => dt.to_string(),
            toml::Value::String(s) => s,
            other => {
                return Err(serde::de::Error::custom(format!(
                    "expected a date, found {}",
                    other.type_str()
                )))
            }
        };
        ConfigDate::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("invalid date {text:?}, expected YYYY-MM-DD"))
        })
    }
}

/// `[lint]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintConfig {
    /// Lint ids turned off.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Severity overrides by lint id.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
}

impl Config {
    /// Parses configuration text; errors name `path`.
    pub fn from_text(path: &Path, text: &str) -> Result<Config> {
        toml::from_str(text).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            message: crate::rules::toml_error_message(&e, text),
        })
    }

    /// Reads and parses a config file.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_text(path, &text)
    }

    /// The config file at `root`, if there is one.
    pub fn discover(root: &Path) -> Option<PathBuf> {
        let p = root.join(CONFIG_FILE_NAME);
        p.is_file().then_some(p)
    }

    /// Loads `explicit` if given, else the file discovered at `root`, else defaults.
    /// Returns the config and the path it came from.
    pub fn resolve(explicit: Option<&Path>, root: &Path) -> Result<(Config, Option<PathBuf>)> {
        match explicit
            .map(Path::to_path_buf)
            .or_else(|| Config::discover(root))
        {
            Some(p) => Ok((Config::load(&p)?, Some(p))),
            None => Ok((Config::default(), None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_shape_parses() {
        let text = r#"
disable = ["generic-password"]
[scan]
max_file_size = 1000
exclude = ["vendor/**"]
[[rules]]
id = "acme-api-key"
name = "ACME API key"
keywords = ["acme_"]
regex = 'acme_(?P<secret>[A-Za-z0-9]{32})'
severity = "high"
confidence = "high"
[allowlist]
paths = ["tests/fixtures/**"]
stopwords = ["sample"]
[[allowlist.scoped]]
rule_ids = ["generic-password"]
paths = ["docs/**"]
[rotation]
max_age_days = 60
[[rotation.secret]]
name = "payments-api"
last_rotated = 2026-08-01
[[rotation.secret]]
name = "b"
last_rotated = "2026-01-02"
owner = "team"
[lint]
disable = ["secret-file-mode"]
severity = { secret-logged = "low" }
"#;
        let c = Config::from_text(Path::new(".keyfence.toml"), text).expect("parses");
        assert_eq!(c.scan.max_file_size, Some(1000));
        assert_eq!(c.rules.len(), 1);
        assert_eq!(c.allowlist.paths, vec!["tests/fixtures/**"]);
        assert_eq!(c.allowlist.scoped[0].rule_ids, vec!["generic-password"]);
        assert_eq!(
            c.rotation.secret[0].last_rotated,
            ConfigDate {
                year: 2026,
                month: 8,
                day: 1
            }
        );
        assert_eq!(c.rotation.secret[1].last_rotated.day, 2);
        assert_eq!(c.rotation.warn_before_days, 14);
        assert_eq!(c.lint.severity["secret-logged"], Severity::Low);
    }

    #[test]
    fn unknown_key_names_file_and_key() {
        let e = Config::from_text(Path::new("cfg/.keyfence.toml"), "[scan]\nmax_size = 3\n")
            .expect_err("unknown key");
        let m = e.to_string();
        assert!(m.starts_with("cfg/.keyfence.toml: "), "{m}");
        assert!(m.contains("max_size"), "{m}");
    }
}
