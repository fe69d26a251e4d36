"""The runnable examples in the estimation modules' docstrings stay true."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("module", ["design", "batch", "ci", "tidy", "contrast", "base", "replicate.design", "replicate.weights", "replicate.variance", "regression", "relative", "association", "pps", "replicate.popvar"])
def test_docstring_examples(module):
    mod = importlib.import_module(f"dhkit.survey.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
