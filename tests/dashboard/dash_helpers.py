"""Helpers shared by the dashboard tests (imported by name; the folder has no package)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

PASSWORD = "a long test passphrase 1"
USERS = {"ana": "analyst", "rita": "restricted", "adam": "admin"}


def login(client, base: str, user: str, password: str = PASSWORD, lang: str = "en"):
    """Sign in through the login form (form token from the page); returns the response."""
    page = client.get(f"{base}/{lang}/login.html")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post(f"{base}/{lang}/login.html",
                       data={"csrf": token, "username": user, "password": password},
                       follow_redirects=False)


def file_text(path: Path) -> str:
    """A file's text; an .xlsx is read as the text of every part of its zip."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return path.read_bytes().decode("utf-8", "replace")


def leaks(text: str, markers: set[str]) -> list[str]:
    """The planted markers found in ``text``; a numeric marker counts only as a whole number
    (its digits inside a longer number, such as a p-value, are not the answer)."""
    found = []
    for m in markers:
        if m.isdigit():
            if re.search(rf"(?<![\d.]){m}(?!\d)", text):
                found.append(m)
        elif m in text:
            found.append(m)
    return found
