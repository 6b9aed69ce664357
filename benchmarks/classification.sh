#!/usr/bin/env bash
# Sentiment and entity-tagging figures of BENCHMARKS.md ("Sentiment and entity tagging").
# Every number is written by the recipe that measured it (JSON in OUT); run it under the
# shared lock:  flock /tmp/seqkeras-heavy.lock bash benchmarks/classification.sh [OUT]
set -euo pipefail
OUT=${1:-runs/benchmarks-classification}
SEQKERAS=${SEQKERAS:-.venv/bin/seqkeras}
mkdir -p "$OUT"
# 10-fold CV on Pang & Lee 200: averaging vs LSTM (GloVe 6B 50d, frozen) vs VADER, same folds
"$SEQKERAS" sentiment cv --out "$OUT/sentiment-cv" --quiet
# the same folds, every training set plus 500 synthetic negation sentences (VADER lexicon words)
"$SEQKERAS" sentiment cv --out "$OUT/sentiment-cv-augmented" --models average,rnn --augment-negation 500 --quiet
# NER on the WNUT-16-style tweets, fixed 80/20 split (every 5th tweet held out)
"$SEQKERAS" ner train --run-dir "$OUT/ner-bilstm-glove" --quiet
"$SEQKERAS" ner train --run-dir "$OUT/ner-lstm-glove" --no-bidirectional --quiet
"$SEQKERAS" ner train --run-dir "$OUT/ner-bilstm-random" --embeddings random --quiet
"$SEQKERAS" ner train --run-dir "$OUT/ner-bilstm-glove-chars" --char-features --quiet
# the same four taggers trained 60 epochs (the training loss still falls at 20)
"$SEQKERAS" ner train --run-dir "$OUT/ner-bilstm-glove-e60" --epochs 60 --quiet
"$SEQKERAS" ner train --run-dir "$OUT/ner-lstm-glove-e60" --no-bidirectional --epochs 60 --quiet
"$SEQKERAS" ner train --run-dir "$OUT/ner-bilstm-random-e60" --embeddings random --epochs 60 --quiet
"$SEQKERAS" ner train --run-dir "$OUT/ner-bilstm-glove-chars-e60" --char-features --epochs 60 --quiet
