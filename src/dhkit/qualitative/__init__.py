"""dhkit.qualitative: interview transcripts → redaction → coding → agreement → quote bank.

The functions other stages call:

- :func:`quotes_for` ``(store, code, lang=None, *, coder=None, include_children=True,
  sex=False, age=False) -> list[Quote]`` — cleared quotes for a report chapter;
- :func:`quote_bank` — every cleared quote and the counts withheld;
- :func:`load_demo` ``(store, *, withdraw=True) -> DemoSummary`` — the synthetic demo.

Imports are lazy so ``import dhkit.qualitative`` stays cheap.
"""

from __future__ import annotations

__all__ = ["Quote", "load_demo", "quote_bank", "quotes_for"]


def __getattr__(name: str):
    if name in ("quotes_for", "quote_bank"):
        from dhkit.qualitative import quotes

        return getattr(quotes, name)
    if name == "Quote":
        from dhkit.qualitative.model import Quote

        return Quote
    if name == "load_demo":
        from dhkit.qualitative.demo import load_demo

        return load_demo
    raise AttributeError(name)
