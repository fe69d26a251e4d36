"""REFI-QDA exchange: ``.qdpx`` projects and ``.qdc`` codebooks (QDA-XML 1.0), so a team
can code in NVivo, ATLAS.ti, MAXQDA or QualCoder and bring the work back.

A ``.qdpx`` is a zip with ``project.qde`` (XML, namespace ``urn:QDA-XML:project:1.0``) and
the sources under ``sources/`` (``plainTextPath="internal://<guid>.txt"``). dhkit exports
only **redacted** transcripts, the codebook (definition, inclusion, exclusion and example
kept in each code's ``Description``), one ``User`` per coder and each coded segment as a
``PlainTextSelection`` (character positions) with its ``Coding``/``CodeRef``. Transcripts of
participants who withdrew are left out.

Import is all or nothing: a broken zip or XML (QUAL-080/081, with the line), a structure
the schema does not allow (QUAL-083), codings that reference codes missing from the
codebook (QUAL-082), sources that are not the stored redacted transcripts (QUAL-084) or
overlapping segments with one code by one coder (QUAL-055) are all listed before anything
is stored. The structural check follows the element order, required attributes and GUID
pattern of REFI-QDA's ``Project.xsd`` (18 March 2019) for the parts dhkit reads and
writes; the XSD itself is not shipped (the only copy at hand is embedded in another
project's source), so ``validate_project`` is our own reading of it. The demo export was
validated once against the official XSD with lxml, outside the repository.

Reference: REFI-QDA Standard 1.5, https://www.qdasoftware.org (Project and Codebook
exchange formats).

>>> is_guid("3f2504e0-4f89-11d3-9a0c-0305e82c3301"), is_guid("nope")
(True, False)
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from dhkit.errors import DhkitError, ValidationError
from dhkit.qualitative.codebook import NAMESPACE, code_guid, codebook, store_codebook
from dhkit.qualitative.codings import (
    Coding,
    check_overlaps,
    coding_guid,
    codings,
    redacted_texts,
    store_codings,
)
from dhkit.qualitative.model import Code
from dhkit.validation import ValidationReport
from dhkit.workspace.store import Store

NS = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
GUID = re.compile(r"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                  r"[0-9a-fA-F]{12}|\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                  r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\})$")
PROJECT_ORDER = ("Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets",
                 "Graphs", "Description", "NoteRef")
CODE_ORDER = ("Description", "NoteRef", "Code")
TEXT_SOURCE_ORDER = ("Description", "PlainTextContent", "PlainTextSelection", "Coding",
                     "NoteRef", "VariableValue")
SELECTION_ORDER = ("Description", "Coding", "NoteRef")
FIELDS = (("Definition", "definition"), ("Include", "inclusion"), ("Exclude", "exclusion"),
          ("Example", "example"))


@dataclass(frozen=True)
class QdpxImport:
    """What an import stored (counts only)."""

    file: str
    n_codes: int
    n_sources: int
    n_codings: int
    coders: tuple[str, ...]


def is_guid(value: str | None) -> bool:
    return bool(value and GUID.match(value))


def _q(tag: str, ns: str = NS) -> str:
    return f"{{{ns}}}{tag}"


def _user_guid(coder: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"user:{coder}"))


def _source_guid(transcript_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"source:{transcript_id}"))


def _description(c: Code) -> str:
    """Code id and criteria as labelled lines (REFI-QDA codes have a name, no id)."""
    return "\n".join(f"{label}: {getattr(c, attr)}" for label, attr in (("Id", "code_id"),
                                                                        *FIELDS)
                     if getattr(c, attr))


def _parse_description(text: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    labels = {label: attr for label, attr in (("Id", "code_id"), *FIELDS)}
    current = "definition"
    for line in (text or "").splitlines():
        head, _, rest = line.partition(": ")
        if head in labels:
            current = labels[head]
            out[current] = rest
        elif line.strip():
            out[current] = (out.get(current, "") + "\n" + line).strip()
    return out


# ---------------------------------------------------------------- export

def _codes_xml(parent, codes: list[Code], ns: str) -> None:
    from lxml import etree

    def add(node, code: Code) -> None:
        el = etree.SubElement(node, _q("Code", ns), guid=code.guid or code_guid(code.code_id),
                              name=code.name, isCodable="true")
        if code.color:
            el.set("color", code.color)
        desc = _description(code)
        if desc:
            etree.SubElement(el, _q("Description", ns)).text = desc
        for child in codes:
            if child.parent_id == code.code_id:
                add(el, child)

    holder = etree.SubElement(parent, _q("Codes", ns))
    for c in codes:
        if c.parent_id is None:
            add(holder, c)


def project_xml(store: Store, coders: list[str] | None = None,
                name: str = "dhkit study") -> tuple[bytes, dict[str, str]]:
    """The ``project.qde`` XML and the source texts by GUID (redacted texts only)."""
    from lxml import etree

    from dhkit import __version__
    from dhkit.qualitative.participants import participants

    people = participants(store)
    owner = dict(store.con.execute("SELECT transcript_id, participant_id FROM "
                                   "study.qual_transcripts").fetchall())
    texts = {tid: text for tid, text in redacted_texts(store).items()
             if not people[owner[tid]].withdrawn}  # withdrawn: never shared again
    if not texts:
        raise DhkitError("QUAL-085", "no redacted transcript to export; redact first "
                         "(dhkit redact apply).")
    segs = [c for c in codings(store) if (coders is None or c.coder in coders)
            and c.transcript_id in texts]
    users = sorted({c.coder for c in segs} | set(coders or []))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    root = etree.Element(_q("Project"), nsmap={None: NS}, name=name,
                         origin=f"dhkit {__version__}", creationDateTime=now)
    if users:
        el = etree.SubElement(root, _q("Users"))
        for u in users:
            etree.SubElement(el, _q("User"), guid=_user_guid(u), name=u)
    codes = codebook(store)
    if codes:
        _codes_xml(etree.SubElement(root, _q("CodeBook")), codes, NS)
    sources = etree.SubElement(root, _q("Sources"))
    files: dict[str, str] = {}
    guid_of = {c.code_id: c.guid for c in codes}
    for tid in sorted(texts):
        sguid = _source_guid(tid)
        files[sguid] = texts[tid]
        src = etree.SubElement(sources, _q("TextSource"), guid=sguid, name=tid,
                               plainTextPath=f"internal://{sguid}.txt")
        for c in [c for c in segs if c.transcript_id == tid]:
            sel = etree.SubElement(src, _q("PlainTextSelection"), guid=c.coding_id or
                                   coding_guid(c), name=texts[tid][c.start:c.end][:40],
                                   startPosition=str(c.start), endPosition=str(c.end),
                                   creatingUser=_user_guid(c.coder))
            coding = etree.SubElement(sel, _q("Coding"),
                                      guid=str(uuid.uuid5(NAMESPACE, f"c:{c.coding_id}")),
                                      creatingUser=_user_guid(c.coder))
            etree.SubElement(coding, _q("CodeRef"), targetGUID=guid_of[c.code_id])
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return xml, files


def export_qdpx(store: Store, path: str | Path, coders: list[str] | None = None,
                name: str = "dhkit study") -> Path:
    """Write a ``.qdpx`` project of the redacted transcripts, codebook and codings."""
    path = Path(path)
    xml, files = project_xml(store, coders, name)
    report = validate_project(xml, path.name)
    if not report.ok:  # a bug, not a user error
        raise ValidationError("QUAL-083", f"{path.name}: export failed its own check.", report)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", xml)
        for guid, text in files.items():
            zf.writestr(f"sources/{guid}.txt", text.encode("utf-8"))
    store.audit("codes export", file=path.name, rows_accepted=len(files))
    return path


def export_qdc(store: Store, path: str | Path) -> Path:
    """Write the codebook as a REFI-QDA ``.qdc`` file."""
    from lxml import etree

    from dhkit import __version__

    codes = codebook(store)
    if not codes:
        raise DhkitError("QUAL-090", "the study store has no codebook yet; run dhkit codes "
                         "import DIR codebook.yaml first.")
    root = etree.Element(_q("CodeBook", NS_CODEBOOK), nsmap={None: NS_CODEBOOK},
                         origin=f"dhkit {__version__}")
    _codes_xml(root, codes, NS_CODEBOOK)
    path = Path(path)
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8",
                                    pretty_print=True))
    return path


# ---------------------------------------------------------------- validation

def _parse(data: bytes, file: str):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if hasattr(exc, "lineno") else "?"
        raise DhkitError("QUAL-081", f"{file} line {line}: broken XML ({exc.msg}); the file "
                         "is damaged or not REFI-QDA.") from None


def _local(el) -> str:
    return el.tag.split("}", 1)[1] if isinstance(el.tag, str) and "}" in el.tag else str(el.tag)


def _check_order(el, order: tuple[str, ...], file: str, report: ValidationReport) -> None:
    last = -1
    for child in el:
        if not isinstance(child.tag, str):
            continue  # comments
        name = _local(child)
        if name not in order:
            report.add("QUAL-083", f"<{name}> is not allowed inside <{_local(el)}>", file=file,
                       line=child.sourceline)
            continue
        pos = order.index(name)
        if pos < last:
            report.add("QUAL-083", f"<{name}> comes after an element it must precede in "
                       f"<{_local(el)}>", file=file, line=child.sourceline)
        last = max(last, pos)


def _need(el, attrs: tuple[str, ...], file: str, report: ValidationReport) -> None:
    for a in attrs:
        value = el.get(a)
        if value is None:
            report.add("QUAL-083", f"<{_local(el)}> lacks the required attribute {a}",
                       file=file, line=el.sourceline)
        elif (a == "guid" or a == "targetGUID") and not is_guid(value):
            report.add("QUAL-083", f"<{_local(el)}> {a} '{value}' is not a GUID", file=file,
                       line=el.sourceline)


def validate_codes(container, ns: str, file: str, report: ValidationReport) -> set[str]:
    """Check nested ``Code`` elements; return their GUIDs."""
    guids: set[str] = set()
    for code in container.iter(_q("Code", ns)):
        _need(code, ("guid", "name", "isCodable"), file, report)
        if code.get("isCodable") not in (None, "true", "false", "1", "0"):
            report.add("QUAL-083", f"Code isCodable '{code.get('isCodable')}' is not a "
                       "boolean", file=file, line=code.sourceline)
        _check_order(code, CODE_ORDER, file, report)
        if code.get("guid") in guids:
            report.add("QUAL-083", f"Code guid {code.get('guid')} appears twice", file=file,
                       line=code.sourceline)
        guids.add(code.get("guid"))
    return guids


def validate_project(xml: bytes, file: str = "project.qde") -> ValidationReport:
    """Structural check of a ``project.qde`` against REFI-QDA Project.xsd (the parts dhkit
    uses), plus code references: every ``CodeRef`` must name a code of the codebook."""
    root = _parse(xml, file)
    report = ValidationReport()
    if root.tag != _q("Project"):
        report.add("QUAL-083", f"root element is <{_local(root)}>, expected <Project> in "
                   f"namespace {NS}", file=file, line=root.sourceline)
        return report
    _need(root, ("name",), file, report)
    _check_order(root, PROJECT_ORDER, file, report)
    for user in root.iter(_q("User")):
        _need(user, ("guid",), file, report)
    book = root.find(_q("CodeBook"))
    code_guids = validate_codes(book, NS, file, report) if book is not None else set()
    for src in root.iter(_q("TextSource")):
        _need(src, ("guid",), file, report)
        _check_order(src, TEXT_SOURCE_ORDER, file, report)
        has_content = src.find(_q("PlainTextContent")) is not None
        if has_content == bool(src.get("plainTextPath")):
            report.add("QUAL-083", f"TextSource '{src.get('name')}' needs either "
                       "PlainTextContent or plainTextPath, not both", file=file,
                       line=src.sourceline)
        for sel in src.iter(_q("PlainTextSelection")):
            _need(sel, ("guid", "startPosition", "endPosition"), file, report)
            _check_order(sel, SELECTION_ORDER, file, report)
            try:
                if int(sel.get("startPosition")) > int(sel.get("endPosition")):
                    report.add("QUAL-083", "startPosition is after endPosition", file=file,
                               line=sel.sourceline)
            except (TypeError, ValueError):
                report.add("QUAL-083", "startPosition and endPosition must be integers",
                           file=file, line=sel.sourceline)
    for coding in root.iter(_q("Coding")):
        _need(coding, ("guid",), file, report)
        ref = coding.find(_q("CodeRef"))
        if ref is None:
            report.add("QUAL-083", "<Coding> lacks its <CodeRef>", file=file,
                       line=coding.sourceline)
            continue
        _need(ref, ("targetGUID",), file, report)
        if is_guid(ref.get("targetGUID")) and ref.get("targetGUID") not in code_guids:
            report.add("QUAL-082", f"CodeRef {ref.get('targetGUID')} names no code of the "
                       "codebook", file=file, line=ref.sourceline,
                       hint="export the project again with its codebook")
    return report


# ---------------------------------------------------------------- import

def _codes_from(container, ns: str, existing: list[Code]) -> list[Code]:
    by_guid = {c.guid: c for c in existing}
    by_name = {c.name: c for c in existing}
    taken = {c.code_id for c in existing}
    out: list[Code] = []

    def walk(node, parent_id: str | None) -> None:
        for el in node.findall(_q("Code", ns)):
            guid, name = el.get("guid"), el.get("name")
            known = by_guid.get(guid) or by_name.get(name)
            desc = _parse_description(el.findtext(_q("Description", ns)))
            wanted = desc.get("code_id", "")
            if known:
                code_id = known.code_id
            elif wanted and wanted not in taken and re.match(r"^[A-Za-z0-9_.\-]+$", wanted):
                code_id = wanted
            else:
                code_id = _slug(name, taken)
            taken.add(code_id)
            out.append(Code(code_id, name, parent_id, desc.get("definition", ""),
                            desc.get("inclusion", ""), desc.get("exclusion", ""),
                            desc.get("example", ""), el.get("color"),
                            known.guid if known else guid))
            walk(el, code_id)

    walk(container.find(_q("Codes", ns)) if container.find(_q("Codes", ns)) is not None
         else container, None)
    return out


def _slug(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_.\-]+", "_", name.strip()).strip("_").lower() or "code"
    slug, i = base, 2
    while slug in taken:
        slug, i = f"{base}_{i}", i + 1
    return slug


def read_qdc(path: str | Path, existing: list[Code] | None = None) -> list[Code]:
    """Codes of a REFI-QDA ``.qdc`` codebook (QUAL-080/081/083 on a bad file), matched to
    ``existing`` codes by GUID or name."""
    path = Path(path)
    if not path.exists():
        raise DhkitError("QUAL-080", f"{path}: file not found; check the path.")
    root = _parse(path.read_bytes(), path.name)
    report = ValidationReport()
    if root.tag != _q("CodeBook", NS_CODEBOOK):
        report.add("QUAL-083", f"root element is <{_local(root)}>, expected <CodeBook> in "
                   f"namespace {NS_CODEBOOK}", file=path.name, line=root.sourceline)
    else:
        validate_codes(root, NS_CODEBOOK, path.name, report)
    if not report.ok:
        raise ValidationError("QUAL-083", f"{path.name}: {len(report)} problem(s); nothing "
                              "was imported.", report)
    return _codes_from(root, NS_CODEBOOK, existing or [])


def import_qdc(store: Store, path: str | Path) -> int:
    """Store the codes of a ``.qdc`` codebook (merged with the stored codebook by GUID or
    name)."""
    return store_codebook(store, read_qdc(path, codebook(store)))


def import_qdpx(store: Store, path: str | Path, replace: bool = False) -> QdpxImport:
    """Import the codebook and codings of a ``.qdpx`` project, all or nothing.

    Sources are matched to stored transcripts by name and must carry exactly the stored
    redacted text (otherwise character positions would point elsewhere). With
    ``replace``, earlier codings of the project's coders are replaced."""
    path = Path(path)
    xml, sources = _read_zip(path)
    file = f"{path.name}:project.qde"
    report = validate_project(xml, file)
    if not report.ok:
        raise ValidationError("QUAL-083", f"{path.name}: {len(report)} problem(s) in the "
                              "project; nothing was imported.", report)
    root = _parse(xml, file)
    book = root.find(_q("CodeBook"))
    codes = _codes_from(book, NS, codebook(store)) if book is not None else []
    code_of = {c.guid: c.code_id for c in codes}
    users = {u.get("guid"): (u.get("name") or u.get("guid")) for u in root.iter(_q("User"))}
    texts = redacted_texts(store)
    new: list[tuple[int, Coding]] = []
    n_sources = 0
    for src in root.iter(_q("TextSource")):
        tid = src.get("name") or ""
        line = src.sourceline
        content = src.findtext(_q("PlainTextContent"))
        if content is None:
            member = (src.get("plainTextPath") or "").replace("internal://", "sources/")
            content = sources.get(member)
            if content is None:
                report.add("QUAL-084", f"source '{tid}': {member} is missing from the zip",
                           file=file, line=line)
                continue
        if tid not in texts:
            report.add("QUAL-084", f"source '{tid}' is not a redacted transcript of this "
                       "study", file=file, line=line, hint="import and redact it first, "
                       "or rename the source to its transcript id")
            continue
        if content.replace("\r\n", "\n") != texts[tid]:
            report.add("QUAL-084", f"source '{tid}' differs from the stored redacted text, so "
                       "its positions cannot be trusted", file=file, line=line,
                       hint="code the text exported by dhkit codes export without editing it")
            continue
        n_sources += 1
        for sel in src.iter(_q("PlainTextSelection")):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            if not 0 <= start < end <= len(texts[tid]):
                report.add("QUAL-054", f"selection {start}-{end} of '{tid}' lies outside the "
                           "text", file=file, line=sel.sourceline)
                continue
            for coding in sel.findall(_q("Coding")):
                who = coding.get("creatingUser") or sel.get("creatingUser")
                coder = users.get(who, who or "unknown")
                cid = code_of[coding.find(_q("CodeRef")).get("targetGUID")]
                new.append((sel.sourceline, Coding(tid, start, end, cid, coder)))
    coders = tuple(sorted({c.coder for _, c in new}))
    existing = [c for c in codings(store) if not (replace and c.coder in coders)]
    check_overlaps(new, existing, file, report)
    if not report.ok:
        raise ValidationError("QUAL-086", f"{path.name}: {len(report)} problem(s); nothing "
                              "was imported.", report)
    if codes:
        store_codebook(store, codes)
    stored = store_codings(store, new, path.name, ValidationReport(), replace=replace)
    return QdpxImport(path.name, len(codes), n_sources, stored.n_codings, coders)


def _source_text(path: Path, name: str, data: bytes) -> str:
    """A source inside the project as text; REFI-QDA sources are UTF-8 (IO-004 if not)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DhkitError("IO-004", f"{path.name}: source {name} is not UTF-8 text (byte "
                         f"{exc.start}); export the project again from the QDA program, or save "
                         "the source as UTF-8.") from None


def _read_zip(path: Path) -> tuple[bytes, dict[str, str]]:
    if not path.exists():
        raise DhkitError("QUAL-080", f"{path}: file not found; check the path.")
    from dhkit.zipguard import check_zip, read_member

    check_zip(path)   # a zip bomb is refused before anything inflates
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            qde = [n for n in names if n.lower().endswith("project.qde")]
            if not qde:
                raise DhkitError("QUAL-080", f"{path.name}: no project.qde inside; is it a "
                                 "REFI-QDA .qdpx project?")
            xml = read_member(zf, qde[0])
            sources = {n: _source_text(path, n, read_member(zf, n)) for n in names
                       if n.startswith("sources/") and n.lower().endswith(".txt")}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, zlib.error) as exc:
        raise DhkitError("QUAL-080", f"{path.name}: damaged or not a zip archive "
                         f"({type(exc).__name__}); a .qdpx project is a zip file.") from None
    return xml, sources
