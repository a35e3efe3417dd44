#!/usr/bin/env bash
# Video fixtures with text on screen (engine/ocr, engine/bench, the text
# bench), into generated/text/: run by make_fixtures.sh, and on its own; it
# has its own stamp, so it reruns only when this script changed.
# testdata/text_truth.json lists, per file, the words a person reads there
# and when, and words that are not there: keep it in step.
#   pan_mall_sale_sign.mp4  the shared photo, slowly panned (crop x/y expressions)
#   pan_blue_plaque.mp4     the shared photo, slowly zoomed in (zoompan)
#   lower_third.mp4         a shared clip with burned-in lower thirds (drawtext):
#                           a name and a title, changing twice
#   hard_subs.mp4           a shared clip with three subtitles burned in (subtitles filter)
#   plain.mp4               a shared clip with nothing written in it (false words)
# All H.264, 25 fps (the clips keep theirs), a keyframe every 5 s, under 50 s in all.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out="$here/generated/text"
shared="$root/../shared/testdata"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
stamp="$out/.stamp"
sum=$(sha256sum "$0" | cut -d' ' -f1)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
  exit 0
fi
for f in "$shared/text/mall_sale_sign.jpg" "$shared/text/blue_plaque.jpg" "$shared/videos/one_by_one_person_h264.mkv" \
  "$shared/videos/dog_person_vp9.webm"; do
  [ -f "$f" ] || { echo "make_text: missing $f (the shared assets)" >&2; exit 1; }
done
[ -f "$font" ] || { echo "make_text: missing $font (apt-get install fonts-dejavu-core)" >&2; exit 1; }
filters=$(ffmpeg -hide_banner -filters 2>/dev/null)
grep -q ' subtitles ' <<<"$filters" ||
  { echo "make_text: this ffmpeg has no subtitles filter (libass)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
cd "$out"

ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }
x264=(-c:v libx264 -preset veryfast -crf 26 -pix_fmt yuv420p -force_key_frames "expr:gte(t,n_forced*5)" -an)

# A photo 9 s at 25 fps, fitted into 1152x648 in the middle of a 1408x792
# dark canvas; a 1280x720 window drifts 128x72 pixels across it, so the
# whole photo stays in view all the time.
ff -loop 1 -framerate 25 -t 9 -i "$shared/text/mall_sale_sign.jpg" -vf \
  "scale=1152:648:force_original_aspect_ratio=decrease,pad=1408:792:(ow-iw)/2:(oh-ih)/2:color=0x202020,crop=1280:720:x='128*t/9':y='72*t/9',setsar=1" \
  "${x264[@]}" pan_mall_sale_sign.mp4
# A small photo (460x276) fitted into 960x576 in the middle of 1280x720,
# zoomed in on the centre to 1.25 over 9 s: at 1.25 it is 1200x720, still
# all in view.
ff -loop 1 -framerate 25 -t 9 -i "$shared/text/blue_plaque.jpg" -vf \
  "scale=960:576:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2:color=0x202020,zoompan=z='1+0.25*on/224':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s=1280x720:fps=25,setsar=1" \
  "${x264[@]}" pan_blue_plaque.mp4

# Lower thirds over the first 10 s of the person walking in (1280x720): a
# name and a title in a dark box, three people, a gap between them.
third() { # from to name title
  local common="fontfile=$font:fontcolor=white:box=1:boxcolor=black@0.65:boxborderw=14:enable='between(t,$1,$2)'"
  printf "drawtext=%s:text='%s':fontsize=44:x=60:y=h-190,drawtext=%s:text='%s':fontsize=30:x=60:y=h-118" \
    "$common" "$3" "$common" "$4"
}
ff -t 10 -i "$shared/videos/one_by_one_person_h264.mkv" -vf \
  "scale=1280:720,setsar=1,$(third 0.5 3.3 'Maria Lopez' 'Harbour Engineer'),$(third 3.8 6.5 'James Okafor' 'City Council'),$(third 7 9.8 'Ana Silva' 'Weather Desk')" \
  "${x264[@]}" lower_third.mp4

# Hard subtitles over the dog and person clip (854x480), from an .srt.
cat > hard_subs.srt <<'EOF'
1
00:00:00,500 --> 00:00:03,000
Where did the dog go?

2
00:00:03,500 --> 00:00:06,000
Over there, by the garden gate

3
00:00:06,500 --> 00:00:09,000
Bring him back inside
EOF
ff -i "$shared/videos/dog_person_vp9.webm" -vf \
  "setpts=PTS-STARTPTS,subtitles=hard_subs.srt:force_style='FontName=DejaVu Sans,Bold=1,FontSize=22'" \
  "${x264[@]}" hard_subs.mp4
rm hard_subs.srt

# Ordinary footage, nothing written: the last 10 s of the clip under the
# lower thirds (a white room people walk into), as it is (768x432).
ff -ss 10 -t 10 -i "$shared/videos/one_by_one_person_h264.mkv" -vf setsar=1 "${x264[@]}" plain.mp4

echo "$sum" > "$stamp"
