"""Tables of the qualitative stage inside the encrypted study store (prefix ``qual_``).

Transcript text, the pseudonymisation map (original identifiers) and codings live only
here; everything that leaves the store (logs, errors, exports) carries ids and kinds.

>>> sorted(TABLES)[:3]
['qual_codes', 'qual_codings', 'qual_participant_names']
"""

from __future__ import annotations

from dhkit.errors import DhkitError
from dhkit.workspace.store import Store
from dhkit.workspace.store import insert_rows as _insert_rows

TABLES = {
    "qual_participants": """
        participant_id VARCHAR PRIMARY KEY, grp VARCHAR NOT NULL, sex VARCHAR,
        age_band VARCHAR, region VARCHAR, interview_date DATE, interviewer VARCHAR,
        language VARCHAR, minor BOOLEAN NOT NULL, consent_interview BOOLEAN NOT NULL,
        consent_quote BOOLEAN NOT NULL, caregiver_consent BOOLEAN, withdrawn_on DATE""",
    "qual_participant_names": "participant_id VARCHAR NOT NULL, name VARCHAR NOT NULL",
    "qual_transcripts": """
        transcript_id VARCHAR PRIMARY KEY, participant_id VARCHAR NOT NULL,
        source_file VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, encoding VARCHAR NOT NULL,
        language VARCHAR, text VARCHAR NOT NULL, n_chars INTEGER NOT NULL,
        status VARCHAR NOT NULL, redacted_text VARCHAR""",
    "qual_proposals": """
        transcript_id VARCHAR NOT NULL, proposal_id INTEGER NOT NULL, start_pos INTEGER NOT NULL,
        end_pos INTEGER NOT NULL, kind VARCHAR NOT NULL, detector VARCHAR NOT NULL,
        status VARCHAR NOT NULL""",
    "qual_pseudonym_map": """
        transcript_id VARCHAR NOT NULL, proposal_id INTEGER NOT NULL, kind VARCHAR NOT NULL,
        original VARCHAR NOT NULL, placeholder VARCHAR NOT NULL,
        start_pos INTEGER NOT NULL, end_pos INTEGER NOT NULL,
        redacted_start INTEGER NOT NULL, redacted_end INTEGER NOT NULL""",
    "qual_redaction_log": """
        logged_at TIMESTAMP NOT NULL, transcript_id VARCHAR NOT NULL, proposal_id INTEGER,
        kind VARCHAR, detector VARCHAR, action VARCHAR NOT NULL, actor VARCHAR""",
    "qual_codes": """
        code_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, parent_id VARCHAR,
        definition VARCHAR, inclusion VARCHAR, exclusion VARCHAR, example VARCHAR,
        color VARCHAR, guid VARCHAR NOT NULL, ord INTEGER NOT NULL""",
    "qual_codings": """
        coding_id VARCHAR PRIMARY KEY, transcript_id VARCHAR NOT NULL,
        start_pos INTEGER NOT NULL, end_pos INTEGER NOT NULL, code_id VARCHAR NOT NULL,
        coder VARCHAR NOT NULL, source VARCHAR""",
}


def ensure_tables(store: Store) -> None:
    """Create the ``qual_`` tables that do not exist yet."""
    for name, columns in TABLES.items():
        store.create_table(name, columns)


def require(store: Store, table: str, what: str, how: str) -> None:
    """Raise QUAL-090 when a stage's table is empty: say which command fills it."""
    ensure_tables(store)
    if not store.count(table):
        raise DhkitError("QUAL-090", f"the study store has no {what} yet; run {how} first.")


def insert_rows(con, table: str, rows: list[list]) -> None:
    """Insert many rows at once into ``study.table`` (quoted identifier; see
    :func:`dhkit.workspace.store.insert_rows`)."""
    _insert_rows(con, table, rows)
