"""One small demo study for every dashboard test, built once per test session: 300
synthetic children, imported and weighted, with every restricted law-enforcement answer
planted as a unique marker; its published tables collected once, the static site built
once, and a team server (analyst, restricted and admin accounts) started once on a free
localhost port."""

from __future__ import annotations

import csv
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from dash_helpers import PASSWORD, USERS


@dataclass
class Planted:
    study: object
    markers: set[str]
    outside: Path


def plant_restricted(sheet: Path) -> set[str]:
    """Every restricted question answered with a unique marker (and a marked note)."""
    from dhkit.legal.capacity import load_questionnaire

    markers, rows = set(), []
    for q in load_questionnaire().questions:
        if q.visibility != "restricted":
            continue
        value = str(987654000 + len(markers)) if q.type == "integer" \
            else f"ZZDSHLEAK{len(markers)}QQ"
        note = f"ZZDSHNOTE{len(markers)}QQ"
        markers |= {value, note}
        rows.append([q.id, "", value, note])
    with sheet.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["question", "year", "value", "note"])
        w.writerows(rows)
    return markers


@pytest.fixture(scope="session")
def planted(tmp_path_factory) -> Planted:
    from dhkit.dashboard import accounts
    from dhkit.demo.pipeline import DemoContext, run
    from dhkit.legal.capacity import import_answers
    from dhkit.legal.study import open_legal_study

    out = tmp_path_factory.mktemp("dash")
    ctx = run(DemoContext(out_dir=out, children=300, formats=("kobo_csv",)),
              only=["generate", "study", "import", "weights"])
    sheet = out / "le-answers.csv"                       # outside the study folder
    markers = plant_restricted(sheet)
    import_answers(open_legal_study(ctx.study_dir), sheet)
    for name, role in USERS.items():
        accounts.add_user(ctx.study, name, role, PASSWORD)
    return Planted(ctx.study, markers, out)


@pytest.fixture(scope="session")
def site_data(planted):
    from dhkit.dashboard.data import collect

    return collect(planted.study, ("en", "es"))


@pytest.fixture(scope="session")
def site(site_data, planted):
    from dhkit.dashboard.build import build_site

    return build_site(site_data, planted.outside / "site")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    app: object

    @property
    def state(self):
        return self.app.state.dhkit


@pytest.fixture(scope="session")
def server(planted, site_data, site):
    import uvicorn

    from dhkit.dashboard.server import create_app

    app = create_app(planted.study, site_data)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            access_log=False)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started, "the test server did not start"
    yield LiveServer(f"http://127.0.0.1:{port}", app)
    srv.should_exit = True
    thread.join(timeout=10)
