"""Seed a lab-sized instance and compare the throughput of grading pages with /healthz.

4,200 trainees in 100 cohorts following the 3 workshops, ~80,000 submissions with versions and
reviews, in a temporary SQLite file; gunicorn serves it on 127.0.0.1; `wrk` (Debian package, a
C client that saturates the server with little CPU of its own) measures requests per second on the
queue, the cohort grid and the trainee's workshop page, each against /healthz in the same run
(without wrk on the PATH, several Python client processes do). Each page is measured right after
/healthz, in several rounds, and the median ratio is reported, so that other work on the machine
does not favour one page over another; the server's CPU time per request is reported with it (its
ratio is what the throughput ratio would be on an otherwise idle machine).

Workers take one request at a time by default (`--threads 1`: gunicorn's sync worker, which closes
each connection, so the shared socket spreads wrk's requests over both workers). With threads, as
`make run` serves (`--threads 4`, for slow uploads), gunicorn keeps each keep-alive connection in
the worker that accepted it, and all 16 of wrk's sometimes land in one: that round measures one
worker instead of two (seen: /healthz at 1,375 req/s with the other worker idle, against 4,400),
and the rounds swing too far to compare pages; the server CPU ratio stays comparable.

With `--tree NAME=DIR` (repeated), several checkouts are measured side by side instead, each seeded
with its own code into its own database and served by its own gunicorn: every page on every tree in
turn, each round in a rotated order, and the median with its spread per tree, and each round's ratio
to the first tree. A variant lives in a git worktree (`git worktree add /tmp/variant HEAD`).
Usage: .venv/bin/python bench/grading.py [--seconds 4] [--rounds 3] [--connections 16]
       [--workers 2] [--threads 1] [--tree NAME=DIR --tree NAME=DIR ...]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("LMS_HUEY_IMMEDIATE", "1")

PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway bench database
TRAINEES, COHORTS = 4200, 100


def seed(database_url: str, media: str) -> dict:
    """Create the tables and bulk-insert the lab; returns the accounts to measure with."""
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from lms import create_app
    from lms.accounts.models import Cohort, CohortCourse, CohortMember, CohortTrainer, User
    from lms.courses.loader import sync_courses
    from lms.courses.models import Assignment, RubricCriterion
    from lms.extensions import db
    from lms.submissions.models import CriterionScore, Review, Submission, SubmissionVersion

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", "MEDIA_DIR": media})
    rng = random.Random(7)
    with app.app_context():
        db.create_all()
        sync_courses(ROOT / "courses")
        db.session.commit()
        digest = generate_password_hash(PASSWORD)
        now = datetime.now(UTC)
        from lms.courses.models import Course

        course_ids = list(db.session.scalars(select(Course.id)))
        assignments = list(db.session.scalars(select(Assignment)))
        criteria = {}
        for criterion in db.session.scalars(select(RubricCriterion)):
            criteria.setdefault(criterion.assignment_id, []).append(criterion)
        users = [
            {
                "email": f"t{i}@bench.test",
                "name": f"Stagiaire {i}",
                "password_hash": digest,
                "role": "trainee",
                "created_at": now,
                "last_seen_at": now - timedelta(days=i % 12),
            }
            for i in range(TRAINEES)
        ] + [
            {
                "email": f"f{i}@bench.test",
                "name": f"Formateur {i}",
                "password_hash": digest,
                "role": "trainer",
                "created_at": now,
            }
            for i in range(COHORTS)
        ]
        db.session.execute(insert(User), users)
        ids = dict(db.session.execute(select(User.email, User.id)).all())
        db.session.execute(
            insert(Cohort),
            [
                {
                    "code": f"LAB-{c:03d}",
                    "name": f"Cohorte {c}",
                    "region": "Safi",
                    "starts_on": date.today() - timedelta(days=40),
                    "created_at": now,
                }
                for c in range(COHORTS)
            ],
        )
        cohort_ids = dict(db.session.execute(select(Cohort.code, Cohort.id)).all())
        db.session.execute(
            insert(CohortCourse),
            [
                {"cohort_id": cid, "course_id": course}
                for cid in cohort_ids.values()
                for course in course_ids
            ],
        )
        db.session.execute(
            insert(CohortTrainer),
            [
                {"cohort_id": cohort_ids[f"LAB-{c:03d}"], "user_id": ids[f"f{c}@bench.test"]}
                for c in range(COHORTS)
            ],
        )
        per = TRAINEES // COHORTS
        members = [
            {
                "cohort_id": cohort_ids[f"LAB-{i // per:03d}"],
                "user_id": ids[f"t{i}@bench.test"],
                "joined_at": now,
            }
            for i in range(TRAINEES)
        ]
        db.session.execute(insert(CohortMember), members)
        subs = []
        for i in range(TRAINEES):
            for a in assignments:
                status = rng.choice(["submitted", "graded", "graded", "returned", "submitted"])
                subs.append(
                    {
                        "user_id": ids[f"t{i}@bench.test"],
                        "assignment_id": a.id,
                        "cohort_id": cohort_ids[f"LAB-{i // per:03d}"],
                        "status": status,
                        "attempts_used": 1,
                        "current_number": 1,
                        "submitted_at": now - timedelta(hours=rng.randint(1, 900)),
                        "is_late": rng.random() < 0.2,
                        "created_at": now,
                        "updated_at": now,
                        "lock_version": 1,
                    }
                )
        db.session.execute(insert(Submission), subs)
        sub_rows = db.session.execute(
            select(Submission.id, Submission.status, Submission.assignment_id)
        ).all()
        db.session.execute(
            insert(SubmissionVersion),
            [
                {
                    "submission_id": sid,
                    "number": 1,
                    "body_md": "Texte " * 80,
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                    "late": False,
                }
                for sid, _s, _a in sub_rows
            ],
        )
        version_ids = dict(
            db.session.execute(select(SubmissionVersion.submission_id, SubmissionVersion.id)).all()
        )
        first_trainer = ids["f0@bench.test"]
        reviews = [
            {
                "version_id": version_ids[sid],
                "trainer_id": first_trainer,
                "status": "released" if status == "graded" else "returned",
                "feedback_md": "Bien",
                "total_points": 6,
                "max_points": 9,
                "created_at": now,
                "updated_at": now,
                "lock_version": 1,
            }
            for sid, status, _a in sub_rows
            if status in ("graded", "returned")
        ]
        db.session.execute(insert(Review), reviews)
        review_ids = dict(db.session.execute(select(Review.version_id, Review.id)).all())
        by_sub = {sid: aid for sid, _s, aid in sub_rows}
        scores = []
        for sid, status, _a in sub_rows:
            if status not in ("graded", "returned"):
                continue
            for position, criterion in enumerate(criteria.get(by_sub[sid], [])):
                scores.append(
                    {
                        "review_id": review_ids[version_ids[sid]],
                        "criterion_id": criterion.id,
                        "position": position,
                        "criterion_title": criterion.title,
                        "level_label": "Bien",
                        "points": 2,
                        "max_points": 3,
                    }
                )
        db.session.execute(insert(CriterionScore), scores)
        db.session.commit()
        db.session.remove()
        if db.engine.dialect.name == "sqlite":
            # The bulk load left ~80 MB of write-ahead log, which every reader would search
            # page by page: fold it into the database, as SQLite's own checkpoints keep the log
            # of an instance in use to a few MB.
            with db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
        counts = {"submissions": len(subs), "reviews": len(reviews), "scores": len(scores)}
        return {"cohort_id": cohort_ids["LAB-000"], "counts": counts}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(port: int, email: str) -> str:
    """The session cookie of a signed-in user, as a browser holds it after its first page."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD})
    connection.request(
        "POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    response = connection.getresponse()
    response.read()
    assert response.status == 302, response.status
    cookies = _cookies(response, {})
    # The first page adds the CSRF secret to the session: a browser keeps the new cookie, and
    # wrk, which repeats the same one, would otherwise have every page write the session again.
    connection.request("GET", "/notifications/", headers={"Cookie": _header(cookies)})
    response = connection.getresponse()
    response.read()
    return _header(_cookies(response, cookies))


def _cookies(response, known: dict) -> dict:
    cookies = dict(known)
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            cookies[pair.split("=", 1)[0]] = pair
    return cookies


def _header(cookies: dict) -> str:
    return "; ".join(cookies.values())


def _client(port, path, cookie, seconds, queue):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    done, errors = 0, 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        response.read()
        if response.status == 200:
            done += 1
        else:
            errors += 1
    queue.put((done, errors))


def wrk_throughput(
    port: int, path: str, cookie: str, seconds: float, connections: int
) -> tuple[float, int]:
    """Requests per second and requests done, measured by wrk; non-2xx answers are reported."""
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "-H",
            f"Cookie: {cookie}",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        print(f"  ! {errors.group(1)} non-2xx answers on {path}")
    done = int(re.search(r"(\d+) requests in", output).group(1))
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), done


def server_cpu(master: int) -> float:
    """CPU seconds used so far by the gunicorn master and its workers (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if master in (pid, ppid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def measure(master: int, port: int, path: str, cookie: str, seconds: float, clients: int):
    """(requests per second, server CPU milliseconds per request) for one path."""
    before = server_cpu(master)
    rate, done = throughput(port, path, cookie, seconds, clients)
    return rate, 1000 * (server_cpu(master) - before) / max(done, 1)


def throughput(
    port: int, path: str, cookie: str, seconds: float, clients: int
) -> tuple[float, int]:
    """Requests per second and requests done, with wrk when installed, else Python clients."""
    if shutil.which("wrk"):
        return wrk_throughput(port, path, cookie, seconds, clients)
    queue = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=_client, args=(port, path, cookie, seconds, queue))
        for _ in range(clients)
    ]
    for w in workers:
        w.start()
    results = [queue.get() for _ in workers]
    for w in workers:
        w.join()
    errors = sum(e for _d, e in results)
    if errors:
        print(f"  ! {errors} non-200 answers on {path}")
    done = sum(d for d, _e in results)
    return done / seconds, done


def start_server(tree: Path, folder: Path, args) -> tuple[subprocess.Popen, int]:
    """gunicorn serving `tree`'s code on the database seeded in `folder`, and its port."""
    port = free_port()
    env = dict(
        os.environ,
        PYTHONPATH=str(tree),  # this tree's `lms`, before the virtualenv's editable install
        LMS_DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
        LMS_SECRET_KEY="bench",  # noqa: S106
        LMS_MEDIA_DIR=str(folder / "media"),
        LMS_WTF_CSRF_ENABLED="false",
    )
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=tree,
        env=env,
    )
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
            break
        except OSError:
            time.sleep(0.2)
    return server, port


def seed_tree(tree: Path, folder: Path) -> dict:
    """Seed `folder`'s database with `tree`'s own code (its tables, its catalogue writes), in a
    child process so that each tree imports its own `lms`: the same lab, row for row."""
    code = (
        "import json, sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; import grading;"
        " print(json.dumps(grading.seed(sys.argv[3], sys.argv[4])))"
    )
    url, media = f"sqlite:///{folder / 'bench.sqlite3'}", str(folder / "media")
    output = subprocess.run(
        [sys.executable, "-c", code, str(tree), str(ROOT / "bench"), url, media],
        env=dict(os.environ, PYTHONPATH=str(tree)),
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def pages_of(port: int, cohort_id: int) -> dict[str, tuple[str, str]]:
    """The key pages, each with the cookie of the person who opens it."""
    trainer = login(port, "f0@bench.test")
    trainee = login(port, "t0@bench.test")
    return {
        "queue (/grading/)": ("/grading/", trainer),
        "queue, all statuses": ("/grading/?status=all", trainer),
        "cohort grid": (f"/grading/cohorts/{cohort_id}/?course=redaction-contenu", trainer),
        "workshop page": ("/courses/redaction-contenu/", trainee),
        # The floor: the layout, sign-in, CSRF and language work every page pays.
        "reference: notifications (near-empty page)": ("/notifications/", trainer),
    }


def against_healthz(server: subprocess.Popen, port: int, pages: dict, args) -> None:
    """Each page right after /healthz, several rounds, the median ratio of each pair kept: other
    work on the machine shifts both figures of a pair alike. The server's CPU time per request is
    measured too: it hardly depends on that other work, and its ratio is what the throughput
    ratio would be on a machine of our own."""
    trainer = pages["queue (/grading/)"][1]
    for label, (path, cookie) in pages.items():
        pairs = []
        for _ in range(args.rounds):
            health, health_cpu = measure(
                server.pid, port, "/healthz", trainer, args.seconds, args.clients
            )
            rate, cpu = measure(server.pid, port, path, cookie, args.seconds, args.clients)
            pairs.append((rate / health, rate, health, health_cpu / cpu, cpu, health_cpu))
        ratio, rate, health = sorted(pairs)[len(pairs) // 2][:3]
        cpu_ratio, cpu, health_cpu = sorted(p[3:] for p in pairs)[len(pairs) // 2]
        print(
            f"{label}: {rate:.0f} req/s against /healthz {health:.0f} req/s, ratio"
            f" {ratio:.2f} (rounds: {', '.join(f'{p[0]:.2f}' for p in pairs)});"
            f" server CPU {cpu:.2f} ms/request against {health_cpu:.2f}, ratio {cpu_ratio:.2f}"
        )


def spread(values: list[float], digits: int = 0) -> str:
    """The median, then the lowest and highest value: "median [low–high]"."""
    ordered = sorted(values)
    return f"{median(ordered):.{digits}f} [{ordered[0]:.{digits}f}–{ordered[-1]:.{digits}f}]"


def side_by_side(servers: dict, pages: dict, args) -> None:
    """Each page on every tree in turn, several rounds, the order rotated each round so that no
    tree always follows the same one; per tree the median throughput and server CPU per request
    with their spread, and the median of each round's ratio to the first tree."""
    names = list(servers)
    for label in pages[names[0]]:
        rates: dict = {name: [] for name in names}
        cpus: dict = {name: [] for name in names}
        for round_ in range(args.rounds):
            for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                server, port = servers[name]
                path, cookie = pages[name][label]
                rate, cpu = measure(server.pid, port, path, cookie, args.seconds, args.clients)
                rates[name].append(rate)
                cpus[name].append(cpu)
        print(label)
        first = names[0]
        for name in names:
            ratio = median(b / a for a, b in zip(rates[first], rates[name], strict=True))
            cpu_ratio = median(a / b for a, b in zip(cpus[first], cpus[name], strict=True))
            print(
                f"  {name:>12}: {spread(rates[name])} req/s, ratio {ratio:.2f};"
                f" server CPU {spread(cpus[name], 2)} ms/request, speed ratio {cpu_ratio:.2f}"
            )


def parse_trees(values: list[str]) -> dict[str, Path]:
    """NAME=DIR pairs, in the order given (the first is the reference)."""
    trees = {}
    for value in values:
        name, _, folder = value.partition("=")
        if not folder or not (Path(folder) / "wsgi.py").is_file():
            raise SystemExit(f"--tree {value}: expected NAME=DIR, DIR a checkout of Atelier")
        trees[name] = Path(folder).resolve()
    return trees


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", "--clients", dest="clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=1, help="per worker (`make run` serves with 4)"
    )
    parser.add_argument(
        "--tree",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="measure this checkout too, side by side (repeat; the first is the reference)",
    )
    args = parser.parse_args()
    trees = parse_trees(args.tree) if args.tree else {"this tree": ROOT}
    folders = {name: Path(tempfile.mkdtemp(prefix="atelier-bench-")) for name in trees}
    servers: dict = {}
    try:
        cohorts = {}
        for name, tree in trees.items():
            started = time.monotonic()
            info = seed_tree(tree, folders[name])
            cohorts[name] = info["cohort_id"]
            print(
                f"{name}: seeded in {time.monotonic() - started:.0f}s: {TRAINEES} trainees,"
                f" {COHORTS} cohorts, {info['counts']}"
            )
            servers[name] = start_server(tree, folders[name], args)
        pages = {name: pages_of(port, cohorts[name]) for name, (_s, port) in servers.items()}
        for name, (_server, port) in servers.items():  # warm caches and compiled templates
            for path, cookie in pages[name].values():
                throughput(port, path, cookie, 1, args.clients)
        client = "wrk" if shutil.which("wrk") else "python clients"
        print(f"{client}, {args.clients} connections, {args.rounds} rounds of {args.seconds:g}s")
        if len(servers) == 1:
            server, port = servers[name]
            against_healthz(server, port, pages[name], args)
        else:
            side_by_side(servers, pages, args)
    finally:
        for server, _port in servers.values():
            server.terminate()
            server.wait(timeout=10)
        for folder in folders.values():
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
