"""The docstring examples of the region stage's modules run and hold."""

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["dhkit.region.compare", "dhkit.region.config",
                                  "dhkit.region.strings",
                                  "dhkit.region.render", "dhkit.demo.region"])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
