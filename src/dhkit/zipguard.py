"""Zip-based inputs (.qdpx, .docx, .odt, .xlsx) checked before anything is decompressed.

A zip bomb is a small file whose members inflate to gigabytes. Every reader of a zip-based
file (python-docx, odfpy, openpyxl, pandas, the REFI-QDA reader) calls :func:`check_zip`
first: it reads only the central directory and refuses (``IO-010``, exit 2) a file whose
members declare more than :data:`MAX_BYTES` in total, more than :data:`MAX_MEMBERS` members, or
one member compressed more than :data:`MAX_RATIO` to one. The declared sizes bound the real
work: Python's ``zipfile`` stops each member at its declared size and checks its CRC, so a
member that lies about its size fails instead of inflating further. :func:`read_member`
reads one member in chunks and stops at the cap, for readers that take the bytes themselves.

The caps come from the environment (``DHKIT_ZIP_MAX_BYTES``, ``DHKIT_ZIP_MAX_RATIO``) or the
arguments, so tests can use small ones. Why not a library: the standard ``zipfile`` already
exposes the central directory; no maintained package adds more than these checks.

>>> import io, os, tempfile, zipfile
>>> p = os.path.join(tempfile.mkdtemp(), "a.docx")
>>> with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
...     z.writestr("word/document.xml", "x" * 100_000)
>>> try:
...     check_zip(p, max_ratio=50, ratio_floor=0)
... except Exception as e:
...     print(e.code)
IO-010
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from dhkit.errors import DhkitError

#: default cap on the declared uncompressed size of all members (bytes)
MAX_BYTES = 1 << 30
#: default cap on one member's compression ratio (real office files stay below ~100)
MAX_RATIO = 250
#: default cap on the number of members
MAX_MEMBERS = 100_000
#: members smaller than this are never refused for their ratio (tiny files compress well)
RATIO_FLOOR = 1 << 20


@dataclass(frozen=True)
class ZipSummary:
    """What the central directory declares."""

    members: int
    uncompressed: int
    compressed: int


def _cap(env: str, given: int | None, default: int) -> int:
    if given is not None:
        return given
    raw = os.environ.get(env, "").strip()
    return int(raw) if raw.isdigit() else default


def check_zip(path: str | Path, *, max_bytes: int | None = None, max_ratio: int | None = None,
              max_members: int | None = None, ratio_floor: int | None = None,
              only=None) -> ZipSummary:
    """Refuse a zip bomb from its central directory (IO-010); a non-zip is left to the
    caller's own error (returns an empty summary). ``only(name)``: the members that will be
    read (the others, e.g. an export's media, are never inflated and do not count)."""
    path = Path(path)
    max_bytes = _cap("DHKIT_ZIP_MAX_BYTES", max_bytes, MAX_BYTES)
    max_ratio = _cap("DHKIT_ZIP_MAX_RATIO", max_ratio, MAX_RATIO)
    max_members = max_members if max_members is not None else MAX_MEMBERS
    floor = _cap("DHKIT_ZIP_RATIO_FLOOR", ratio_floor, RATIO_FLOOR)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if only is None or only(i.filename)]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        return ZipSummary(0, 0, 0)
    if len(infos) > max_members:
        raise _refuse(path, f"{len(infos):,} members (the cap is {max_members:,})")
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        raise _refuse(path, f"{_mb(total)} uncompressed (the cap is {_mb(max_bytes)})")
    for i in infos:
        if i.file_size > floor:
            ratio = i.file_size / max(i.compress_size, 1)
            if ratio > max_ratio:
                raise _refuse(path, f"member {i.filename} is compressed {ratio:,.0f} to 1 "
                              f"(the cap is {max_ratio})")
    return ZipSummary(len(infos), total, sum(i.compress_size for i in infos))


def read_member(zf: zipfile.ZipFile, name: str, *, max_bytes: int | None = None) -> bytes:
    """One member's bytes, read in 1 MB chunks and refused (IO-010) past the cap."""
    cap = _cap("DHKIT_ZIP_MAX_BYTES", max_bytes, MAX_BYTES)
    chunks, size = [], 0
    with zf.open(name) as fh:
        while chunk := fh.read(1 << 20):
            size += len(chunk)
            if size > cap:
                raise _refuse(Path(zf.filename or "archive"),
                              f"member {name} inflates past {_mb(cap)}")
            chunks.append(chunk)
    return b"".join(chunks)


def _refuse(path: Path, what: str) -> DhkitError:
    return DhkitError("IO-010", f"{path.name}: refused as a possible zip bomb: {what}. If the "
                      "file is genuine, raise DHKIT_ZIP_MAX_BYTES / DHKIT_ZIP_MAX_RATIO for this "
                      "command; otherwise ask the sender for a clean copy.")


def _mb(n: int) -> str:
    return f"{n / (1 << 20):,.1f} MB"
