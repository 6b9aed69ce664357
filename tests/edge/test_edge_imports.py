"""seqkeras_edge must run with numpy + a LiteRT runtime only: no TensorFlow, no Keras."""

import subprocess
import sys

CODE = """
import sys
import seqkeras_edge, seqkeras_edge.cli, seqkeras_edge.runner, seqkeras_edge.decision
import seqkeras_edge.metadata, seqkeras_edge.runtime, seqkeras_edge.wav, seqkeras_edge.features
import seqkeras_edge.embedding_features
seqkeras_edge.runtime.interpreter_class()
heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'tf_keras', 'jax', 'torch'))
print(heavy)
"""


def test_edge_imports_no_tensorflow_or_keras():
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
