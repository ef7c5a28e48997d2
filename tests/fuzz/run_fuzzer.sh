#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Runs a libFuzzer target for the test suite:
#
#   run_fuzzer.sh FUZZER SEED_DIR ARTIFACT_DIR [libFuzzer options...]
#
# libFuzzer adds every input that finds new coverage to the first corpus
# directory it is given, so it gets a temporary copy of the committed seeds,
# removed afterwards: running the suite leaves the source tree as it was.
# Crash, leak and timeout inputs go to ARTIFACT_DIR (the build tree), where
# they outlive the run.
set -eu

fuzzer=$1
seeds=$2
artifacts=$3
shift 3

work=$(mktemp -d "${TMPDIR:-/tmp}/strata-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cp -R "$seeds/." "$work/"
mkdir -p "$artifacts"

# UBSan only prints by default; in a fuzz run any report must fail.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1"

# libFuzzer exits with 77 on a crash, which meson takes for a skipped test.
"$fuzzer" -error_exitcode=1 -timeout_exitcode=1 -artifact_prefix="$artifacts/" "$@" "$work"
