"""Serving personal data safely: refuse public binding without auth, HTTP
Basic and reverse-proxy auth on every request, --no-contacts, hash-password."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from werkzeug.security import generate_password_hash

from dashboard.app import create_app
from dashboard.auth import (ENV_HASH, ENV_HEADER, ENV_USER, AuthConfig, AuthConfigError, UnsafeBinding,
                            install_auth, require_safe_binding)
from graph.people.privacy import has_contacts, mask_unconsented, without_contacts
from loaders import SAMPLE_PATH, load
from tests.browser.browser_helpers import free_port
from tests.helpers import ROOT

PERSONAL = ("Henrike", "Sandvoß", "example.org", "Müller", "Albers")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERNETZ_")}
    env.update(extra)
    return env


def run_app(*args: str, env=None, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "app.py"), *args], cwd=ROOT, env=env or clean_env(),
                          capture_output=True, text=True, timeout=timeout)


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture(scope="module")
def masked_sample():
    g = load(SAMPLE_PATH).graph
    mask_unconsented(g)
    return g


# ------------------------------------------------------------- the refusal
def test_serving_contacts_on_all_interfaces_without_auth_is_refused():
    proc = run_app("serve", "--host", "0.0.0.0", "--port", str(free_port()))
    assert proc.returncode == 3
    assert "refusing to serve contact data (personal data) on 0.0.0.0 without authentication" in proc.stderr
    assert "PARTNERNETZ_USER" in proc.stderr and "--no-contacts" in proc.stderr
    assert "Partnernetz: http" not in proc.stdout  # never started


def test_worker_processes_obey_the_same_refusal():
    proc = run_app("serve", "--host", "0.0.0.0", "--port", str(free_port()), "--workers", "2")
    assert proc.returncode == 3
    assert "refusing to serve contact data (personal data) on 0.0.0.0 without authentication" in proc.stderr
    assert "Partnernetz: http" not in proc.stdout


def test_worker_processes_are_refused_with_neo4j():
    """A Neo4j driver must not be shared across forked workers: refused up front."""
    proc = run_app("serve", "--workers", "2", "--neo4j-uri", "bolt://127.0.0.1:1", "--port", str(free_port()))
    assert proc.returncode == 3
    assert "--workers > 1 cannot be combined with --neo4j-uri" in proc.stderr
    assert "Partnernetz: http" not in proc.stdout


def test_half_configured_auth_is_refused_even_on_loopback():
    proc = run_app("serve", "--port", str(free_port()), env=clean_env(**{ENV_USER: "planer"}))
    assert proc.returncode == 3 and "PARTNERNETZ_PASSWORD_HASH is not set" in proc.stderr


def test_binding_rule():
    auth = AuthConfig(mode="basic", user="u", password_hash=generate_password_hash("p"))
    for host in ("127.0.0.1", "localhost", "::1", "[::1]"):
        require_safe_binding(host, has_contacts=True, auth=None)
    require_safe_binding("0.0.0.0", has_contacts=False, auth=None)  # --no-contacts
    require_safe_binding("0.0.0.0", has_contacts=True, auth=auth)
    for host in ("0.0.0.0", "192.168.1.5", "::", "example.org"):
        with pytest.raises(UnsafeBinding):
            require_safe_binding(host, has_contacts=True, auth=None)


def test_auth_config_from_env():
    assert AuthConfig.from_env({}) is None
    with pytest.raises(AuthConfigError):
        AuthConfig.from_env({ENV_HASH: generate_password_hash("x")})
    with pytest.raises(AuthConfigError):
        AuthConfig.from_env({ENV_USER: "u", ENV_HASH: "plain-text-password"})
    with pytest.raises(AuthConfigError):
        AuthConfig.from_env({ENV_USER: "u", ENV_HASH: generate_password_hash("x"), ENV_HEADER: "X-User"})
    proxy = AuthConfig.from_env({ENV_HEADER: "X-Forwarded-User"})
    assert proxy.mode == "proxy" and proxy.trusted_proxies == ("127.0.0.1", "::1")


# ------------------------------------------------------- every request gated
def test_basic_auth_gates_pages_callbacks_and_assets(masked_sample):
    app = create_app(masked_sample)
    install_auth(app.server, AuthConfig(mode="basic", user="planer", password_hash=generate_password_hash("geheim")))
    client = app.server.test_client()
    for path in ("/", "/kontakte", "/_dash-layout", "/_dash-dependencies", "/assets/style.css"):
        resp = client.get(path)
        assert resp.status_code == 401, path
        assert resp.headers["WWW-Authenticate"].startswith("Basic")
        assert not any(word in resp.get_data(as_text=True) for word in PERSONAL)
    resp = client.post("/_dash-update-component", json={"output": "x", "inputs": []})
    assert resp.status_code == 401
    assert client.get("/", headers=basic("planer", "falsch")).status_code == 401
    assert client.get("/", headers=basic("jemand", "geheim")).status_code == 401
    ok = client.get("/_dash-layout", headers=basic("planer", "geheim"))
    assert ok.status_code == 200


def test_proxy_header_mode_needs_the_header_from_a_trusted_address(masked_sample):
    app = create_app(masked_sample)
    install_auth(app.server, AuthConfig(mode="proxy", header="X-Forwarded-User"))
    client = app.server.test_client()
    assert client.get("/").status_code == 401
    assert client.get("/", headers={"X-Forwarded-User": "planer"}).status_code == 200
    untrusted = client.get("/", headers={"X-Forwarded-User": "planer"}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert untrusted.status_code == 401


@pytest.mark.parametrize("workers", ["1", "2"])
def test_served_app_with_auth_answers_401_without_credentials(workers):
    """End to end: `serve` with PARTNERNETZ_USER/_PASSWORD_HASH set, in one
    process and with gunicorn worker processes (every worker checks)."""
    port = free_port()
    env = clean_env(**{ENV_USER: "planer", ENV_HASH: generate_password_hash("geheim")})
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "serve", "--port", str(port), "--workers", workers],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        status = body = None
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url + "/_dash-layout", timeout=2)
                status = 200
                break
            except urllib.error.HTTPError as exc:
                status, body = exc.code, exc.read().decode()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                time.sleep(0.2)
        assert status == 401
        assert not any(word in body for word in PERSONAL)
        req = urllib.request.Request(url + "/_dash-layout", headers=basic("planer", "geheim"))
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200
        for _ in range(6):  # several connections: with workers, more than one process answers
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(url + "/_dash-dependencies", timeout=10)
            assert refused.value.code == 401
            wrong = urllib.request.Request(url + "/_dash-layout", headers=basic("planer", "falsch"))
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(wrong, timeout=10)
            assert refused.value.code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


# ------------------------------------------------------------- no contacts
def test_no_contacts_app_holds_no_personal_data():
    g = without_contacts(load(SAMPLE_PATH).graph)
    assert not has_contacts(g)
    app = create_app(g)
    client = app.server.test_client()
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert not any(word in layout for word in PERSONAL)


def test_hash_password_prints_a_usable_hash():
    proc = subprocess.run([sys.executable, str(ROOT / "app.py"), "hash-password", "--stdin"], cwd=ROOT,
                          input="geheim\n", capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    cfg = AuthConfig.from_env({ENV_USER: "planer", ENV_HASH: proc.stdout.strip()})
    assert cfg.verify_basic("planer", "geheim") and not cfg.verify_basic("planer", "geheim2")


def test_no_contacts_hides_load_findings_from_contact_rows():
    import app as cli
    from loaders.report import LoadReport

    report = LoadReport(source="x")
    report.error("data/contacts.csv", 3, "email", "erika@example.org", "bad")
    report.warning("book.xlsx#attendance", 2, "role", "x", "odd")
    report.error("data/institutions.csv", 4, "sector", "?", "unknown sector")
    clean = cli._report_without_contacts(report)
    assert [p.file for p in clean.problems] == ["data/institutions.csv"]
    assert len(report.problems) == 3  # the original is untouched
