//! Scan throughput on a generated, source-like corpus, with the full built-in
//! ruleset and with the first 10 and 40 rules, to show that cost does not grow with
//! the number of rules.
//!
//! ```text
//! cargo bench --bench throughput                       # 200 MB corpus, 3 runs each
//! cargo bench --bench throughput -- --size-mb 20 --runs 5
//! cargo bench --bench throughput -- --dense            # one line in five names a secret
//! cargo bench --bench throughput -- --quick --check benches/throughput-floor.txt
//! ```
//!
//! `--check FILE` compares single-thread MB/s with the full ruleset against the
//! figure in FILE and exits 1 when it is below half of it (a generous bound:
//! CI machines are noisy); `--record FILE` writes the figure. `--set 10|40|full`
//! and `--single` (one thread) narrow the run, e.g. for `valgrind --tool=callgrind`,
//! whose instruction counts do not depend on machine load.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

use keyfence::filter::FilterSet;
use keyfence::finding::Finding;
use keyfence::rules::RuleSet;
use keyfence::scan::Engine;
use rayon::prelude::*;
use std::sync::Arc;
use std::time::Instant;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    fn ident(&mut self, dense: bool) -> String {
        const WORDS: &[&str] = &[
            "user", "order", "item", "cache", "config", "request", "session", "buffer", "index",
            "value", "node", "parser", "client", "handler", "result", "count", "path", "name",
        ];
        const DENSE: &[&str] = &["token", "key"];
        let a = if dense && self.next() % 10 == 0 {
            self.pick(DENSE)
        } else {
            self.pick(WORDS)
        };
        let b = self.pick(&[
            "", "_id", "Count", "_list", "Map", "_size", "Name", "_ref", "Value", "_key", "_count",
            "Data",
        ]);
        format!("{a}{b}")
    }
    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| b"0123456789abcdef"[(self.next() % 16) as usize] as char)
            .collect()
    }
}

/// One source-like line. By default one line in 200 mentions a secret-like
/// name (password, token, secret, api_key…), as in real code: 0.5% of the lines
/// of the cargo and 0.36% of the git source trees do. `dense` makes it about
/// one line in five, a stress case for the keyword-driven rules.
fn line(r: &mut Rng, out: &mut String, dense: bool) {
    let (a, b, c) = (r.ident(dense), r.ident(dense), r.ident(dense));
    let n = r.next() % 1000;
    let pick = if dense {
        r.next() % 40
    } else if r.next() % 200 == 0 {
        r.next() % 3
    } else {
        3 + r.next() % 37
    };
    match pick {
        0 => out.push_str(&format!("    api_key = config.get(\"{a}\")\n")),
        1 => out.push_str(&format!("    let token = lexer.next_token({b})?;\n")),
        2 => out.push_str(&format!(
            "    password_field.set_label(\"Password\"); // {c}\n"
        )),
        3 => out.push_str(&format!("    checksum = \"{}\"\n", r.hex(40))),
        4..=9 => out.push_str(&format!("    if {a} > {n} {{ return {b}.{c}({n}); }}\n")),
        10..=15 => out.push_str(&format!(
            "    const {a} = await fetch(`/api/v1/{b}/${{{c}}}`);\n"
        )),
        16..=20 => out.push_str(&format!(
            "// {a} handles the {b} for each {c} in the batch ({n} max)\n"
        )),
        21..=25 => out.push_str(&format!(
            "    {a}.insert(\"{b}\".to_string(), {c}.clone());\n"
        )),
        26..=30 => out.push_str(&format!("def {a}(self, {b}, {c}={n}):\n")),
        31..=34 => out.push_str(&format!("  {a}: {n}\n  {b}: \"{c}\"\n")),
        _ => out.push_str(&format!(
            "    for {a} in {b}.iter().filter(|x| x.{c} > {n}) {{\n    }}\n"
        )),
    }
}

fn corpus(size: usize, dense: bool) -> Vec<String> {
    let mut r = Rng(0x5EED_CAFE_F00D_1234);
    let mut files = Vec::new();
    let mut total = 0;
    while total < size {
        let target = 2_000 + (r.next() % 30_000) as usize;
        let mut f = String::with_capacity(target + 200);
        while f.len() < target {
            line(&mut r, &mut f, dense);
        }
        total += f.len();
        files.push(f);
    }
    files
}

fn scan(engine: &Engine, files: &[String], threads: usize) -> (f64, usize) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let t = Instant::now();
    let n = pool.install(|| {
        files
            .par_iter()
            .map_init(
                || (engine.scratch(), Vec::<Finding>::new()),
                |(s, out), f| {
                    out.clear();
                    engine.scan_bytes(f.as_bytes(), "bench.rs", s, out);
                    out.len()
                },
            )
            .sum::<usize>()
    });
    (t.elapsed().as_secs_f64(), n)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    xs[xs.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let quick = args.iter().any(|a| a == "--quick");
    let size_mb: usize = get("--size-mb")
        .map(|s| s.parse().unwrap())
        .unwrap_or(if quick { 16 } else { 200 });
    let runs: usize = get("--runs").map(|s| s.parse().unwrap()).unwrap_or(3);
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);

    let t = Instant::now();
    let dense = args.iter().any(|a| a == "--dense");
    let files = corpus(size_mb * 1_000_000, dense);
    let bytes: usize = files.iter().map(String::len).sum();
    let mb = bytes as f64 / 1e6;
    println!(
        "corpus: {} files, {:.1} MB, generated in {:.2}s; {cores} cores",
        files.len(),
        mb,
        t.elapsed().as_secs_f64()
    );

    let mut full = RuleSet::builtin().expect("built-in rules");
    if let Some(ids) = get("--without") {
        let drop: Vec<&str> = ids.split(',').collect();
        full = full.filtered(|r| !drop.contains(&r.id()));
    }
    let full = Arc::new(full);
    let ten = Arc::new(full.truncated(10));
    let forty = Arc::new(full.truncated(40));
    let mut single_full = 0.0;
    println!("| rules | threads | median s | MB/s | MB/s per core | findings |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let only = get("--set");
    let single = args.iter().any(|a| a == "--single");
    for (label, set) in [("10", &ten), ("40", &forty), ("full", &full)] {
        if only.as_deref().is_some_and(|o| o != label) {
            continue;
        }
        let engine = Engine::new(Arc::clone(set), FilterSet::default());
        scan(&engine, &files[..files.len().min(50)], 1); // warm the lazily built regexes
        let t = Instant::now();
        let hits: usize = files
            .iter()
            .map(|f| engine.matcher().count_keyword_hits(f.as_bytes()))
            .sum();
        let ac = t.elapsed().as_secs_f64();
        println!(
            "| {label} keyword pass only | 1 | {ac:.3} | {:.0} | | {hits} hits |",
            mb / ac
        );
        for threads in if single { vec![1] } else { vec![1, cores] } {
            let mut times = Vec::new();
            let mut found = 0;
            for _ in 0..runs {
                let (s, n) = scan(&engine, &files, threads);
                times.push(s);
                found = n;
            }
            let s = median(times);
            let rate = mb / s;
            if label == "full" && threads == 1 {
                single_full = rate;
            }
            println!(
                "| {} ({}) | {threads} | {s:.3} | {rate:.0} | {:.0} | {found} |",
                label,
                set.len(),
                rate / threads as f64
            );
        }
    }
    if let Some(path) = get("--record") {
        std::fs::write(&path, format!("{single_full:.0}\n")).unwrap();
        println!("recorded {single_full:.0} MB/s (single thread, full ruleset) in {path}");
    }
    if let Some(path) = get("--check") {
        let floor: f64 = std::fs::read_to_string(&path)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let ok = single_full >= floor / 2.0;
        println!(
            "throughput check: {single_full:.0} MB/s against recorded {floor:.0} MB/s (fails below {:.0}): {}",
            floor / 2.0,
            if ok { "ok" } else { "FAILED" }
        );
        if !ok {
            std::process::exit(1);
        }
    }
}
