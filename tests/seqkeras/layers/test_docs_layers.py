"""docs/layers.md matches the code: its Python blocks run, its signature block is the real one."""

import ast
import inspect
import re
from pathlib import Path

from seqkeras.layers import Recurrent

DOC = Path(__file__).resolve().parents[3] / "docs" / "layers.md"


def _blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.S)


def test_python_blocks_run_in_order():
    blocks = _blocks("python")
    assert len(blocks) >= 4
    namespace = {}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102 - our own docs
    assert namespace["outputs"].shape == (None, 32)
    assert namespace["model"].output.shape == (None, None, 10)


def test_recurrent_signature_block_is_the_real_signature():
    (block,) = [b for b in _blocks("text") if b.startswith("Recurrent(")]
    documented = ast.parse(f"def Recurrent{block[len('Recurrent'):].strip()}: pass").body[0].args
    names = [a.arg for a in documented.args]
    defaults = [ast.literal_eval(d) for d in documented.defaults]
    real = [
        p for p in inspect.signature(Recurrent).parameters.values()
        if p.kind is p.POSITIONAL_OR_KEYWORD
    ]
    assert names == [p.name for p in real]
    assert defaults == [p.default for p in real if p.default is not p.empty]
