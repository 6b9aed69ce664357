"""PocketSphinx keyword spotting, the peer the real-speech benchmark scores beside seqkeras.

PyPI ``pocketsphinx`` with its bundled en-us acoustic model and ``cmudict-en-us.dict``,
keyphrase = the keyword, as in Picovoice's wake-word benchmark (``engine.py``), whose
sweep is ``kws_threshold = 1e21 .. 1e-15`` in steps of 10^3; here the sweep goes on to
looser thresholds (``PEER_THRESHOLD_EXPONENTS``) so that it reaches every false-accept
budget.

All thresholds are decoded in **one pass**: the keyphrase is added to the dictionary
once per threshold under an alias (``computer__t12`` with the keyword's pronunciation)
and searched as a keyphrase list, each with its own threshold. PocketSphinx evaluates
keyphrases independently (a detection resets nothing, and copies of one phrase share
every HMM score), so each alias detects exactly what a decoder with that single
threshold detects (tested). Unlike Picovoice's loop, the decoder is not restarted after
a detection: the benchmark applies the same refractory period to these detections as to
seqkeras' own.

Example::

    detections = keyword_detections(pcm_int16, "computer", exponents=(-10, -20))
    detections[-10]       # end times (s) of the detections at kws_threshold 1e-10
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from typing import Any

import numpy as np

SAMPLE_RATE = 16000
FRAME_SECONDS = 0.01  # PocketSphinx's 100 frames per second
PEER_THRESHOLD_EXPONENTS = tuple(range(21, -61, -2))
INSTALL = "pip install pocketsphinx==5.1.1"
_ALIAS = "{word}__t{index}"


def available() -> bool:
    """True when ``pocketsphinx`` can be imported."""
    try:
        import pocketsphinx  # noqa: F401
    except ImportError:
        return False
    return True


def _require() -> None:
    if not available():
        raise ImportError(f"the PocketSphinx peer needs pocketsphinx: {INSTALL}")


def _decoder(keyword: str) -> Any:
    """A PocketSphinx decoder with its bundled en-us model and dictionary, keyword spotting
    on (the keyphrase is replaced by the caller when it needs the whole keyword)."""
    _require()
    from pocketsphinx import Decoder, get_model_path

    model = get_model_path()
    return Decoder(
        hmm=os.path.join(model, "en-us", "en-us"),
        dict=os.path.join(model, "en-us", "cmudict-en-us.dict"),
        lm=None,
        keyphrase=keyword.split()[0].lower(),
        logfn=os.devnull,
    )


def pronunciation(keyword: str) -> list[str]:
    """The keyword's phones from PocketSphinx's own dictionary (one entry per word);
    ``ValueError`` naming the word when it has none."""
    decoder = _decoder(keyword)
    phones = []
    for word in keyword.lower().split():
        found = decoder.lookup_word(word)
        if not found:
            raise ValueError(
                f"PocketSphinx's dictionary has no pronunciation of {word!r} (keyword "
                f"{keyword!r}); it cannot be the peer for this keyword"
            )
        phones.append(found)
    return phones


def keyword_detections(
    pcm: np.ndarray, keyword: str, exponents: Sequence[int] = PEER_THRESHOLD_EXPONENTS
) -> dict[int, list[float]]:
    """End times (s) of PocketSphinx's detections of ``keyword`` in ``pcm`` (16 kHz int16),
    for ``kws_threshold = 10**e`` with every ``e`` of ``exponents``, in one pass."""
    if pcm.dtype != np.int16 or pcm.ndim != 1:
        raise ValueError(f"pcm must be 1-D int16 at 16 kHz, got {pcm.dtype} {pcm.shape}")
    phones = " ".join(pronunciation(keyword))
    decoder = _decoder(keyword)
    word = "_".join(keyword.lower().split())
    aliases = {}
    lines = []
    for index, exponent in enumerate(exponents):
        alias = _ALIAS.format(word=word, index=index)
        decoder.add_word(alias, phones, True)
        aliases[alias] = int(exponent)
        lines.append(f"{alias} /1e{int(exponent)}/\n")
    with tempfile.NamedTemporaryFile("w", suffix=".kws", delete=False) as handle:
        handle.writelines(lines)
        kws_path = handle.name
    try:
        decoder.add_kws("sweep", kws_path)
        decoder.activate_search("sweep")
        decoder.start_utt()
        decoder.process_raw(pcm.tobytes(), False, True)
        decoder.end_utt()
        found: dict[int, list[float]] = {int(e): [] for e in exponents}
        for segment in decoder.seg():
            # The keyphrase list reports the text before " /threshold/", space included.
            word = segment.word.strip()
            if word in aliases:
                found[aliases[word]].append(segment.end_frame * FRAME_SECONDS)
    finally:
        os.unlink(kws_path)
    return {e: sorted(times) for e, times in found.items()}


def version() -> str:
    """The installed pocketsphinx version (cache keys and reports)."""
    from importlib.metadata import version as package_version

    return package_version("pocketsphinx")
