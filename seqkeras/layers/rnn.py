"""``RNN``: ``keras.layers.RNN`` that also draws the per-sequence dropout masks of seqkeras cells."""

from __future__ import annotations

import keras
from keras import ops

from ._cell_base import RecurrentCellBase


def _seqkeras_cells(cell):
    """The seqkeras cells in ``cell`` (a cell, a list of cells or StackedRNNCells), in order."""
    if isinstance(cell, keras.layers.StackedRNNCells):
        return [c for inner in cell.cells for c in _seqkeras_cells(inner)]
    if isinstance(cell, list | tuple):
        return [c for inner in cell for c in _seqkeras_cells(inner)]
    return [cell] if isinstance(cell, RecurrentCellBase) else []


@keras.saving.register_keras_serializable(package="seqkeras")
class RNN(keras.layers.RNN):
    """``keras.layers.RNN`` for seqkeras cells with ``dropout`` / ``recurrent_dropout``.

    Same arguments, weights, outputs and config as ``keras.layers.RNN``. During training it
    draws one input mask and one recurrent mask per sequence for every seqkeras cell
    (``GRUCell``, ``LSTMCell``, ``BasicRNNCell``, also inside ``StackedRNNCells``) before
    the loop and forgets them after it, as ``keras.layers.RNN`` does for Keras's own cells:
    every step of a sequence sees the same masks, every batch new ones, and inference none.
    ``keras.layers.RNN`` works for seqkeras cells without dropout; with dropout in training
    the cell raises a ValueError that points here.

    Args:
        cell: A seqkeras or Keras cell, a list of cells, or ``StackedRNNCells``.
        **kwargs: As ``keras.layers.RNN`` (``return_sequences``, ``return_state``,
            ``go_backwards``, ``stateful``, ``unroll``, ``zero_output_for_mask``, ...).

    Call arguments:
        sequences: ``(batch, timesteps, features)``.
        initial_state: Optional list of initial states.
        mask: Optional ``(batch, timesteps)`` boolean mask.
        training: Whether dropout is active.

    Returns:
        As ``keras.layers.RNN``.

    Example:

    >>> import numpy as np
    >>> from seqkeras.layers import GRUCell
    >>> rnn = RNN(GRUCell(4, dropout=0.2, recurrent_dropout=0.2, seed=1))
    >>> tuple(rnn(np.ones((2, 5, 3), "float32"), training=True).shape)
    (2, 4)
    """

    def call(self, sequences, initial_state=None, mask=None, training=False):
        cells = _seqkeras_cells(self.cell)
        if training:
            batch_size = ops.shape(keras.tree.flatten(sequences)[0])[0]
            for cell in cells:
                cell.draw_sequence_dropout_masks(batch_size)
        try:
            return super().call(
                sequences, initial_state=initial_state, mask=mask, training=training
            )
        finally:
            for cell in cells:
                cell.reset_dropout_mask()
                cell.reset_recurrent_dropout_mask()
