#!/usr/bin/env bash
# Fuzz every target for a bounded time (default 60 s each) and fail on the first crash,
# hang or leak. Works with stable Rust: cargo-fuzz's nightly-only flags (-Zsanitizer)
# are allowed through RUSTC_BOOTSTRAP=1. Installs cargo-fuzz (about a minute) and a C++
# compiler (libFuzzer is C++) when they are missing.
#
#   fuzz/run.sh [SECONDS] [TARGET...]     e.g. fuzz/run.sh 3600 sql
#
# New inputs go to fuzz/work/<target>/ (ignored); the committed seeds in
# fuzz/corpus/<target>/ are only read. A crash leaves its input in
# fuzz/artifacts/<target>/; reproduce it with `fuzz/run.sh repro TARGET FILE`.
set -euo pipefail
cd "$(dirname "$0")"

export RUSTC_BOOTSTRAP=1
# Debug assertions and overflow checks on, release optimisations, AddressSanitizer.
build_flags=(--release --debug-assertions)

if ! command -v c++ >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ >/dev/null
  else
    echo "fuzz: libFuzzer needs a C++ compiler: sudo apt-get install -y g++" >&2
    exit 1
  fi
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked --quiet
fi

if [[ ${1:-} == repro ]]; then
  [[ $# -eq 3 ]] || { echo "usage: fuzz/run.sh repro TARGET FILE" >&2; exit 2; }
  exec cargo fuzz run "${build_flags[@]}" "$2" "$(realpath "$3")"
fi

seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || mapfile -t targets < <(cargo fuzz list)

cargo fuzz build "${build_flags[@]}"
status=0
for target in "${targets[@]}"; do
  mkdir -p "work/$target" "artifacts/$target"
  log="work/$target.log"
  echo "== fuzz $target for ${seconds}s"
  # -timeout: one input running longer is a hang (the server would stall every client).
  if cargo fuzz run "${build_flags[@]}" "$target" "work/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=20 -print_final_stats=1 >"$log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    corpus=$(find "work/$target" -type f | wc -l)
    echo "fuzz $target: ok, ${execs:-?} executions in ${seconds}s, ${corpus} inputs in the working corpus"
  else
    status=1
    echo "fuzz $target: FAILED (log: fuzz/$log)" >&2
    grep -E "panicked|ERROR: |SUMMARY|Test unit written|Running:" "$log" | head -20 >&2 || tail -40 "$log" >&2
  fi
done
exit "$status"
