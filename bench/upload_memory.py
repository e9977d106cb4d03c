"""Peak memory of a real server process while a 1 GiB file streams through the tus endpoint."""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EMAIL, PASSWORD = "bench@example.test", "bench-password-1"
BLOCK = 1 << 20


def rss_kib(pid: int) -> int:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict[str, str]) -> None:
    """Create the schema and one trainee in a separate process (the server's configuration)."""
    script = (
        "from lms import create_app\n"
        "from lms.extensions import db\n"
        "from lms.accounts.services import create_user\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    db.create_all()\n"
        f"    create_user({EMAIL!r}, 'Bench', {PASSWORD!r}, 'trainee')\n"
        "    db.session.commit()\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True)


class Session:
    """A tiny cookie-keeping HTTP client over http.client."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        connection.close()
        return response, data


def zeros(total: int):
    block = bytes(BLOCK)
    sent = 0
    while sent < total:
        size = min(BLOCK, total - sent)
        yield block[:size]
        sent += size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mib", type=int, default=1024, help="upload size in MiB")
    args = parser.parse_args()
    total = args.mib * BLOCK
    work = Path(tempfile.mkdtemp(prefix="atelier-upload-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LMS_DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "LMS_MEDIA_DIR": str(work / "media"),
        "LMS_HUEY_FILE": str(work / "huey.sqlite3"),
        "LMS_SECRET_KEY": "bench-secret",
        "LMS_MAX_UPLOAD_MB": str(args.mib + 1),
        "LMS_TRAINEE_QUOTA_MB": str(args.mib + 1),
    }
    env.pop("LMS_HUEY_IMMEDIATE", None)
    env.pop("LMS_REDIS_URL", None)
    prepare(env)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "600",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        session = Session(port)
        for _ in range(100):
            try:
                session.request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        (worker,) = children(server.pid)
        _, page = session.request("GET", "/login")
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
        form = f"email={EMAIL}&password={PASSWORD}&csrf_token={token}"
        session.request(
            "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        _, page = session.request("GET", "/media/upload")
        csrf = re.search(rb'data-csrf="([^"]+)"', page).group(1).decode()
        tus = {"Tus-Resumable": "1.0.0", "X-CSRFToken": csrf}
        response, _ = session.request(
            "POST", "/media/uploads", headers={**tus, "Upload-Length": str(total)}
        )
        location = response.getheader("Location")
        time.sleep(0.5)
        idle = rss_kib(worker)

        peak = {"kib": idle}
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak["kib"] = max(peak["kib"], rss_kib(worker))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        response, _ = session.request(
            "PATCH",
            location,
            zeros(total),
            {
                **tus,
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
                "Content-Length": str(total),
            },
        )
        elapsed = time.monotonic() - started
        stop.set()
        sampler.join()
        assert response.status == 204, response.status
        assert int(response.getheader("Upload-Offset")) == total
        stored = sum(p.stat().st_size for p in (work / "media").rglob("source"))
        print(f"uploaded {args.mib} MiB in {elapsed:.1f} s ({args.mib / elapsed:.0f} MiB/s)")
        print(f"stored on disk: {stored / BLOCK:.0f} MiB")
        print(f"server worker RSS idle: {idle / 1024:.1f} MiB, peak: {peak['kib'] / 1024:.1f} MiB")
        print(f"peak above idle: {(peak['kib'] - idle) / 1024:.1f} MiB (aim: < 64 MiB)")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
