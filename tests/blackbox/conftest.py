"""Black-box fixtures: the real `dateline` binary, a fresh SQLite file, real HTTP.

DATELINE_BIN names the binary under test (default: build/dateline).
"""
import os
import re
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("DATELINE_BIN", os.path.join(ROOT, "build", "dateline"))


def run_cli(*args, env=None, check=True):
    """Run `dateline ARGS`; returns the CompletedProcess."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run([BIN, *args], capture_output=True, text=True, env=full_env, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"dateline {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


class Server:
    """A running `dateline serve` on a free loopback port."""

    def __init__(self, db, extra=()):
        self.db = db
        self.access_log = db + ".access.log"
        self.stderr_path = db + ".stderr.log"
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--db", db, "--listen", "127.0.0.1:0", "--flush-seconds", "1",
             "--access-log", self.access_log, "--threads", "2", "--admin-listen", "127.0.0.1:0",
             *extra],
            stdout=subprocess.DEVNULL, stderr=self.stderr)
        self.url = self._wait_for_url()
        self.admin_url = self._wait_for("newsroom \\(admin\\) is at (http://[^/]+/)", required=False)
        self.session = requests.Session()

    def _wait_for_url(self):
        return self._wait_for(r"serving the public site at (http://[^/]+/)")

    def _wait_for(self, pattern, required=True):
        """The URL in the first stderr line matching pattern, once the server is up."""
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("server exited at start:\n" + open(self.stderr_path).read())
            text = open(self.stderr_path).read()
            m = re.search(pattern, text)
            if m:
                return m.group(1).rstrip("/")
            # The admin line follows the public one at once, or never (--admin-listen off).
            if not required and "serving the public site" in text and (
                    "admin-listen" in " ".join(self.proc.args) and "off" in self.proc.args):
                return None
            time.sleep(0.05)
        raise AssertionError("server did not start:\n" + open(self.stderr_path).read())

    def get(self, path, **kw):
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 10)
        return self.session.get(self.url + path, **kw)

    def raw(self, request_bytes, timeout=5):
        """Send raw bytes on a new connection; return the whole answer."""
        host, port = self.url[len("http://"):].split(":")
        with socket.create_connection((host, int(port)), timeout=timeout) as s:
            s.sendall(request_bytes)
            chunks = []
            try:
                while True:
                    data = s.recv(65536)
                    if not data:
                        break
                    chunks.append(data)
            except socket.timeout:
                pass
        return b"".join(chunks)

    def sql(self, query, params=()):
        con = sqlite3.connect(self.db, timeout=10)
        try:
            rows = con.execute(query, params).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def stop(self):
        self.session.close()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=20)
        finally:
            self.stderr.close()
        log = open(self.stderr_path).read()
        assert code == 0, f"server exited with {code}:\n{log}"
        assert "ERROR: AddressSanitizer" not in log and "runtime error:" not in log, log


def make_demo_db(tmpdir, *init_args):
    db = os.path.join(tmpdir, "dateline.db")
    run_cli("demo", "--db", db)
    if init_args:
        run_cli("init", "--db", db, *init_args)
    return db


@pytest.fixture(scope="module")
def site():
    """The demo newsroom with 2 articles per archive page, served for a whole module."""
    with tempfile.TemporaryDirectory() as tmp:
        srv = Server(make_demo_db(tmp, "--posts-per-page", "2"))
        try:
            yield srv
        finally:
            srv.stop()


@pytest.fixture
def fresh_site():
    """A demo newsroom of its own, for tests that change data."""
    with tempfile.TemporaryDirectory() as tmp:
        srv = Server(make_demo_db(tmp))
        try:
            yield srv
        finally:
            srv.stop()
