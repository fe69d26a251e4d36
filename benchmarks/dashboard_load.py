"""Load test of the team server (`dhkit serve`) on localhost: N concurrent sessions for
S seconds, half anonymous visitors and half signed-in analysts, each requesting pages
one after another (optionally with a think time), timing every page to its last byte.

The server runs as its own process (`python -m dhkit serve`), exactly as a team would
start it; the clients are one asyncio process with persistent HTTP/1.1 connections (a
small hand-written client, so the load generator costs as little CPU as possible on the
same 2-core machine). Pages: the overview, indicator pages in both languages, compare,
legal, recommendations, the data script, and for analysts their precision, appendix and
weighting pages.

    python benchmarks/dashboard_load.py                     # demo study, 50 sessions, 60 s
    python benchmarks/dashboard_load.py --sessions 50 --seconds 60 --think 0.5
    python benchmarks/dashboard_load.py --study mystudy     # an existing study

Goal (issue 13): 95th-percentile page time under 200 ms with 50 sessions on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PASSWORD = "benchmark passphrase 2026"
PUBLIC = ["/{l}/index.html", "/{l}/indicators/any_tfcsea.html", "/{l}/indicators/told_anyone.html",
          "/{l}/indicators/social_media_weekly.html", "/{l}/indicators/inst_platform.html",
          "/{l}/compare.html", "/{l}/legal.html", "/{l}/recommendations.html",
          "/{l}/downloads.html", "/assets/data.js", "/assets/site.css"]
ANALYST = ["/{l}/team/precision/any_tfcsea.html", "/{l}/team/appendix.html",
           "/{l}/team/weights.html", "/{l}/team/precision.html"]


def demo_study(where: Path) -> Path:
    from dhkit.demo.pipeline import DemoContext, run

    ctx = run(DemoContext(out_dir=where, children=999, formats=("kobo_csv",)),
              only=["generate", "study", "import", "weights"])
    return ctx.study_dir


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Conn:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader = self.writer = None
        self.cookie = ""

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(self, method: str, path: str, body: bytes = b"",
                      extra: str = "") -> tuple[int, dict, bytes]:
        cookie = f"Cookie: {self.cookie}\r\n" if self.cookie else ""
        head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{cookie}{extra}"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        self.writer.write(head + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        headers: dict[str, list[str]] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            k, v = line.decode().split(":", 1)
            headers.setdefault(k.strip().lower(), []).append(v.strip())
        if "chunked" in ",".join(headers.get("transfer-encoding", [])):
            data = b""
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                data += chunk[:-2]
        else:
            data = await self.reader.readexactly(int(headers.get("content-length", ["0"])[0]))
        return status, headers, data


async def sign_in(conn: Conn, user: str) -> None:
    status, headers, body = await conn.request("GET", "/en/login.html")
    form = headers["set-cookie"][0].split(";")[0]
    token = re.search(rb'name="csrf" value="([^"]+)"', body).group(1).decode()
    conn.cookie = form
    payload = f"csrf={token}&username={user}&password={PASSWORD.replace(' ', '+')}".encode()
    status, headers, _ = await conn.request(
        "POST", "/en/login.html", payload,
        "Content-Type: application/x-www-form-urlencoded\r\n")
    assert status == 303, status
    conn.cookie = [c for c in headers["set-cookie"] if c.startswith("dhkit_session=")][0] \
        .split(";")[0]


async def session(i: int, port: int, until: float, think: float, out: list, errors: list,
                  analyst: bool) -> None:
    conn = Conn(port)
    await conn.open()
    rng = random.Random(i)
    if analyst:
        await sign_in(conn, "bench")
    pages = PUBLIC + (ANALYST if analyst else [])
    while time.perf_counter() < until:
        path = rng.choice(pages).format(l=rng.choice(("en", "es")))
        t0 = time.perf_counter()
        try:
            status, _, body = await conn.request("GET", path)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            errors.append(f"{path}: {exc}")
            await conn.open()
            continue
        elapsed = time.perf_counter() - t0
        if status != 200 or not body:
            errors.append(f"{path}: {status}")
        out.append((path, elapsed, len(body)))
        if think:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
    conn.writer.close()


async def drive(port: int, sessions: int, seconds: float, think: float) -> tuple[list, list]:
    out, errors = [], []
    # warm up every page once (first renders are cached by the server)
    warm = Conn(port)
    await warm.open()
    await sign_in(warm, "bench")
    for p in PUBLIC + ANALYST:
        for lang in ("en", "es"):
            await warm.request("GET", p.format(l=lang))
    warm.writer.close()
    until = time.perf_counter() + seconds
    await asyncio.gather(*(session(i, port, until, think, out, errors, analyst=i % 2 == 1)
                           for i in range(sessions)))
    return out, errors


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(q / 100 * len(values) + 0.5)) - 1))
    return values[k]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--study", type=Path, help="study folder [default: a 999-child demo]")
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--think", type=float, default=0.0,
                    help="mean think time between a session's requests, seconds [0]")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="dhkit-load-")
    study_dir = args.study or demo_study(Path(tmp.name))
    from dhkit.dashboard import accounts
    from dhkit.errors import DhkitError
    from dhkit.workspace.config import load_study

    study = load_study(study_dir)
    try:
        accounts.add_user(study, "bench", "analyst", PASSWORD, by="benchmark")
    except DhkitError:
        pass                                       # already there from an earlier run
    port = free_port()
    env = dict(os.environ)
    server = subprocess.Popen([sys.executable, "-m", "dhkit", "serve", str(study_dir),
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        t0 = time.perf_counter()
        while True:
            if server.poll() is not None:
                print(server.stderr.read(), file=sys.stderr)
                return 1
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        startup = time.perf_counter() - t0
        load_before = os.getloadavg()[0]
        cpu0 = _cpu(server.pid)
        out, errors = asyncio.run(drive(port, args.sessions, args.seconds, args.think))
        cpu = _cpu(server.pid) - cpu0
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=20)
        if args.study:
            accounts.remove_user(study, "bench", by="benchmark")
        tmp.cleanup()
    times = [t for _, t, _ in out]
    result = {
        "sessions": args.sessions, "seconds": args.seconds, "think": args.think,
        "requests": len(out), "errors": len(errors), "requests_per_s": len(out) / args.seconds,
        "p50_ms": 1000 * percentile(times, 50), "p95_ms": 1000 * percentile(times, 95),
        "p99_ms": 1000 * percentile(times, 99), "max_ms": 1000 * max(times),
        "mean_ms": 1000 * statistics.fmean(times),
        "mean_kb": statistics.fmean(b for _, _, b in out) / 1024,
        "server_cpu_s": cpu, "server_startup_s": startup,
        "load_before": load_before, "load_after": load_after,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    by_page: dict[str, list[float]] = {}
    for path, t, _ in out:
        by_page.setdefault(re.sub(r"^/(en|es)/", "/LANG/", path), []).append(t)
    print(f"{args.sessions} sessions, {args.seconds:.0f} s, think {args.think} s: "
          f"{len(out)} pages ({result['requests_per_s']:.0f}/s), {len(errors)} errors; "
          f"p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, "
          f"p99 {result['p99_ms']:.1f} ms, max {result['max_ms']:.0f} ms; server CPU "
          f"{cpu:.1f} s; load {load_before:.1f} → {load_after:.1f}")
    for page, ts in sorted(by_page.items()):
        print(f"  {page:45s} n={len(ts):6d}  p95 {1000 * percentile(ts, 95):7.1f} ms")
    if errors:
        print("first errors:", errors[:5])
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if not errors else 1


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


if __name__ == "__main__":
    sys.exit(main())
