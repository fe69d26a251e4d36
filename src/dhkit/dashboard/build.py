"""``dhkit dashboard build DIR --out site/``: the public results site as static files.

One direction: the study's published aggregates (:func:`dhkit.dashboard.data.collect`, the
report's own estimates, flags and suppression) → pages in every language
(:mod:`dhkit.dashboard.views`) → files. The folder holds HTML, one stylesheet, one small
script (no library, no CDN), the data as CSV/JSON/Excel and ``manifest.json``; it works
offline, from ``file://`` and from any static host. Nothing in it comes from the
microdata or the restricted law-enforcement answers, and suppressed estimates are blank
in every file (the report's :func:`dhkit.disclosure.public_view`).

>>> # doctest: +SKIP
>>> result = build_site(load_study("dhkit-demo/study"), "site", languages=("en", "es"))
>>> sorted(p.name for p in result.out_dir.iterdir())[:3]
['assets', 'data', 'en']
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dhkit import __version__
from dhkit.dashboard.data import SiteData
from dhkit.dashboard.strings import s
from dhkit.errors import DhkitError
from dhkit.report.i18n import Translator
from dhkit.safetext import csv_frame, workbook

STATIC = Path(__file__).parent / "static"
MARK = "dhkit-dashboard"


@dataclass
class SiteResult:
    out_dir: Path
    files: list[Path]
    pages: int


def asset_files(data: SiteData) -> dict[str, bytes]:
    """``assets/*``: the stylesheet, the script and the data script."""
    from dhkit.dashboard.views import site_data_js

    return {"assets/site.css": (STATIC / "site.css").read_bytes(),
            "assets/site.js": (STATIC / "site.js").read_bytes(),
            "assets/data.js": site_data_js(data).encode("utf-8")}


def root_index(data: SiteData) -> str:
    """The site root: a language chooser that forwards to the first language."""
    first = data.languages[0]
    links = " · ".join(f'<a href="{lang}/index.html" hreflang="{lang}">'
                       f'{s("site_title", lang)} ({lang})</a>' for lang in data.languages)
    return (f'<!DOCTYPE html><html lang="{first}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta http-equiv="refresh" content="0; url={first}/index.html">'
            f'<title>{s("site_title", first)}</title>'
            f'<link rel="stylesheet" href="assets/site.css"></head><body><main id="main">'
            f'<h1>{s("site_title", first)}</h1><p>{links}</p></main></body></html>\n')


def data_files(data: SiteData) -> dict[str, bytes]:
    """``data/*``: the public estimates and pairwise tests (CSV, JSON), per-indicator CSV,
    and one Excel workbook per language and per indicator."""
    rows = data.public_rows()
    pairs = data.public_pairs()
    out = {"data/estimates.csv": csv_frame(rows).to_csv(index=False).encode("utf-8"),
           "data/estimates.json": _json(rows),
           "data/contrasts.csv": csv_frame(pairs).to_csv(index=False).encode("utf-8"),
           "data/contrasts.json": _json(pairs)}
    for ind in data.indicators:
        part = in_answer_order(data, ind, rows[rows["indicator"] == ind])
        out[f"data/indicators/{ind}.csv"] = csv_frame(part).to_csv(index=False).encode("utf-8")
    for lang in data.languages:
        if data.codebook_csv.get(lang):
            out[f"data/codebook-{lang}.csv"] = data.codebook_csv[lang]
        labelled = labelled_rows(data, lang)
        out[f"data/dashboard-{lang}.xlsx"] = _workbook(
            {s("indicators", lang): labelled, s("compare", lang): labelled_pairs(data, lang)})
        for ind in data.indicators:
            part = in_answer_order(data, ind, labelled[labelled["indicator"] == ind])
            out[f"data/indicators/{ind}-{lang}.xlsx"] = _workbook({ind[:31]: part})
    return out


def in_answer_order(data: SiteData, ind: str, rows: pd.DataFrame) -> pd.DataFrame:
    """An indicator's rows with its answers in the order its page shows them (the
    report's :func:`~dhkit.report.render.answer_order`); within an answer, as they were."""
    from dhkit.report.render import answer_order

    rank = {c: k for k, c in enumerate(answer_order(data.analysis, ind))}
    return rows.iloc[rows["category"].map(rank).fillna(len(rank)).argsort(kind="stable")]


def labelled_rows(data: SiteData, lang: str) -> pd.DataFrame:
    """The public rows with labels in ``lang`` and per cent values (suppressed: blank)."""
    t = Translator(lang)
    cat = data.analysis.catalogue
    rows = data.public_rows().copy()
    ind_label = {i: t.label(x.label) for i, x in cat.indicators.items()}
    rows.insert(2, "indicator_label", rows["indicator"].map(ind_label))
    rows.insert(4, "category_label", [
        t.label(cat.indicators[i].level_labels.get(c, {"en": c})) if c else ""
        for i, c in zip(rows["indicator"], rows["category"])])
    rows["domain_label"] = [t.label(cat.domains[d].label) if d else s("overall", lang)
                            for d in rows["domain"]]
    rows["level_label"] = [t.label(cat.domains[d].levels.get(lv, {"en": lv})) if d else
                           s("total", lang) for d, lv in zip(rows["domain"], rows["level"])]
    for col in ("estimate", "ci_low", "ci_high"):
        rows[f"{col}_pct"] = (rows[col] * 100).round(1)
    keep = ["row_id", "indicator", "indicator_label", "category", "category_label",
            "domain", "domain_label", "level", "level_label", "estimate_pct", "ci_low_pct",
            "ci_high_pct", "n_unweighted", "flag"]
    return rows[keep]


def labelled_pairs(data: SiteData, lang: str) -> pd.DataFrame:
    t = Translator(lang)
    cat = data.analysis.catalogue
    pairs = data.public_pairs().copy()
    pairs["level_a_label"] = [t.label(cat.domains[d].levels[a]) for d, a in
                              zip(pairs["domain"], pairs["level_a"])]
    pairs["level_b_label"] = [t.label(cat.domains[d].levels[b]) for d, b in
                              zip(pairs["domain"], pairs["level_b"])]
    pairs["difference_pp"] = (pairs["difference"] * 100).round(2)
    return pairs[["indicator", "category", "domain", "level_a", "level_a_label", "level_b",
                  "level_b_label", "difference_pp", "p_value", "df", "significant",
                  "suppressed"]]


def _json(frame: pd.DataFrame) -> bytes:
    return (frame.to_json(orient="records", force_ascii=False, double_precision=10)
            + "\n").encode("utf-8")


def _workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx in memory, written cell by cell with xlsxwriter (blank for missing values:
    a suppressed estimate is an empty cell, never a number)."""
    import io
    import math

    buf = io.BytesIO()
    book = workbook(buf, in_memory=True, nan_inf_to_errors=False)   # text stays text
    bold = book.add_format({"bold": True})
    for name, frame in sheets.items():
        sheet = book.add_worksheet(name[:31])
        sheet.write_row(0, 0, list(frame.columns), bold)
        for i, row in enumerate(frame.itertuples(index=False), start=1):
            for j, v in enumerate(row):
                if v is None or (isinstance(v, float) and math.isnan(v)):
                    continue
                sheet.write(i, j, v.item() if hasattr(v, "item") else v)
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, len(frame.columns) - 1, 16)
    book.close()
    return buf.getvalue()


def site_files(data: SiteData) -> dict[str, bytes]:
    """Every file of the static site: relative path → bytes (manifest excluded); made once
    per :class:`SiteData` (the team server reuses the data files)."""
    if "files" not in data.cache:
        data.cache["files"] = _site_files(data)
    return data.cache["files"]


def _site_files(data: SiteData) -> dict[str, bytes]:
    from dhkit.dashboard.views import public_pages

    files = {"index.html": root_index(data).encode("utf-8")}
    files.update(asset_files(data))
    for lang in data.languages:
        for path, html in public_pages(data, lang).items():
            files[f"{lang}/{path}"] = html.encode("utf-8")
    files.update(data_files(data))
    return files


def _prepare(out: Path) -> None:
    """An empty folder, or an earlier dashboard build (replaced); refuse anything else."""
    if out.exists() and any(out.iterdir()):
        manifest = out / "manifest.json"
        try:
            ours = json.loads(manifest.read_text(encoding="utf-8")).get("kind") == MARK
        except (OSError, ValueError):
            ours = False
        if not ours:
            raise DhkitError("DSH-002", f"{out} is not empty and holds no earlier dashboard "
                             "(manifest.json); choose an empty or new folder for --out.")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def build_site(data: SiteData, out_dir: str | Path) -> SiteResult:
    """Write the static site for ``data`` (from :func:`dhkit.dashboard.data.collect`)."""
    out = Path(out_dir).expanduser().resolve()
    study = data.study_dir.resolve()
    if out == study or out in study.parents or (study / "store") in (out, *out.parents):
        raise DhkitError("DSH-003", f"{out} is the study folder, its store or a folder "
                         "holding the study; choose another --out (e.g. DIR/dashboard).")
    _prepare(out)
    files = site_files(data)
    written = []
    for rel, content in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    manifest = {"kind": MARK, "dhkit_version": __version__, "study": data.study_name,
                "country": data.country, "synthetic": data.synthetic,
                "languages": list(data.languages),
                "disclosure": vars(data.thresholds) if data.thresholds else {},
                "files": {rel: hashlib.sha256(c).hexdigest() for rel, c in sorted(files.items())}}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False)
                                       + "\n", encoding="utf-8")
    written.append(out / "manifest.json")
    pages = sum(1 for rel in files if rel.endswith(".html"))
    return SiteResult(out, written, pages)
