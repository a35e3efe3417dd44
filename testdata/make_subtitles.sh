#!/usr/bin/env bash
# Subtitle fixtures (engine/subtitles), into generated/subtitles/: run by
# make_fixtures.sh (which reruns when this script changes). The text sources
# and sidecars come from `go run ./testdata/gen subtitles` (gen/subtitles.go
# says what each holds); engine/subtitles' tests hold the cues they give.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out="$here/generated/subtitles"
clip="$root/../shared/testdata/videos/dog_person_vp9.webm"
[ -f "$clip" ] || { echo "make_subtitles: missing $clip (the shared assets)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
(cd "$root" && go run ./testdata/gen subtitles "$out")
cd "$out"
ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }
# 8 s of VP9 that starts at 0, so cue times are as written.
ff -f lavfi -i testsrc2=size=320x240:rate=10:duration=8 -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -g 10 -pix_fmt yuv420p src/video.webm
video=(-i src/video.webm)

# MKV: SubRip (eng), ASS with override codes (fra), PGS (deu) and DVD
# (no language) bitmap tracks; FFmpeg's CLI cannot draw text into bitmaps,
# so both come from the small PGS stream gen writes.
ff "${video[@]}" -i src/dialogue.srt -i src/dialogue.ass -i src/bitmap.sup -i src/bitmap.sup \
  -map 0:v -map 1 -map 2 -map 3 -map 4 -c:v copy -c:s:0 srt -c:s:1 ass -c:s:2 copy -c:s:3 dvdsub \
  -metadata:s:s:0 language=eng -metadata:s:s:1 language=fra -metadata:s:s:2 language=deu tracks.mkv
# MP4 with mov_text, WebM with WebVTT (voice tags).
ff "${video[@]}" -i src/dialogue.srt -map 0:v -map 1 -c:v copy -c:s mov_text -metadata:s:s:0 language=eng tracks.mp4
ff "${video[@]}" -i src/dialogue.vtt -map 0:v -map 1 -c:v copy -c:s copy -metadata:s:s:0 language=eng tracks.webm
# The shared clip's VP9 starts at 14 ms (ffprobe: stream start_time), as
# the frame times engine/media gives count from: so do cue times.
ff -t 8 -i "$clip" -i src/dialogue.srt -map 0:v -map 1 -c:v copy -c:s srt offset.mkv
# 100,000 cues of 80 ms every 100 ms (no video).
ff -i src/many.srt -c:s srt many_cues.mkv
# The same, its middle third scribbled over: broken subtitle packets.
cp many_cues.mkv broken.mkv
(cd "$root" && go run ./testdata/gen corrupt "$out/broken.mkv")
# A video without subtitle streams, for the sidecars gen wrote next to it,
# and another whose name is longer (movie.cut.srt is its own).
ff "${video[@]}" -c:v copy sidecar/movie.mkv
cp sidecar/movie.mkv sidecar/movie.cut.mkv
# A binary "sidecar".
(cd "$root" && go run ./testdata/gen random "$out/sidecar/movie.it.srt" 4096 11)
