"""Black-box fixtures: the real `dateline` binary, a fresh database, real HTTP.

DATELINE_BIN names the binary under test (default: build/dateline).
DATELINE_TEST_DB=postgresql runs every test on PostgreSQL instead of SQLite: each fresh
database is then a new database in the cluster DATELINE_TEST_PG names
(postgresql://USER@127.0.0.1:PORT/, as `scripts/pg.sh start DIR` prints it).
"""
import decimal
import itertools
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
ENGINE = os.environ.get("DATELINE_TEST_DB", "sqlite")
ON_PG = ENGINE == "postgresql"
PG = os.environ.get("DATELINE_TEST_PG", "")
if PG and not PG.endswith("/"):
    PG += "/"


def pytest_configure(config):
    if ENGINE not in ("sqlite", "postgresql"):
        raise pytest.UsageError(f"DATELINE_TEST_DB={ENGINE}: sqlite or postgresql")
    # The tests load the database hard: only ever a throwaway cluster on this machine.
    if ON_PG and not re.fullmatch(r"postgresql://[^@/]+@127\.0\.0\.1:\d+/", PG):
        raise pytest.UsageError("DATELINE_TEST_DB=postgresql needs DATELINE_TEST_PG="
                                "postgresql://USER@127.0.0.1:PORT/ (scripts/pg.sh start DIR)")


_pg_databases = {}  # URL -> the folder it belongs to; dropped once the folder is gone
_pg_serial = itertools.count(1)


def _pg_admin(statement):
    import psycopg2
    con = psycopg2.connect(PG + "postgres")
    try:
        con.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
        with con.cursor() as cur:
            cur.execute(statement)
    finally:
        con.close()


def new_db(folder, name="dateline.db"):
    """The --db of a fresh, empty database for a test: FOLDER/NAME on SQLite; on PostgreSQL
    a new database (named after NAME), dropped once FOLDER no longer exists."""
    if not ON_PG:
        return os.path.join(folder, name)
    dbname = "dl_%d_%d_%s" % (os.getpid(), next(_pg_serial), re.sub(r"[^a-z0-9]+", "_", name.lower()))
    dbname = dbname[:63]
    _pg_admin(f'CREATE DATABASE "{dbname}"')
    url = PG + dbname
    _pg_databases[url] = folder
    return url


def _drop_pg_databases(everything):
    for url, folder in list(_pg_databases.items()):
        if everything or not os.path.isdir(folder):
            # FORCE: a server killed with SIGKILL may leave its sessions behind for a moment.
            _pg_admin(f'DROP DATABASE IF EXISTS "{url[len(PG):]}" WITH (FORCE)')
            del _pg_databases[url]


@pytest.fixture(autouse=True, scope="session")
def _pg_databases_dropped_at_end():
    yield
    if ON_PG:
        _drop_pg_databases(everything=True)


@pytest.fixture(autouse=True)
def _pg_databases_dropped_with_their_folder():
    yield
    if ON_PG:
        _drop_pg_databases(everything=False)


def log_base(db):
    """Where a server's logs for database `db` go: beside the file, or in the folder a
    PostgreSQL database belongs to."""
    if db in _pg_databases:
        return os.path.join(_pg_databases[db], db[len(PG):])
    return db


def _plain(value):
    """psycopg2's values as Python's sqlite3 gives them: bytes, and int for whole numbers
    (SUM of BIGINT is NUMERIC in PostgreSQL)."""
    if isinstance(value, memoryview):
        return value.tobytes()
    if isinstance(value, decimal.Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def dbq(db, query, params=()):
    """Run SQL on a test database and commit; the rows as tuples. `?` placeholders on both
    engines; on PostgreSQL several statements may be given at once when there are no params."""
    if db.startswith("postgresql://"):
        import psycopg2
        con = psycopg2.connect(db)
        try:
            with con.cursor() as cur:
                cur.execute(query.replace("%", "%%").replace("?", "%s"), tuple(params))
                rows = cur.fetchall() if cur.description else []
            con.commit()
            return [tuple(_plain(v) for v in row) for row in rows]
        finally:
            con.close()
    con = sqlite3.connect(db, timeout=10)
    try:
        rows = con.execute(query, params).fetchall()
        con.commit()
        return rows
    finally:
        con.close()


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

    _serial = itertools.count(1)

    def __init__(self, db, extra=(), logdir=None):
        """Serve `db`; logs go beside it (or into `logdir`), one pair per server, so
        several servers on one database (the node tests) keep their own."""
        self.db = db
        base = os.path.join(logdir, "server") if logdir else log_base(db)
        if "://" in base:  # a database this run did not make with new_db()
            base = os.path.join(tempfile.gettempdir(), "dateline-" + base.rsplit("/", 1)[1])
        n = next(Server._serial)
        self.access_log = f"{base}.{n}.access.log"
        self.stderr_path = f"{base}.{n}.stderr.log"
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
        return dbq(self.db, query, params)

    def content_changed(self):
        """Bump the content generation behind the server's back, as another writer would."""
        bump = "UPDATE counters SET value = value + 1 WHERE name = 'content'"
        if not ON_PG:
            self.sql(bump)
            return
        # Servers on PostgreSQL hear of other writers' commits through NOTIFY (here the
        # counter's trigger sends it: this writer knows nothing of Dateline), within
        # milliseconds but not synchronously: give the watcher that moment.
        self.sql(bump)
        time.sleep(0.25)

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
    db = new_db(tmpdir)
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
