"""Calibration residuals in cell form: how a calibrated design's variance sees its weights.

R keeps a calibrated design's ``postStrata`` and, in ``svyrecvar``, replaces the weighted
influence values x by their calibration residuals before the PSU totals (post-stratum
centring for ``postStratify``, ten rounds of margin centring for ``rake``, the weighted
least-squares residuals of ``greg_calibration`` for ``calibrate``). Every margin dhkit
calibrates to is categorical, so each of these maps has one shape:

    x  ↦  x − post ⊙ (M · S)[cell],      S = Σ_{rows of each cell} pre ⊙ x

with ``cell`` the row's cell of the margins' cross-classification, ``pre``/``post`` one
number per row and M a small (cells × cells) matrix. :class:`ScoreAdjustment` holds that
form. Row-level callers (``Design.vcov_total``) apply it to an (n, k) matrix; the batch
engine applies it to *sums*: S needs only the (cell × domain level) sums of the
influence values, and the correction to a PSU total needs only the (PSU × cell) sums of
``post`` — so a calibrated plan costs about what a plain one does (no n × levels matrix).

``rows`` (optional) maps the rows of another data frame to the calibrated rows: an
instance-level file whose instances belong to children calibrated at child level. The
scores of the instances are then summed within the child before the residuals (R: the
influence of a child is the sum over its instances), so the calibration is never treated
as fixed for instance-level estimates either.

Reference: Lumley (2010) *Complex Surveys* §7.4; R ``survey:::svyrecvar`` (``postStrata``),
``rake``, ``calibrate``; Deville & Särndal (1992).

>>> import numpy as np
>>> a = ScoreAdjustment(cell=np.array([0, 0, 1, 1]), ncell=2, pre=np.ones(4),
...                     post=np.ones(4), M=np.eye(2) / 2)
>>> a(np.array([[1.0], [3.0], [2.0], [2.0]])).ravel().tolist()   # centred within cells
[-1.0, 1.0, 0.0, 0.0]
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class ScoreAdjustment:
    """x ↦ x − post ⊙ (M · Σ_cell pre ⊙ x)[cell] on the calibrated rows (see the module).

    ``rows``: for a design on other rows (instances), each row's calibrated row (child);
    the adjustment then sums the rows' scores within their calibrated row first.
    ``U``: M given factored as U·M (U cells × p, M p × cells), for GREG with many cells
    (numeric margins make every row a cell)."""

    cell: np.ndarray
    ncell: int
    pre: np.ndarray
    post: np.ndarray
    M: np.ndarray
    rows: np.ndarray | None = None
    U: np.ndarray | None = None

    @property
    def n_base(self) -> int:
        """Number of calibrated rows."""
        return len(self.cell)

    def cell_sums(self, x: np.ndarray) -> np.ndarray:
        """S (ncell, k): Σ over each cell of pre ⊙ x, x on the design's rows."""
        cell, pre = self.cell, self.pre
        if self.rows is not None:
            cell, pre = cell[self.rows], pre[self.rows]
        m = sp.csr_matrix((pre, (cell, np.arange(len(cell)))), shape=(self.ncell, len(cell)))
        return np.asarray(m @ x)

    def correction(self, s: np.ndarray) -> np.ndarray:
        """H = M · S: what each calibrated row loses per unit of ``post``."""
        return self.M @ s if self.U is None else self.U @ (self.M @ s)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The residuals of an (n, k) matrix on the calibrated rows (``rows`` None)."""
        x = np.asarray(x, dtype=float)
        x2 = x.reshape(len(x), -1)
        if self.rows is not None:
            raise ValueError("a linked adjustment acts on the calibrated rows: sum the "
                             "scores within them first (Design.vcov_total does)")
        h = self.correction(self.cell_sums(x2))
        out = np.take(h, self.cell, axis=0)
        out *= -self.post[:, None]
        out += x2
        return out.reshape(x.shape)

    def linked(self, rows: np.ndarray) -> ScoreAdjustment:
        """The same adjustment for a design whose row i belongs to calibrated row ``rows[i]``."""
        return replace(self, rows=np.asarray(rows, dtype=np.int64))


def operator_matrix(apply, ncell: int, chunk: int = 2048) -> np.ndarray:
    """The (ncell × ncell) matrix of a linear map on cell arrays, from its action on the
    identity (in column blocks to bound memory)."""
    out = np.empty((ncell, ncell))
    for j in range(0, ncell, chunk):
        e = np.zeros((ncell, min(chunk, ncell - j)))
        e[np.arange(j, j + e.shape[1]), np.arange(e.shape[1])] = 1.0
        out[:, j:j + e.shape[1]] = apply(e)
    return out


__all__ = ["ScoreAdjustment", "operator_matrix"]
