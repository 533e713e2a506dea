//! `secret-logged`.

use super::files::{code_part, Lang};
use super::{Lint, LintContext};
use crate::finding::Finding;
use crate::severity::Severity;
use aho_corasick::AhoCorasick;
use rayon::prelude::*;
use regex::Regex;
use std::sync::LazyLock;

declare_lint! {
    /// Code logs or prints a secret-named variable.
    ///
    /// ## What it checks
    /// Tracked source files in Python, JavaScript/TypeScript, Go, Java,
    /// Kotlin, C#, Rust, Ruby and PHP, for a print or logging call — `print`,
    /// `logging.*`/`logger.*`, `console.log`, `fmt.Print*`/`log.Print*`,
    /// `System.out.println`, `println!`/`tracing` macros, `puts`/`Rails.logger`,
    /// `Console.WriteLine`, `error_log` — whose arguments (interpolations in
    /// f-strings, template literals and format strings included) name a
    /// secret: an identifier built from `password`, `passwd`, `passphrase`,
    /// `secret`, `token`, `credential`, `authorization`, `api_key`/`apiKey`,
    /// `private_key`, `access_key` and the like. Names that only describe a
    /// secret are not reported: `token_count`, `password_length`,
    /// `token.type`, `is_secret`, `len(password)`, `mask(api_key)`. Comment
    /// lines and trailing comments are skipped. Files are read only when they
    /// contain a secret-like word.
    ///
    /// ## Why it matters
    /// Logs are copied to places with far weaker access control than a secret
    /// store: log aggregators, support tickets, CI output, terminals shared on
    /// a call. A credential written to a log is as leaked as one committed to
    /// the repository, and usually kept longer.
    ///
    /// ## How to fix
    /// Log that the value is present, or a redacted form (its first few
    /// characters, a hash prefix), never the value. Most logging libraries
    /// can redact fields by name.
    ///
    /// ## Example
    /// ```text
    /// logger.info(f"connecting with {api_key}")              <- reported
    /// logger.info("connecting with key %s…", api_key[:4])   <- reported: still the key
    /// logger.info("connecting (key set: %s)", bool(api_key)) <- fine
    /// ```
    ///
    /// ## Configuration
    /// Lower or raise it with `[lint] severity = { secret-logged = "low" }`;
    /// silence one line with `keyfence:allow secret-logged` in a comment on
    /// it or the line above.
    pub struct SecretLogged;
}

impl Lint for SecretLogged {
    fn id(&self) -> &'static str {
        "secret-logged"
    }

    fn summary(&self) -> &'static str {
        Self::SUMMARY
    }

    fn default_severity(&self) -> Severity {
        Severity::Medium
    }

    fn doc(&self) -> &'static str {
        Self::DOC
    }

    fn check(&self, cx: &LintContext) -> Vec<Finding> {
        let sev = self.severity(cx);
        let (root, max) = (&cx.root, cx.max_file_size);
        let id = self.id();
        cx.files
            .par_iter()
            .filter_map(|p| Lang::of(p).filter(|l| l.is_code()).map(|l| (p, l)))
            .flat_map_iter(|(p, lang)| {
                let text = super::files::read_text(root, p, max).unwrap_or_default();
                check_text(&text, lang)
                    .into_iter()
                    .map(|hit| {
                        Finding::lint(
                            id,
                            sev,
                            p,
                            hit.line,
                            &hit.code,
                            format!(
                                "{} writes `{}`, a secret-named value, to the output: log a redacted form or nothing",
                                hit.call, hit.ident
                            ),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// One logging call that names a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hit {
    line: usize,
    call: String,
    ident: String,
    /// The line's code, whitespace collapsed (the finding's subject).
    code: String,
}

/// Words that make an identifier secret-named (lowercase, matched on words).
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "apikey",
    "credential",
    "credentials",
    "authorization",
    "privatekey",
    "accesskey",
];

/// Word pairs that make an identifier secret-named.
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("private", "key"),
    ("access", "key"),
    ("signing", "key"),
    ("auth", "key"),
    ("encryption", "key"),
];

/// A last word that makes the identifier describe a secret rather than hold one.
const HARMLESS_LAST: &[&str] = &[
    "count",
    "counts",
    "len",
    "length",
    "size",
    "type",
    "types",
    "kind",
    "name",
    "names",
    "id",
    "ids",
    "url",
    "uri",
    "endpoint",
    "file",
    "filename",
    "path",
    "dir",
    "expiry",
    "expires",
    "expiration",
    "expired",
    "ttl",
    "index",
    "idx",
    "hash",
    "hashed",
    "digest",
    "field",
    "fields",
    "label",
    "prefix",
    "suffix",
    "policy",
    "limit",
    "regex",
    "pattern",
    "valid",
    "exists",
    "required",
    "provided",
    "present",
    "set",
    "manager",
    "store",
    "service",
    "provider",
    "header",
    "env",
    "var",
    "mask",
    "masked",
    "redacted",
    "ref",
    "location",
    "source",
    "format",
    "version",
    "error",
    "err",
    "exception",
    "message",
    "msg",
    "status",
    "state",
    "timeout",
    "at",
    "time",
    "date",
    "created",
    "updated",
    "lifetime",
    "age",
    "strength",
    "hint",
    "reset",
    "changed",
    "match",
    "matches",
    "mismatch",
    "input",
    "prompt",
    "class",
    "fingerprint",
];

/// A first word that makes the identifier a flag or a measure.
const HARMLESS_FIRST: &[&str] = &[
    "is", "has", "should", "use", "uses", "enable", "enabled", "needs", "show", "with", "without",
    "no", "num", "max", "min", "total", "n",
];

/// Calls whose result hides the value.
const SANITIZERS: &[&str] = &[
    "len",
    "length",
    "mask",
    "redact",
    "redacted",
    "hash",
    "sha256",
    "sha1",
    "md5",
    "bool",
    "type",
    "typeof",
    "isset",
    "empty",
    "count",
    "size",
    "strlen",
    "is_some",
    "is_none",
    "is_empty",
    "isEmpty",
    "isBlank",
    "nonzero",
    "present",
    "exists",
    "fingerprint",
    "obfuscate",
    "censor",
    "anonymize",
    "sanitize",
    "scrub",
    "Boolean",
    "isNil",
    "isNull",
    "nonEmpty",
];

static STEMS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build([
            "passw",
            "passphrase",
            "secret",
            "token",
            "apikey",
            "api_key",
            "credential",
            "authorization",
            "private_key",
            "privatekey",
            "access_key",
            "accesskey",
            "signing_key",
            "signingkey",
            "auth_key",
            "authkey",
            "encryption_key",
            "encryptionkey",
        ])
        .expect("literal patterns compile")
});

/// Logging-call patterns. Group `c` is the call; each match ends at the
/// opening parenthesis, or at the whitespace after a parenthesis-less call
/// (Ruby, PHP `echo`).
fn patterns(lang: Lang) -> &'static [Regex] {
    static PY: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        compile(&[
            r"(?m)(?:^|[^.\w])(?P<c>print|pprint)\s*\(",
            r"\b(?P<c>(?:logging|logger|log|_log|_logger|LOG|LOGGER)\.(?:debug|info|warning|warn|error|exception|critical|fatal|log))\s*\(",
            r"\b(?P<c>sys\.(?:stdout|stderr)\.write)\s*\(",
        ])
    });
    static JS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        compile(&[
            r"\b(?P<c>console\.(?:log|info|warn|error|debug|trace|dir|table))\s*\(",
            r"\b(?P<c>(?:logger|log|_logger|LOGGER|LOG|winston|pino|bunyan)\.(?:debug|info|warn|warning|error|fatal|trace|log|verbose|silly))\s*\(",
            r"\b(?P<c>process\.(?:stdout|stderr)\.write)\s*\(",
        ])
    });
    static GO: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        compile(&[
            r"\b(?P<c>fmt\.(?:Print|Println|Printf))\s*\(",
            r"\b(?P<c>fmt\.Fprint(?:f|ln)?)\s*\(\s*os\.(?:Stdout|Stderr)\s*,",
            r"\b(?P<c>log\.(?:Print|Printf|Println|Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln))\s*\(",
            r"\b(?P<c>(?:logger|slog|zap|logrus|sugar|lg|l|log)\.(?:Debug|Info|Warn|Error|Fatal|Debugf|Infof|Warnf|Errorf|Fatalf|Debugw|Infow|Warnw|Errorw))\s*\(",
            r"(?m)(?:^|[^.\w])(?P<c>println|print)\s*\(",
        ])
    });
    static JAVA: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        compile(&[
            r"\b(?P<c>System\.(?:out|err)\.(?:println|print|printf|format))\s*\(",
            r"\b(?P<c>(?:log|logger|LOG|LOGGER|Log)\.(?:trace|debug|info|warn|warning|error|fatal|severe|fine|v|d|i|w|e))\s*\(",
        ])
    });
    static KOTLIN: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        compile(&[
            r"(?m)(?:^|[^.\w])(?P<c>println|print)\s*\(",
            r"\b(?P<c>System\.(?:out|err)\.(?:println|print|printf))\s*\(",
            r"\b(?P<c>(?:log|logger|LOG|LOGGER|Log)\.(?:trace|debug|info|warn|error|v|d|i|w|e))\s*\(",
        ])
    });
    static CS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        compile(&[
            r"\b(?P<c>Console\.(?:Error\.)?(?:WriteLine|Write))\s*\(",
            r"\b(?P<c>Debug\.(?:WriteLine|Print))\s*\(",
            r"\b(?P<c>(?:_?logger|_?log|Log|Logger)\.(?:LogTrace|LogDebug|LogInformation|LogWarning|LogError|LogCritical|Trace|Debug|Info|Information|Warn|Warning|Error|Fatal))\s*\(",
        ])
    });
    static RUST: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        compile(&[
            r"(?m)(?:^|[^.\w:])(?P<c>(?:(?:log|tracing)::)?(?:println|print|eprintln|eprint|dbg|trace|debug|info|warn|error)!)\s*\(",
        ])
    });
    static RUBY: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        compile(&[
            r"(?m)(?:^|[;{|]|\bthen|\bdo|\belse)\s*(?P<c>puts|print|pp|p|warn)(?:\(|[ \t]+)",
            r"\b(?P<c>(?:Rails\.)?logger\.(?:debug|info|warn|error|fatal|unknown))(?:\(|[ \t]+)",
            r"(?P<c>(?:\$stdout|\$stderr|STDOUT|STDERR)\.(?:puts|print|write))(?:\(|[ \t]+)",
        ])
    });
    static PHP: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        compile(&[
            r"(?m)(?:^|[;{])\s*(?P<c>echo|print)[ \t(]",
            r"\b(?P<c>error_log|var_dump|print_r|printf|var_export)\s*\(",
            r"\b(?P<c>log(?:ger)?->(?:debug|info|notice|warning|error|critical|alert|emergency))\s*\(",
        ])
    });
    match lang {
        Lang::Python => &PY,
        Lang::JavaScript => &JS,
        Lang::Go => &GO,
        Lang::Java => &JAVA,
        Lang::Kotlin => &KOTLIN,
        Lang::CSharp => &CS,
        Lang::Rust => &RUST,
        Lang::Ruby => &RUBY,
        Lang::Php => &PHP,
        _ => &[],
    }
}

fn compile(pats: &[&str]) -> Vec<Regex> {
    pats.iter()
        .map(|p| Regex::new(p).expect("built-in pattern compiles"))
        .collect()
}

/// Every logging call in `text` that names a secret.
fn check_text(text: &str, lang: Lang) -> Vec<Hit> {
    if text.is_empty() || !STEMS.is_match(text) {
        return Vec::new();
    }
    let mut hits: Vec<Hit> = Vec::new();
    for re in patterns(lang) {
        for caps in re.captures_iter(text) {
            let (Some(m), Some(c)) = (caps.get(0), caps.name("c")) else {
                continue;
            };
            let start = c.start();
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let line = &text[line_start..line_end];
            let code = code_part(line, lang);
            if start - line_start >= code.len() {
                continue;
            }
            let args = if m.as_str().ends_with('(') {
                call_args(&text[m.end()..], lang)
            } else {
                text[m.end()..line_start + code.len()].to_string()
            };
            let Some(ident) = secret_ident(&args, lang) else {
                continue;
            };
            let line_no = 1 + text[..start].bytes().filter(|b| *b == b'\n').count();
            if hits.iter().any(|h| h.line == line_no) {
                continue;
            }
            hits.push(Hit {
                line: line_no,
                call: c.as_str().to_string(),
                ident,
                code: code.split_whitespace().collect::<Vec<_>>().join(" "),
            });
        }
    }
    hits.sort_by_key(|h| h.line);
    hits
}

/// The arguments of a call whose opening parenthesis ends just before `s`:
/// the code up to the matching closing parenthesis, comments removed,
/// string literals skipped while counting, over a few lines at most.
fn call_args(s: &str, lang: Lang) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for line in s.split('\n').take(MAX_ARG_LINES) {
        let code = code_part(line, lang);
        let b = code.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                q @ (b'"' | b'`') => i = string_end(b, i, q),
                b'\'' if lang != Lang::Rust => i = string_end(b, i, b'\''),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    if depth == 0 {
                        out.push_str(&code[..i]);
                        return out;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            i += 1;
        }
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// How many lines a call's arguments may span.
const MAX_ARG_LINES: usize = 12;

/// Index of the closing quote of the string opening at `i` (or the end).
fn string_end(b: &[u8], i: usize, q: u8) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        if b[j] == b'\\' && q != b'`' {
            j += 2;
            continue;
        }
        if b[j] == q {
            return j;
        }
        j += 1;
    }
    b.len()
}

/// The first secret-named identifier among the values in `args`.
fn secret_ident(args: &str, lang: Lang) -> Option<String> {
    let mut out = Vec::new();
    values(args, lang, false, &mut out);
    out.into_iter()
        .find(|(ident, sanitized)| !sanitized && is_secret_name(ident))
        .map(|(ident, _)| ident)
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c == b'@'
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$'
}

/// Collects the identifier chains used as values in an expression list (not
/// call names, not keyword-argument or object keys), each with whether a
/// sanitizing call wraps it. Interpolations in strings are values too.
fn values(s: &str, lang: Lang, sanitized: bool, out: &mut Vec<(String, bool)>) {
    let b = s.as_bytes();
    let mut i = 0;
    // For each open parenthesis: whether its call hides the value.
    let mut calls: Vec<bool> = Vec::new();
    let mut next_call_sanitizes = false;
    while i < b.len() {
        let c = b[i];
        let wrapped = sanitized || calls.iter().any(|x| *x);
        if c == b'"' || c == b'`' || (c == b'\'' && lang != Lang::Rust) {
            let end = string_end(b, i, c);
            let body = &s[i + 1..end.min(s.len())];
            let prefix = &s[..i];
            for expr in interpolations(body, c, prefix, lang) {
                values(expr, lang, wrapped, out);
            }
            i = end + 1;
            continue;
        }
        if c == b'(' {
            calls.push(std::mem::take(&mut next_call_sanitizes));
            i += 1;
            continue;
        }
        if c == b')' {
            calls.pop();
            i += 1;
            continue;
        }
        let prev = if i > 0 { b[i - 1] } else { b' ' };
        if is_ident_start(c) && !is_ident_char(prev) && prev != b'.' {
            let (chain, end) = read_chain(s, i, lang);
            i = end;
            let rest = s[i..].trim_start();
            let ruby_symbol = lang == Lang::Ruby && prev == b':';
            if rest.starts_with('(') || rest.starts_with("!(") {
                let last = chain.rsplit('.').next().unwrap_or(&chain);
                next_call_sanitizes = SANITIZERS.contains(&last);
                // A getter (`getApiKey()`, `get_token()`) yields the value itself.
                if words(last).first().is_some_and(|w| w == "get") {
                    out.push((chain, wrapped));
                }
                continue;
            }
            let is_key = (rest.starts_with('=') && !rest.starts_with("=="))
                || (rest.starts_with(':') && !rest.starts_with("::"));
            // A comparison or a truth test yields a boolean, not the value.
            let is_test = ["==", "!=", "is ", "?", "<", ">"]
                .iter()
                .any(|op| rest.starts_with(op));
            if !is_key && !is_test && !ruby_symbol {
                out.push((chain, wrapped));
            }
            continue;
        }
        i += 1;
    }
}

/// Reads an identifier chain (`self.api_key`, `cfg->token`, `os.environ["TOKEN"]`)
/// starting at `i`; returns it with '.' separators and the index past it.
fn read_chain(s: &str, mut i: usize, lang: Lang) -> (String, usize) {
    let b = s.as_bytes();
    let mut chain = String::new();
    loop {
        let start = i;
        if i < b.len() && (b[i] == b'@' || b[i] == b'$') {
            i += 1;
        }
        while i < b.len() && is_ident_char(b[i]) {
            i += 1;
        }
        if !chain.is_empty() {
            chain.push('.');
        }
        chain.push_str(s[start..i].trim_start_matches(['@', '$']));
        // A subscript with a string or symbol key joins the chain.
        if b.get(i) == Some(&b'[') {
            let inner_start = i + 1;
            let q = b.get(inner_start).copied();
            if matches!(q, Some(b'"' | b'\'')) || (lang == Lang::Ruby && q == Some(b':')) {
                let (key, after) = if q == Some(b':') {
                    let mut j = inner_start + 1;
                    while j < b.len() && is_ident_char(b[j]) {
                        j += 1;
                    }
                    (&s[inner_start + 1..j], j)
                } else {
                    let q = q.unwrap_or(b'"');
                    let end = string_end(b, inner_start, q);
                    (&s[(inner_start + 1).min(end)..end], end + 1)
                };
                if b.get(after) == Some(&b']') {
                    chain.push('.');
                    chain.push_str(key);
                    i = after + 1;
                }
            }
        }
        let rest = &s[i..];
        let sep = ["?.", "->", "::", "."]
            .into_iter()
            .find(|sep| rest.starts_with(sep));
        match sep {
            Some(sep)
                if rest[sep.len()..]
                    .bytes()
                    .next()
                    .is_some_and(|c| is_ident_start(c) && c != b'@') =>
            {
                i += sep.len();
            }
            _ => return (chain, i),
        }
    }
}

/// The interpolated expressions of a string literal's body, by language:
/// f-strings, template literals, `#{}` in Ruby, `{name}` in Rust format
/// strings, `$name`/`${}` in Kotlin and PHP, `$"{x}"` in C#.
fn interpolations<'a>(body: &'a str, quote: u8, prefix: &str, lang: Lang) -> Vec<&'a str> {
    let before = prefix
        .bytes()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic() || *c == b'$' || *c == b'@')
        .map(|c| c.to_ascii_lowercase())
        .collect::<Vec<u8>>();
    let braces = match lang {
        Lang::Python => before.contains(&b'f'),
        Lang::Rust => true,
        Lang::CSharp => before.contains(&b'$'),
        _ => false,
    };
    let mut out = Vec::new();
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let open = match (lang, b[i]) {
            (Lang::JavaScript, b'$') if quote == b'`' && b.get(i + 1) == Some(&b'{') => Some(2),
            (Lang::Ruby, b'#') if quote == b'"' && b.get(i + 1) == Some(&b'{') => Some(2),
            (Lang::Kotlin | Lang::Php, b'$') if quote == b'"' => {
                if b.get(i + 1) == Some(&b'{') {
                    Some(2)
                } else {
                    let mut j = i + 1;
                    while j < b.len() && is_ident_char(b[j]) && b[j] != b'$' {
                        j += 1;
                    }
                    if j > i + 1 {
                        out.push(&body[i + 1..j]);
                    }
                    i = j.max(i + 1);
                    continue;
                }
            }
            (_, b'{') if braces => {
                if b.get(i + 1) == Some(&b'{') {
                    i += 2;
                    continue;
                }
                Some(1)
            }
            _ => None,
        };
        let Some(skip) = open else {
            i += 1;
            continue;
        };
        let start = i + skip;
        let end = body[start..].find('}').map_or(body.len(), |k| start + k);
        let mut expr = &body[start..end];
        match lang {
            // Format specs and conversions: `{x:?}`, `{x!r}`, `{x,10}`.
            Lang::Rust => expr = expr.split(':').next().unwrap_or(""),
            Lang::Python => expr = expr.split([':', '!']).next().unwrap_or(""),
            Lang::CSharp => expr = expr.split([':', ',']).next().unwrap_or(""),
            _ => {}
        }
        out.push(expr);
        i = end + 1;
    }
    out
}

/// Splits an identifier chain into lowercase words (snake, camel, dotted).
fn words(chain: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in chain.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut cur = String::new();
        for (k, &c) in chars.iter().enumerate() {
            let boundary = k > 0
                && c.is_ascii_uppercase()
                && (chars[k - 1].is_ascii_lowercase()
                    || chars[k - 1].is_ascii_digit()
                    || chars.get(k + 1).is_some_and(|n| n.is_ascii_lowercase())
                        && chars[k - 1].is_ascii_uppercase());
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c.to_ascii_lowercase());
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

/// True when an identifier chain names a secret rather than something about one.
fn is_secret_name(chain: &str) -> bool {
    let w = words(chain);
    let (Some(first), Some(last)) = (w.first(), w.last()) else {
        return false;
    };
    if HARMLESS_LAST.contains(&last.as_str()) || HARMLESS_FIRST.contains(&first.as_str()) {
        return false;
    }
    w.iter().any(|x| SECRET_WORDS.contains(&x.as_str()))
        || w.windows(2)
            .any(|p| SECRET_PAIRS.contains(&(p[0].as_str(), p[1].as_str())))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn secret_names() {
        for n in [
            "password",
            "self.api_key",
            "apiKey",
            "cfg.APIKey",
            "client_secret",
            "AUTH_TOKEN",
            "request.headers.Authorization",
            "os.environ.GITHUB_TOKEN",
            "privateKey",
            "db_passwd",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "token_count",
            "password_length",
            "token.type",
            "is_secret",
            "num_tokens",
            "max_tokens",
            "secret_name",
            "api_key_id",
            "key",
            "monkey",
            "tokenizer",
            "user",
            "authorization_url",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
        assert_eq!(
            words("parseHTTPToken_v2"),
            vec!["parse", "http", "token", "v2"]
        );
    }

    #[test]
    fn values_skip_keys_calls_and_sanitized_arguments() {
        let v = |s: &str, lang| secret_ident(s, lang);
        assert_eq!(v("\"x\", token)", Lang::Python), Some("token".into()));
        assert_eq!(
            v("f\"using {api_key!r}\")", Lang::Python),
            Some("api_key".into())
        );
        assert_eq!(v("\"using {api_key}\")", Lang::Python), None);
        assert_eq!(v("len(password))", Lang::Python), None);
        assert_eq!(v("mask(token), user)", Lang::Python), None);
        assert_eq!(v("token=1)", Lang::Python), None);
        assert_eq!(
            v("`t=${this.token}`)", Lang::JavaScript),
            Some("this.token".into())
        );
        assert_eq!(v("{ token: t })", Lang::JavaScript), None);
        assert_eq!(v("\"{password:?}\")", Lang::Rust), Some("password".into()));
        assert_eq!(
            v("\"{}\", cfg.secret)", Lang::Rust),
            Some("cfg.secret".into())
        );
        assert_eq!(v("\"t #{@token}\"", Lang::Ruby), Some("token".into()));
        assert_eq!(
            v("params[:password]", Lang::Ruby),
            Some("params.password".into())
        );
        assert_eq!(
            v("os.environ[\"API_TOKEN\"])", Lang::Python),
            Some("os.environ.API_TOKEN".into())
        );
        assert_eq!(
            v("\"pw $password\")", Lang::Kotlin),
            Some("password".into())
        );
    }

    /// Each fixture marks the lines the lint must report with a trailing
    /// `expect` comment; every other line must stay quiet.
    fn check_fixture(name: &str, text: &str) {
        let lang = Lang::of(name).expect("known language");
        let want: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim_end().ends_with("expect: secret-logged"))
            .map(|(i, _)| i + 1)
            .collect();
        assert!(!want.is_empty(), "{name}: no expectations");
        let got: Vec<usize> = check_text(text, lang).iter().map(|h| h.line).collect();
        assert_eq!(got, want, "{name}");
    }

    #[test]
    fn fixtures_per_language() {
        for (name, text) in [
            (
                "app.py",
                include_str!("../../fixtures/lint/secret-logged/app.py"),
            ),
            (
                "app.ts",
                include_str!("../../fixtures/lint/secret-logged/app.ts"),
            ),
            (
                "main.go",
                include_str!("../../fixtures/lint/secret-logged/main.go"),
            ),
            (
                "App.java",
                include_str!("../../fixtures/lint/secret-logged/App.java"),
            ),
            (
                "main.rs",
                include_str!("../../fixtures/lint/secret-logged/main.rs"),
            ),
            (
                "app.rb",
                include_str!("../../fixtures/lint/secret-logged/app.rb"),
            ),
            (
                "Main.kt",
                include_str!("../../fixtures/lint/secret-logged/Main.kt"),
            ),
            (
                "Program.cs",
                include_str!("../../fixtures/lint/secret-logged/Program.cs"),
            ),
            (
                "index.php",
                include_str!("../../fixtures/lint/secret-logged/index.php"),
            ),
        ] {
            check_fixture(name, text);
        }
    }

    #[test]
    fn reports_tracked_files_with_path_and_line() {
        let t = Tree::new(&[
            (
                "src/app.py",
                "import logging\n\nlogging.info(\"key %s\", api_key)\n",
            ),
            ("docs/notes.md", "print(password)\n"),
            ("scratch.py", "print(password)\n"),
        ]);
        let repo = t.git(&["src/app.py", "docs/notes.md"]);
        let fs = SecretLogged.check(&t.cx(Some(repo), ""));
        assert_eq!(
            brief(&fs),
            vec![(
                "secret-logged".into(),
                "src/app.py".into(),
                3,
                Severity::Medium
            )]
        );
        assert!(
            fs[0].message.starts_with("logging.info writes `api_key`"),
            "{}",
            fs[0].message
        );
    }
}
