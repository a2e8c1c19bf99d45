import hashlib
import re
from pathlib import Path

from shell_app.assets import HTMX_FILE, HTMX_SHA256, HTMX_VERSION

STATIC = Path(__file__).resolve().parent.parent / "static"


def test_vendored_htmx_matches_its_recorded_version_and_sha256():
    assert re.fullmatch(r"2\.0\.\d+", HTMX_VERSION)
    content = (STATIC / HTMX_FILE).read_bytes()
    assert hashlib.sha256(content).hexdigest() == HTMX_SHA256
    assert f'version:"{HTMX_VERSION}"' in content.decode()
    record = (STATIC / "vendor" / "VENDORED.md").read_text()
    assert HTMX_SHA256 in record and HTMX_VERSION in record


def test_pages_load_the_vendored_htmx(client):
    page = client.get("/login").get_data(as_text=True)
    assert f"/static/{HTMX_FILE}" in page
    response = client.get(f"/static/{HTMX_FILE}")
    assert response.status_code == 200
    response.close()
