"""Weigh the pages a trainee opens on a phone: bytes of HTML, CSS, JS and images per page.

The baseline is the sign-in page, weighed in the same run; the budget is 60 KB per page
(fonts and scripts included; Atelier uses the phone's own fonts). Usage:
.venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

import gzip
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LMS_HUEY_IMMEDIATE", "1")

BUDGET = 60 * 1024
ASSET = re.compile(r'(?:href|src)="(/static/[^"?]+)')


def weigh(client, url: str) -> tuple[int, int, list[str]]:
    """Raw and gzip-compressed bytes of a page and the static files it references."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.get_data()
    assets = sorted(set(ASSET.findall(html.decode())))
    bodies = [html] + [client.get(a).get_data() for a in assets]
    return sum(map(len, bodies)), sum(len(gzip.compress(b)) for b in bodies), assets


def main() -> None:
    from lms import create_app
    from lms.extensions import db
    from tests.factories import login, make_cohort, make_user, sync_real_courses

    folder = Path(tempfile.mkdtemp())
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{folder}/w.sqlite3",
            "MEDIA_DIR": str(folder),
            "WTF_CSRF_ENABLED": False,
            "TESTING": True,
        }
    )
    with app.app_context():
        db.create_all()
        sync_real_courses()
        trainee = make_user()
        make_cohort(["montage-video", "redaction-contenu", "marketing-digital"], trainees=[trainee])
        client = app.test_client()
        baseline = weigh(client, "/login")
        login(client, trainee)
        pages = {
            "sign-in (baseline)": baseline,
            "catalogue": weigh(client, "/courses/"),
            "workshop": weigh(client, "/courses/montage-video/"),
            "module (longest text)": max(
                (
                    weigh(client, f"/courses/{c}/{m}/")
                    for c, m in [
                        ("montage-video", "filmer-pour-le-montage"),
                        ("montage-video", "son-titres-et-sous-titres"),
                        ("redaction-contenu", "fiches-produit"),
                        ("marketing-digital", "persona-et-positionnement"),
                    ]
                ),
                key=lambda w: w[0],
            ),
        }
    print(f"{'page':24} {'raw bytes':>10} {'gzip bytes':>10} {'vs sign-in':>10}  budget 60 KB")
    for name, (raw, packed, _assets) in pages.items():
        verdict = "ok" if raw < BUDGET else "OVER"
        print(f"{name:24} {raw:>10} {packed:>10} {raw / baseline[0]:>10.2f}  {verdict}")


if __name__ == "__main__":
    main()
