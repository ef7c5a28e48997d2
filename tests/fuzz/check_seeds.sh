#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Checks that the committed seed corpus is exactly what its generator
# writes, so the corpus stays reproducible from gen_srtp_seeds.c and its
# valid packets still match the keys in fuzz_keys.h.
#
#   check_seeds.sh GENERATOR CORPUS_DIR
set -eu

gen=$1
corpus=$2

work=$(mktemp -d "${TMPDIR:-/tmp}/strata-seeds.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$gen" "$work/corpus"
if ! diff -r "$corpus" "$work/corpus"; then
	echo "$corpus differs from what $gen writes: rerun it (see gen_srtp_seeds.c)" >&2
	exit 1
fi
