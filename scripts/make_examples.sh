#!/usr/bin/env bash
# Regenerates the spoken example clips shipped in audioml/example_clips/ (espeak-ng + sox, 16 kHz mono).
# They are synthetic speech made for this project, not dataset recordings.
set -euo pipefail
out="$(dirname "$0")/../audioml/example_clips"
mkdir -p "$out"
say() {  # name, voice, speed, text
  espeak-ng -v "$2" -s "$3" -w /tmp/audioml_say.wav "$4"
  sox /tmp/audioml_say.wav -r 16000 -c 1 -b 16 "$out/$1.wav" silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse norm -3
}
say seven en-us 140 "seven"
say three en 130 "three"
say nine en-us+f3 140 "nine"
say sentence en-us 150 "A spectrogram shows how the energy of a sound changes over time."
rm -f /tmp/audioml_say.wav
