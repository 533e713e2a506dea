#!/usr/bin/env bash
# keyfence GitHub Action: install keyfence from the action's own checkout.
#
#   install.sh key      print the cache directory and key (step outputs `dir`, `key`)
#   install.sh install  put keyfence in $KEYFENCE_INSTALL_DIR/bin (step output `binary`)
#
# The key covers the version and every file the build reads, so a cached binary
# is reused only for the exact source it was built from. `install` skips cargo
# when the cache restored a binary of the right version.
#
# KEYFENCE_ACTION_BINARY, when set, names an already built keyfence that is
# used instead of building one (a prebuilt binary, or the action's own tests).
set -euo pipefail

action_dir="${GITHUB_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

fail() {
  echo "::error title=keyfence::$*"
  exit 2
}

output() {
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
  printf '%s=%s\n' "$1" "$2"
}

# The package version from Cargo.toml's [package] table.
version() {
  sed -n '/^\[package\]/,/^\[/{s/^version *= *"\([^"]*\)".*/\1/p}' "$action_dir/Cargo.toml" | head -n 1
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi
}

# A digest of everything the build reads.
source_digest() {
  (
    cd "$action_dir"
    find Cargo.toml Cargo.lock build.rs src rules -type f 2>/dev/null | LC_ALL=C sort | while IFS= read -r f; do
      printf '%s\n' "$f"
      cat -- "$f"
    done
  ) | sha256 | cut -c1-16
}

# Where a given version and digest is installed.
install_dir() {
  printf '%s/keyfence/%s-%s\n' "${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}}" "$1" "$2"
}

cmd_key() {
  local v digest
  v="$(version)"
  [[ -n "$v" ]] || fail "$action_dir/Cargo.toml: no package version"
  digest="$(source_digest)"
  output dir "$(install_dir "$v" "$digest")"
  output key "keyfence-$v-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-$digest"
}

cmd_install() {
  local v dir bin
  v="$(version)"
  dir="${KEYFENCE_INSTALL_DIR:-}"
  if [[ -z "$dir" ]]; then
    dir="$(install_dir "$v" "$(source_digest)")"
  fi
  bin="$dir/bin/keyfence"
  mkdir -p "$dir/bin"
  if [[ -n "${KEYFENCE_ACTION_BINARY:-}" ]]; then
    [[ -x "$KEYFENCE_ACTION_BINARY" ]] || fail "KEYFENCE_ACTION_BINARY=$KEYFENCE_ACTION_BINARY: not an executable file"
    cp -f -- "$KEYFENCE_ACTION_BINARY" "$bin"
    echo "keyfence: using $KEYFENCE_ACTION_BINARY"
  elif [[ -x "$bin" ]] && [[ "$("$bin" --version 2>/dev/null)" == "keyfence $v" ]]; then
    echo "keyfence: $v restored from the cache"
  else
    command -v cargo >/dev/null 2>&1 ||
      fail "cargo not found: keyfence is built from source; add a Rust toolchain step (for example dtolnay/rust-toolchain@stable) before this action"
    echo "keyfence: building $v with cargo (cached for later runs)"
    CARGO_TARGET_DIR="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/keyfence-target" \
      cargo install --path "$action_dir" --locked --root "$dir" --bin keyfence --force ||
      fail "cargo install failed (see the log above)"
  fi
  "$bin" --version >/dev/null || fail "$bin does not run"
  if [[ -n "${GITHUB_PATH:-}" ]]; then
    printf '%s\n' "$dir/bin" >>"$GITHUB_PATH"
  fi
  output binary "$bin"
}

case "${1:-}" in
  key) cmd_key ;;
  install) cmd_install ;;
  *)
    echo "usage: install.sh key|install" >&2
    exit 2
    ;;
esac
