#!/usr/bin/env bash
# keyfence GitHub Action: choose what to scan, run keyfence once (SARIF), then
# set the step outputs and write the job summary.
#
# Inputs arrive as environment variables (action.yml maps them):
#   KEYFENCE                   the keyfence binary (default: keyfence on PATH)
#   KEYFENCE_MODE              auto | git | scan | staged | lint
#   KEYFENCE_PATH              repository or directory to scan (default .)
#   KEYFENCE_ARGS              extra arguments, split on whitespace
#   KEYFENCE_BASELINE          baseline file
#   KEYFENCE_FAIL_ON_FINDINGS  true | false
#   KEYFENCE_SARIF_FILE        where to write SARIF
#   KEYFENCE_CATEGORY          SARIF category (runs[].automationDetails.id)
# and the runner's own: GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_OUTPUT,
# GITHUB_STEP_SUMMARY, RUNNER_TEMP.
#
# Outputs: findings, exit-code, sarif-file, checkout-path, kind, range.
# Exit status: 0 clean (or findings with fail-on-findings false), 1 findings,
# 2 an error (keyfence's, or a setup problem such as a shallow clone).
set -euo pipefail

keyfence="${KEYFENCE:-keyfence}"
mode="${KEYFENCE_MODE:-auto}"
path="${KEYFENCE_PATH:-.}"
[[ -n "$path" ]] || path="."
event="${GITHUB_EVENT_NAME:-}"
zeros="0000000000000000000000000000000000000000"

fail() {
  echo "::error title=keyfence::$*"
  exit 2
}

output() {
  case "$2" in
    *$'\n'*) fail "output $1: the value holds a newline" ;;
  esac
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
}

have() { command -v "$1" >/dev/null 2>&1; }

# event_field a.b.c: a string field of the event payload, empty when absent.
event_field() {
  local file="${GITHUB_EVENT_PATH:-}"
  [[ -n "$file" && -f "$file" ]] || fail "GITHUB_EVENT_PATH is not set or not a file: mode auto needs the event payload"
  if have python3; then
    python3 - "$file" "$1" <<'PY'
import json, sys
value = json.load(open(sys.argv[1], encoding="utf-8"))
for key in sys.argv[2].split("."):
    value = value.get(key) if isinstance(value, dict) else None
print(value if isinstance(value, str) else "")
PY
  elif have jq; then
    jq -r --arg p "$1" 'getpath($p | split(".")) // "" | strings' "$file"
  else
    fail "neither python3 nor jq found: mode auto reads the event payload with one of them"
  fi
}

is_sha() { [[ "$1" =~ ^[0-9a-f]{40}$ ]]; }

has_commit() { git -C "$path" cat-file -e "$1^{commit}" 2>/dev/null; }

require_history() {
  git -C "$path" rev-parse --git-dir >/dev/null 2>&1 ||
    fail "$path: not a git repository; check out the repository with actions/checkout first"
  if [[ "$(git -C "$path" rev-parse --is-shallow-repository)" == "true" ]]; then
    fail "$path: this is a shallow clone, so the history keyfence must scan is missing. Set 'fetch-depth: 0' on the actions/checkout step."
  fi
}

require_commit() {
  has_commit "$1" ||
    fail "$path: commit $1 ($2) is not in the clone. Set 'fetch-depth: 0' on the actions/checkout step."
}

# ---- what to scan --------------------------------------------------------
case "${KEYFENCE_FAIL_ON_FINDINGS:-true}" in
  true | True | TRUE) fail_on_findings=true ;;
  false | False | FALSE) fail_on_findings=false ;;
  *) fail "fail-on-findings: expected true or false, got '${KEYFENCE_FAIL_ON_FINDINGS}'" ;;
esac

read -r -a extra <<<"${KEYFENCE_ARGS:-}"
for a in ${extra[@]+"${extra[@]}"}; do
  case "$a" in
    --show-secrets) fail "args: --show-secrets is refused; the action never writes plaintext secrets to logs, summaries or SARIF" ;;
    --format | --format=* | -f | --output | --output=* | -o) fail "args: $a is set by the action (SARIF to the sarif-file input)" ;;
  esac
done

range=""
what=""
case "$mode" in
  auto)
    case "$event" in
      pull_request | pull_request_target)
        base="$(event_field pull_request.base.sha)"
        head="$(event_field pull_request.head.sha)"
        is_sha "$base" && is_sha "$head" || fail "the $event payload has no pull_request.base.sha / head.sha"
        require_history
        require_commit "$base" "the pull request's base"
        require_commit "$head" "the pull request's head"
        kind=pull-request
        cmd=(git "$path" --range "$base..$head")
        range="$base..$head"
        what="every commit of the pull request (\`${base:0:12}..${head:0:12}\`), merge commits included"
        ;;
      merge_group)
        base="$(event_field merge_group.base_sha)"
        head="$(event_field merge_group.head_sha)"
        is_sha "$base" && is_sha "$head" || fail "the merge_group payload has no merge_group.base_sha / head_sha"
        require_history
        require_commit "$base" "the merge group's base"
        require_commit "$head" "the merge group's head"
        kind=merge-group
        cmd=(git "$path" --range "$base..$head")
        range="$base..$head"
        what="every commit of the merge group (\`${base:0:12}..${head:0:12}\`)"
        ;;
      push)
        before="$(event_field before)"
        after="$(event_field after)"
        is_sha "$after" || fail "the push payload has no 'after' commit"
        kind=push
        if [[ "$after" == "$zeros" ]]; then
          echo "keyfence: the push deleted a ref; nothing to scan"
          output findings 0
          output exit-code 0
          output kind "$kind"
          exit 0
        fi
        require_history
        require_commit "$after" "the pushed commit"
        if is_sha "$before" && [[ "$before" != "$zeros" ]] && has_commit "$before"; then
          cmd=(git "$path" --range "$before..$after")
          range="$before..$after"
          what="the commits pushed (\`${before:0:12}..${after:0:12}\`)"
        else
          # A new branch, or a force push whose old tip was not fetched.
          cmd=(git "$path" --branch "$after")
          what="the full history of the pushed commit \`${after:0:12}\` (a new branch or a force push)"
        fi
        ;;
      *)
        require_history
        kind=history
        cmd=(git "$path")
        what="the full history (every commit reachable from any ref)"
        ;;
    esac
    ;;
  git)
    require_history
    kind=git
    cmd=(git "$path")
    what="the git history"
    ;;
  scan)
    kind=scan
    cmd=(scan "$path")
    what="the files under \`$path\`"
    ;;
  staged)
    kind=staged
    cmd=(staged "$path")
    what="the staged changes"
    ;;
  lint)
    kind=lint
    cmd=(lint "$path")
    what="repository hygiene and rotation"
    ;;
  *) fail "mode: expected auto, git, scan, staged or lint, got '$mode'" ;;
esac

sarif="${KEYFENCE_SARIF_FILE:-}"
[[ -n "$sarif" ]] || sarif="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/keyfence-$kind.sarif"
mkdir -p "$(dirname "$sarif")"
sarif="$(cd "$(dirname "$sarif")" && pwd)/$(basename "$sarif")"
rm -f -- "$sarif"
category="${KEYFENCE_CATEGORY:-keyfence/$kind}"

cmd+=(--format sarif --output "$sarif" --no-progress)
if [[ -n "${KEYFENCE_BASELINE:-}" ]]; then
  [[ -f "$KEYFENCE_BASELINE" ]] || fail "baseline: $KEYFENCE_BASELINE: no such file"
  cmd+=(--baseline "$KEYFENCE_BASELINE")
fi
cmd+=(${extra[@]+"${extra[@]}"})

# Paths in SARIF must be relative to the repository root; `scan` reports them
# relative to the scanned directory, so a subdirectory's prefix is added.
prefix=""
if [[ "$kind" == scan && -d "$path" ]]; then
  prefix="$(git -C "$path" rev-parse --show-prefix 2>/dev/null || true)"
fi
checkout="$(git -C "$path" rev-parse --show-toplevel 2>/dev/null || true)"
if [[ -z "$checkout" ]]; then
  if [[ -d "$path" ]]; then checkout="$(cd "$path" && pwd)"; else checkout="$(pwd)"; fi
fi

# ---- run -----------------------------------------------------------------
echo "keyfence: scanning $what"
echo "+ $keyfence ${cmd[*]}"
set +e
"$keyfence" "${cmd[@]}"
code=$?
set -e

output exit-code "$code"
output kind "$kind"
output range "$range"
output checkout-path "$checkout"

if [[ ! -s "$sarif" ]]; then
  output findings 0
  fail "keyfence exited with $code and wrote no SARIF (see the log above)"
fi
output sarif-file "$sarif"

# ---- SARIF category, paths, count and job summary ------------------------
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
if have python3; then
  findings="$(python3 - "$sarif" "$category" "$prefix" "$what" "$code" "$summary" <<'PY'
import json, os, sys, urllib.parse

sarif_path, category, prefix, what, code, summary_path = sys.argv[1:7]
with open(sarif_path, encoding="utf-8") as f:
    log = json.load(f)

results = []
for run in log.get("runs", []):
    run.setdefault("automationDetails", {})["id"] = category.rstrip("/") + "/"
    for r in run.get("results", []):
        for loc in r.get("locations", []):
            art = loc.get("physicalLocation", {}).get("artifactLocation", {})
            if prefix and "uri" in art:
                art["uri"] = urllib.parse.quote(prefix, safe="/!$&'()*+,;=:@-._~") + art["uri"]
        results.append(r)

tmp = sarif_path + ".tmp"
with open(tmp, "w", encoding="utf-8") as f:
    json.dump(log, f, indent=2, ensure_ascii=False)
    f.write("\n")
os.replace(tmp, sarif_path)


def cell(text, code=True):
    text = str(text).replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    if code:
        return "`" + text.replace("`", "'") + "`" if text else ""
    return text


MAX_ROWS = 200
n = len(results)
lines = []
if n == 0:
    lines.append("### keyfence: no findings")
    lines.append("")
    lines.append(f"Scanned {what}.")
else:
    lines.append(f"### keyfence: {n} finding{'s' if n != 1 else ''}")
    lines.append("")
    lines.append(f"Scanned {what}. Secrets are shown redacted.")
    lines.append("")
    lines.append("| Rule | Location | Secret (redacted) | Commit |")
    lines.append("| --- | --- | --- | --- |")
    for r in results[:MAX_ROWS]:
        props = r.get("properties", {})
        phys = (r.get("locations") or [{}])[0].get("physicalLocation", {})
        uri = urllib.parse.unquote(phys.get("artifactLocation", {}).get("uri", ""))
        line = phys.get("region", {}).get("startLine", "")
        commit = props.get("commit") or {}
        lines.append(
            "| {} | {} | {} | {} |".format(
                cell(r.get("ruleId", "")),
                cell(f"{uri}:{line}" if line else uri),
                cell(props.get("secret_redacted", "")),
                cell(commit.get("id", "")[:12]) if commit else "",
            )
        )
    if n > MAX_ROWS:
        lines.append("")
        lines.append(f"… and {n - MAX_ROWS} more: see the SARIF file.")
if code == "2":
    lines.append("")
    lines.append("keyfence reported errors: see the step's log.")
with open(summary_path, "a", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n\n")
print(n)
PY
)"
else
  echo "::warning title=keyfence::python3 not found: no job summary, and the SARIF category is keyfence's own"
  findings="$(grep -c '"ruleId":' "$sarif" || true)"
fi
output findings "$findings"

case "$code" in
  0) echo "keyfence: no findings" ;;
  1)
    if [[ "$fail_on_findings" == true ]]; then
      echo "::error title=keyfence::$findings finding(s); see the job summary"
      exit 1
    fi
    echo "::warning title=keyfence::$findings finding(s); see the job summary (fail-on-findings is false)"
    ;;
  *) fail "keyfence exited with $code (see the log above)" ;;
esac
