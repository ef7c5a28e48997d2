# SPDX-License-Identifier: BSD-3-Clause
# Sourced by tests/data/{vp9,av1}/capture.sh (their headers say what the
# committed capture is); the capture and every check are the same for both
# codecs but for these, set by the caller before sourcing:
#   codec       webrtc_capture's --codec (vp9, av1)
#   decoder     the GStreamer elements after ivfparse (vp9dec; av1parse ! av1dec)
#   native_by   the name of the layer selection by the codec's own headers,
#               next to "dd" (the dependency descriptor)
#   here        the caller's directory (l3t3.rtp and l3t3.json live there)
# Arguments: [--check] [BUILD_DIR].
set -eu

top=$(cd "$here/../../.." && pwd)
check_only=0
if [ "${1:-}" = "--check" ]; then
	check_only=1
	shift
fi
build=${1:-$top/build}
tools=$build/tests/tools
work=$(mktemp -d "${TMPDIR:-/tmp}/strata-$codec-capture.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

[ -f "$build/build.ninja" ] || meson setup "$build" "$top"
ninja -C "$build" tests/tools/webrtc_capture tests/tools/webrtc_summary \
	tests/tools/webrtc_depay > /dev/null

summary() {
	"$tools/webrtc_summary" "$work/l3t3.rtp" --expect-ssrcs 1 --expect-layers 3x3 \
		--expect-dd --expect-complete
}

if [ $check_only = 1 ]; then
	cp "$here/l3t3.rtp" "$here/l3t3.json" "$work/"
	summary
else
	# A busy machine makes the encoder leave out a layer frame now and
	# then: such a capture (or a failed run) is taken again, up to three
	# times.
	attempt=1
	while :; do
		"$tools/webrtc_capture" --codec "$codec" --mode L3T3 --width 1280 --height 720 \
			--fps 30 --max-kbps 1000 --warmup 3000 --seconds 5 --pli-every 2000 \
			--out "$work/l3t3.rtp" && summary && break
		[ $attempt -lt 3 ] || { echo "FAIL: no clean capture in 3 attempts" >&2; exit 1; }
		attempt=$((attempt + 1))
		echo "capturing again (attempt $attempt of 3)"
	done
fi

# decode IVF DECODER: the pictures GStreamer decoded and their sizes; fails
# on any error or warning (a decoder warns about a frame it cannot decode).
decode() {
	if ! gst-launch-1.0 -v filesrc location="$1" ! ivfparse ! $2 ! \
		fakesink silent=false > "$work/gst.log" 2>&1 ||
		grep -qE '^(ERROR|WARNING)' "$work/gst.log"; then
		grep -E '^(ERROR|WARNING)' "$work/gst.log" >&2 || tail -5 "$work/gst.log" >&2
		return 1
	fi
	sizes=$(sed -n 's/.*fakesink0.GstPad:sink: caps = .*width=(int)\([0-9]*\), height=(int)\([0-9]*\).*/\1x\2/p' \
		"$work/gst.log" | sort -u | tr '\n' ' ')
	echo "$(grep -c 'last-message = chain' "$work/gst.log") $sizes"
}

echo "operating point       pictures  decoded  sizes"
for by in "$native_by" dd; do
	for s in 0 1 2; do
		for t in 0 1 2; do
			opt=
			[ $by = dd ] && opt=--by-dd
			json=$("$tools/webrtc_depay" "$work/l3t3.rtp" --out "$work/op.ivf" \
				--max-spatial $s --max-temporal $t $opt)
			pictures=$(echo "$json" | sed 's/.*"pictures":\([0-9]*\).*/\1/')
			res=$(decode "$work/op.ivf" "$decoder") ||
				{ echo "FAIL: S${s}T$t by $by: decode errors" >&2; exit 1; }
			set -- $res
			decoded=$1
			shift
			printf 'S%dT%d by %-10s  %8d  %7d  %s\n' $s $t $by "$pictures" "$decoded" "$*"
			if [ "$decoded" != "$pictures" ]; then
				echo "FAIL: S${s}T$t: $decoded of $pictures pictures decoded" >&2
				exit 1
			fi
		done
	done
done

if [ $check_only = 0 ]; then
	cp "$work/l3t3.rtp" "$work/l3t3.json" "$here/"
	echo "written: $here/l3t3.rtp $here/l3t3.json"
fi
