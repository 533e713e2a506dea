#!/usr/bin/env bash
# Builds keyfence's fuzz targets and, when cargo-fuzz is installed, runs each
# one for a few seconds from its seed corpus (new inputs go to a temporary
# directory, not into the repository). CI calls this script; keep it short.
#
#   fuzz/check.sh                  build, and run each target for 10 s
#   FUZZ_SECONDS=120 fuzz/check.sh a longer run
#   FUZZ_SANITIZER=address fuzz/check.sh   with AddressSanitizer (much slower)
#
# keyfence is safe Rust, so the default is no sanitizer: it runs the targets
# about 80 times faster, with debug assertions and overflow checks still on.
#
# A crash, a panic, a unit slower than 10 s or one using more than 2 GB fails
# the script; libFuzzer writes the input to fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${FUZZ_SECONDS:-10}"
sanitizer="${FUZZ_SANITIZER:-none}"
targets=(scan_bytes config baseline)

if cargo fuzz --version >/dev/null 2>&1; then
  # cargo-fuzz passes nightly-only flags (sanitizer, coverage); this lets a
  # stable toolchain accept them.
  export RUSTC_BOOTSTRAP=1
  cargo fuzz build --sanitizer "$sanitizer"
  for t in "${targets[@]}"; do
    scratch="$(mktemp -d)"
    trap 'rm -rf "$scratch"' EXIT
    echo "fuzz/check.sh: running $t for ${seconds}s"
    cargo fuzz run --sanitizer "$sanitizer" "$t" "$scratch" "corpus/$t" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
    rm -rf "$scratch"
  done
else
  echo "fuzz/check.sh: cargo-fuzz is not installed; building the targets only" \
       "(cargo install cargo-fuzz to run them)"
  cargo build --release --bins
fi
