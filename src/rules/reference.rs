//! The rule reference (`docs/rules-reference.md`), rendered from rule
//! metadata so that it cannot drift from the rules themselves.

use super::RuleSet;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The family of a rule: the first of its tags (`other` when it has none).
pub fn family(tags: &[String]) -> &str {
    tags.first().map_or("other", String::as_str)
}

/// Renders the Markdown reference of every rule in `rules`, grouped by
/// family (alphabetically), each family's rules in id order.
pub fn render(rules: &RuleSet) -> String {
    let mut families: BTreeMap<&str, Vec<&super::Rule>> = BTreeMap::new();
    for r in rules.rules() {
        families.entry(family(&r.syntax.tags)).or_default().push(r);
    }
    for list in families.values_mut() {
        list.sort_by(|a, b| a.id().cmp(b.id()));
    }
    let validated = rules
        .rules()
        .iter()
        .filter(|r| r.syntax.validator.is_some())
        .count();
    let mut out = String::new();
    out.push_str("# Rule reference\n\n");
    out.push_str(
        "<!-- Generated from rules/*.toml by `keyfence rules reference`; do not edit. \
         The test suite fails when this file is stale. -->\n\n",
    );
    let _ = writeln!(
        out,
        "keyfence has {} built-in rules in {} families; {} of them check the \
         token's own structure offline (a validator). `keyfence rules explain ID` \
         shows a rule's description, format and examples. See [rules.md](rules.md) \
         for the rule format.\n",
        rules.len(),
        families.len(),
        validated
    );
    out.push_str("| family | rules |\n| --- | ---: |\n");
    for (f, list) in &families {
        let _ = writeln!(out, "| [{f}](#{f}) | {} |", list.len());
    }
    for (f, list) in &families {
        let _ = write!(
            out,
            "\n## {f}\n\n| id | name | severity | confidence | validator | tags | references |\n\
             | --- | --- | --- | --- | --- | --- | --- |\n"
        );
        for r in list {
            let s = &r.syntax;
            let refs: Vec<String> = s
                .references
                .iter()
                .enumerate()
                .map(|(i, u)| format!("[{}]({})", i + 1, u.replace(' ', "%20")))
                .collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} | {} |",
                s.id,
                cell(&s.name),
                s.severity,
                s.confidence,
                s.validator
                    .as_deref()
                    .map_or("".into(), |v| format!("`{v}`")),
                cell(&s.tags.join(", ")),
                refs.join(" ")
            );
        }
    }
    out
}

/// Escapes text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSetBuilder;

    #[test]
    fn groups_by_family_and_escapes_cells() {
        let mut b = RuleSetBuilder::default();
        b.add_file_text(
            "t.toml",
            r#"
[[rules]]
id = "zeta-key"
name = "Zeta | key"
keywords = ["zz"]
regex = 'zz'
tags = ["cloud", "zeta"]
references = ["https://zeta.example/docs"]
[[rules]]
id = "alpha-key"
name = "Alpha key"
keywords = ["aa"]
regex = 'aa'
validator = "jwt"
tags = ["ai"]
[[rules]]
id = "beta-key"
name = "Beta key"
keywords = ["bb"]
regex = 'bb'
"#,
        )
        .expect("rules");
        let text = render(&b.build(&[]).expect("build"));
        assert!(
            text.contains("3 built-in rules in 3 families; 1 of them"),
            "{text}"
        );
        let ai = text.find("\n## ai").expect("ai section");
        let cloud = text.find("\n## cloud").expect("cloud section");
        let other = text.find("\n## other").expect("other section");
        assert!(ai < cloud && cloud < other);
        assert!(text.contains("| `zeta-key` | Zeta \\| key | high | medium |  | cloud, zeta | [1](https://zeta.example/docs) |"), "{text}");
        assert!(text.contains("| `alpha-key` | Alpha key | high | medium | `jwt` | ai |  |"));
    }
}
