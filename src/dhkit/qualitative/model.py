"""Typed records of the qualitative stage: participants, transcripts, redaction proposals,
codes, coded segments and quotes. Plain frozen dataclasses; the store holds them in tables
prefixed ``qual_`` (see :mod:`dhkit.qualitative.storage`).

>>> Participant("YP-01", "YP", consent_interview=True, consent_quote=True).may_be_quoted
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

GROUPS = ("YP", "FW", "JP")
KINDS = ("NAME", "PLACE", "PHONE", "EMAIL", "HANDLE", "URL", "DATE", "AGE", "INSTITUTION",
         "SCHOOL", "ID", "PLATE", "CASE", "BUSINESS")


@dataclass(frozen=True)
class Participant:
    """One interviewee and their consent records (never their name)."""

    participant_id: str
    group: str
    sex: str | None = None
    age_band: str | None = None
    region: str | None = None
    interview_date: dt.date | None = None
    interviewer: str | None = None
    language: str | None = None
    minor: bool = False
    consent_interview: bool = False
    consent_quote: bool = False
    caregiver_consent: bool | None = None
    withdrawn_on: dt.date | None = None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_on is not None

    @property
    def consented(self) -> bool:
        """Interview consent (and a caregiver's, for a minor), not withdrawn."""
        caregiver_ok = (not self.minor) or bool(self.caregiver_consent)
        return self.consent_interview and caregiver_ok and not self.withdrawn

    @property
    def may_be_quoted(self) -> bool:
        return self.consented and self.consent_quote


@dataclass(frozen=True)
class TranscriptInfo:
    """A stored transcript, without its text (safe to print)."""

    transcript_id: str
    participant_id: str
    source_file: str
    sha256: str
    encoding: str
    language: str | None
    n_chars: int
    status: str  # imported | proposed | redacted


@dataclass(frozen=True)
class Span:
    """A detected identifying detail: characters ``[start, end)`` of a transcript."""

    start: int
    end: int
    kind: str
    detector: str


@dataclass(frozen=True)
class Proposal:
    """A redaction proposal as stored for review (``status``: proposed, accepted, rejected,
    added)."""

    transcript_id: str
    proposal_id: int
    start: int
    end: int
    kind: str
    detector: str
    status: str


@dataclass(frozen=True)
class Code:
    """A codebook entry (hierarchical through ``parent_id``)."""

    code_id: str
    name: str
    parent_id: str | None = None
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    example: str = ""
    color: str | None = None
    guid: str | None = None


@dataclass(frozen=True)
class Coding:
    """One coded segment: characters ``[start, end)`` of a transcript's redacted text."""

    transcript_id: str
    start: int
    end: int
    code_id: str
    coder: str
    coding_id: str | None = None


@dataclass(frozen=True)
class Quote:
    """A quote cleared for public outputs: redacted text, attribution such as ``(YP)``.

    ``quote_id`` is stable (derived from the coded segment) and never contains the
    participant id."""

    quote_id: str
    code_id: str
    code_name: str
    text: str
    attribution: str
    group: str
    language: str | None

    def __str__(self) -> str:
        return f"{self.text} {self.attribution}"
