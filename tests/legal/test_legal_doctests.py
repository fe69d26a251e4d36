"""The docstring examples of the legal stage's modules run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["yamlio", "checklist", "assessment", "gap", "xlsxio", "recommendations",
           "capacity", "consultation", "study", "strings", "render"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"dhkit.legal.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
