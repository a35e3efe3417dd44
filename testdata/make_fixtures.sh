#!/usr/bin/env bash
# Generates the fixtures described in testdata/fixtures.json into
# testdata/generated/ (ignored by git). Needs the ffmpeg CLI, Go, and the
# shared photos at ../shared/testdata. Idempotent: existing outputs are kept
# unless the script changed since they were made.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out="$here/generated"
photo="$root/../shared/testdata/photos/person_dog_horse.jpg"   # 640x424: person, dog, horse
stamp="$out/.stamp"
sum=$(cat "$0" "$here"/make_subtitles.sh "$here"/gen/*.go | sha256sum | cut -d' ' -f1)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
  bash "$here/make_text.sh" # its own stamp: reruns only when it changed
  exit 0
fi
[ -f "$photo" ] || { echo "make_fixtures: missing $photo (the shared assets)" >&2; exit 1; }
command -v ffmpeg >/dev/null || { echo "make_fixtures: needs the ffmpeg CLI (apt-get install ffmpeg)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/folder/sub" "$out/folder/.hidden"
cd "$out"

ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }
# A 2 s, 10 fps clip of the photo with a keyframe every second: 2 keyframes.
still=(-loop 1 -framerate 10 -t 2 -i "$photo")
gop=(-g 10 -keyint_min 10)
x264=(-c:v libx264 -preset ultrafast -x264-params keyint=10:min-keyint=10:scenecut=0)

ff "${still[@]}" "${x264[@]}" -pix_fmt yuv420p h264.mp4
ff "${still[@]}" -c:v libx265 -preset ultrafast -x265-params keyint=10:min-keyint=10:scenecut=0:log-level=error -pix_fmt yuv420p hevc.mkv
ff "${still[@]}" -c:v libvpx-vp9 -deadline realtime -cpu-used 8 "${gop[@]}" -pix_fmt yuv420p vp9.webm
ff -loop 1 -framerate 10 -t 1 -i "$photo" -c:v libaom-av1 -cpu-used 8 -row-mt 1 "${gop[@]}" -pix_fmt yuv420p av1.mkv
ff "${still[@]}" "${x264[@]}" -pix_fmt yuv420p10le h264_10bit.mp4
ff "${still[@]}" "${x264[@]}" -pix_fmt yuv444p h264_444.mp4
ff "${still[@]}" "${x264[@]}" -pix_fmt yuv420p -f mpegts h264.ts
ff "${still[@]}" "${x264[@]}" -pix_fmt yuv420p -bsf:v h264_mp4toannexb -f h264 raw.h264

# A phone video: stored sideways (the photo turned 90° anticlockwise), with a
# display matrix that turns it 90° clockwise, so upright it is the photo again.
ff "${still[@]}" -vf transpose=2 "${x264[@]}" -pix_fmt yuv420p rotated90.mp4
(cd "$root" && go run ./testdata/gen rotate "$out/rotated90.mp4" 90)
# A front-camera clip: stored mirrored, with a matrix that mirrors it back.
ff "${still[@]}" -vf hflip "${x264[@]}" -pix_fmt yuv420p mirrored.mp4
(cd "$root" && go run ./testdata/gen rotate "$out/mirrored.mp4" mirror)

# Phone photos: pixels stored turned and/or mirrored, with the EXIF
# Orientation (2-8) that makes them upright again; each filter below is the
# inverse of what its orientation asks for.
orient=(2:hflip 3:hflip,vflip 4:vflip 5:transpose=0 6:transpose=2 7:transpose=3 8:transpose=1)
for o in "${orient[@]}"; do
  ff -i "$photo" -vf "${o#*:}" -q:v 3 "exif_orientation${o%%:*}.jpg"
  (cd "$root" && go run ./testdata/gen exif "$out/exif_orientation${o%%:*}.jpg" "${o%%:*}")
done

# Non-square pixels: stored squeezed, shown (and to be analysed) at the
# photo's proportions. 480x424 at SAR 4:3 shows as 640x424; 640x340 at SAR
# 4:5 as 640x425.
ff "${still[@]}" -vf scale=480:424,setsar=4/3 "${x264[@]}" -pix_fmt yuv420p anamorphic_wide.mp4
ff "${still[@]}" -vf scale=640:340,setsar=4/5 "${x264[@]}" -pix_fmt yuv420p anamorphic_tall.mp4

# 4K and tiny, from a synthetic pattern (no objects expected).
ff -f lavfi -i testsrc2=size=3840x2160:rate=10:duration=1 "${x264[@]}" -pix_fmt yuv420p 4k.mp4
ff -f lavfi -i testsrc2=size=64x64:rate=10:duration=2 "${x264[@]}" -pix_fmt yuv420p tiny64.mp4

# Damaged and non-media inputs.
ff -loop 1 -framerate 10 -t 8 -i "$photo" "${x264[@]}" -pix_fmt yuv420p -movflags +faststart long_faststart.mp4
ff -loop 1 -framerate 10 -t 8 -i "$photo" "${x264[@]}" -pix_fmt yuv420p long_moov_end.mp4
cp long_faststart.mp4 corrupt_middle.mp4
(cd "$root" && go run ./testdata/gen corrupt "$out/corrupt_middle.mp4")
size=$(stat -c %s long_faststart.mp4)
head -c $((size / 2)) long_faststart.mp4 > truncated_index_front.mp4
size=$(stat -c %s long_moov_end.mp4)
head -c $((size / 2)) long_moov_end.mp4 > truncated_index_end.mp4
rm long_faststart.mp4 long_moov_end.mp4
: > zero.mp4
(cd "$root" && go run ./testdata/gen random "$out/random.mp4" 200000 7)
printf 'This is not a video.\nJust some text someone named .mp4\n' > text.mp4
ff -f lavfi -i sine=frequency=440:duration=2 -c:a aac audio_only.m4a

# Cover art is not the video, even when larger: horses.jpg (773x512) as an
# attached picture of the 640x424 clip, in mp4 and as a Matroska
# attachment; a song with cover art has no video at all.
horses="$root/../shared/testdata/photos/horses.jpg"
ff -i h264.mp4 -i "$horses" -map 0 -map 1 -c copy -disposition:v:1 attached_pic cover_art.mp4
ff -i h264.mp4 -attach "$horses" -metadata:s:t mimetype=image/jpeg -c copy cover_art_attachment.mkv
ff -f lavfi -i sine=frequency=440:duration=2 -i "$horses" -map 0 -map 1 -c:a aac -c:v copy -disposition:v attached_pic song_with_cover.m4a

# A folder to walk: candidates, non-media to ignore, a hidden folder, a symlink loop.
cp h264.mp4 folder/a.mp4
ff -i h264.mp4 -c copy folder/sub/b.mkv
cp h264.mp4 folder/.hidden/c.mp4
printf 'notes\n' > folder/notes.txt
printf '1\n00:00:00,000 --> 00:00:01,000\nhi\n' > folder/subtitles.srt
: > folder/.DS_Store
ln -s .. folder/sub/loop
mkfifo folder/pipe.mp4

# Sampling beyond keyframes (issue: never miss what is on screen).
videos="$root/../shared/testdata/videos"
# The shared clip of a person walking in, re-encoded with one keyframe: its
# only keyframe shows an empty room, the person is there for 16 of 20 s.
ff -i "$videos/one_by_one_person_h264.mkv" -c:v libx264 -g 9999 -keyint_min 9999 -sc_threshold 0 -an one_keyframe_person.mkv
# A static camera with a 10 s GOP: the pedestrians clip looped 3 times (30 s at 10 fps).
ff -stream_loop 2 -i "$videos/pedestrians_vtest_xvid.avi" -c:v libx264 -preset veryfast -g 100 -keyint_min 100 -sc_threshold 0 -an static_10s_gop.mp4
# All-intra footage: the same clip as 10 fps MJPEG, every frame a keyframe.
ff -i "$videos/pedestrians_vtest_xvid.avi" -c:v mjpeg -q:v 5 -r 10 -an mjpeg_10fps.avi
# A still room (coffee_cup.png, 640x480) into which, at 3 s, a person covering
# about 3.5 % of the frame (the photo's person, 58x188) steps; one keyframe.
ff -loop 1 -framerate 10 -t 6 -i "$root/../shared/testdata/photos/coffee_cup.png" -i "$photo" -filter_complex \
  "[1:v]crop=85:276:191:100,scale=58:188[p];[0:v]scale=640:480[bg];[bg][p]overlay=x=480:y=240:enable='gte(t,3)'" \
  -c:v libx264 -preset veryfast -g 100 -keyint_min 100 -sc_threshold 0 -pix_fmt yuv420p small_person_walks_in.mp4

# Aspect ratios for rectangular inference (bench and soak): the shared
# clip of people walking in as 1280x720 (16:9) and, cropped from its
# middle, 360x640 (9:16 portrait, as phones film), 10 s each with a
# keyframe every second.
mkdir -p aspect
kf1=(-c:v libx264 -preset veryfast -force_key_frames "expr:gte(t,n_forced)" -an)
ff -t 10 -i "$videos/one_by_one_person_h264.mkv" -vf scale=1280:720 "${kf1[@]}" aspect/wide_16x9.mp4
ff -t 10 -i "$videos/one_by_one_person_h264.mkv" -vf crop=243:432,scale=360:640 "${kf1[@]}" aspect/portrait_9x16.mp4

# Edited footage (cut frames): ten shots of 1-2.5 s from the shared clips and
# photos (a photo slowly panned is a shot), 640x360 at 25 fps, encoded with
# one keyframe and scene-cut keyframes off, as H.264 and HEVC (and VP9 and MPEG-4
# Part 2). fixtures.json
# lists each shot's time range and the classes it shows; keep them in step.
# Shots: kind (v: video, p: photo), source, start in the source (s), length (s).
shots=(
  "v street_bikes_h264.mp4 3.1 2.3"
  "p person_dog_horse.jpg 0 1.2"
  "v dog_person_vp9.webm 4.5 1.1"
  "p chelsea_cat.png 0 1.0"
  "v pedestrians_vtest_xvid.avi 2 1.0"
  "p horses.jpg 0 1.0"
  "v one_by_one_person_h264.mkv 6 1.0"
  "p dog_bicycle_truck.jpg 0 1.0"
  "p astronaut_person.png 0 1.2"
  "p coffee_cup.png 0 1.6"
)
photos="$root/../shared/testdata/photos"
shot_in=(); shot_fc=""; n=0; joined=""
for s in "${shots[@]}"; do
  read -r kind src from len <<<"$s"
  if [ "$kind" = v ]; then
    shot_in+=(-ss "$from" -t "$len" -i "$videos/$src")
    shot_fc+="[$n:v]fps=25,scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p,trim=duration=$len,setpts=PTS-STARTPTS[s$n];"
  else
    shot_in+=(-loop 1 -framerate 25 -t "$len" -i "$photos/$src")
    shot_fc+="[$n:v]scale=672:378:force_original_aspect_ratio=decrease,pad=672:378:(ow-iw)/2:(oh-ih)/2,crop=640:360:x='32*t/$len':y='18*t/$len',setsar=1,format=yuv420p,setpts=PTS-STARTPTS[s$n];"
  fi
  joined+="[s$n]"; n=$((n + 1))
done
shot_fc+="${joined}concat=n=$n:v=1:a=0[out]"
mkdir -p shots
ff "${shot_in[@]}" -filter_complex "$shot_fc" -map '[out]' -an \
  -c:v libx264 -preset veryfast -x264-params keyint=500:min-keyint=500:scenecut=0 shots/compilation_h264.mp4
ff "${shot_in[@]}" -filter_complex "$shot_fc" -map '[out]' -an \
  -c:v libx265 -preset veryfast -x265-params keyint=500:min-keyint=500:scenecut=0:log-level=error shots/compilation_hevc.mkv
# The same in VP9 and MPEG-4 Part 2, for the survey of how cuts show in packet sizes.
ff "${shot_in[@]}" -filter_complex "$shot_fc" -map '[out]' -an \
  -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -g 500 -keyint_min 500 shots/compilation_vp9.webm
ff "${shot_in[@]}" -filter_complex "$shot_fc" -map '[out]' -an \
  -c:v mpeg4 -q:v 4 -g 500 -sc_threshold 1000000000 shots/compilation_mpeg4.avi

# Synthetic detectors besides yolov8n: 3 classes, 320 and 256x416 inputs,
# both output layouts, dynamic axes, and names that disagree with the output.
(cd "$root" && go run ./testdata/gen models "$out/models")

# Subtitle tracks and sidecar files (engine/subtitles).
bash "$here/make_subtitles.sh"

# Videos with text on screen (engine/ocr, engine/bench; text_truth.json).
bash "$here/make_text.sh"

echo "$sum" > "$stamp"
