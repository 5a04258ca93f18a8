"""Several stateless nodes on one PostgreSQL: what one node writes, every node shows;
sessions travel; the scheduler runs on exactly one node and fails over; page views add
up; a PostgreSQL restart costs 503s, not crashes; a read replica serves the public pages.

Runs on PostgreSQL only (DATELINE_TEST_DB=postgresql, as `make check` does). The server
restart and the replica need the cluster's folder (DATELINE_TEST_PG_DIR, from
scripts/pg.sh) and root, to act as the cluster's owner like scripts/pg.sh does.
"""
import datetime
import os
import re
import signal
import subprocess
import tempfile
import time

import pytest
import requests

from conftest import ON_PG, PG, Server, dbq, new_db, run_cli
from test_admin import PASSWORD, Editor, add_user

pytestmark = pytest.mark.skipif(not ON_PG, reason="several nodes share a PostgreSQL database")

PG_DIR = os.environ.get("DATELINE_TEST_PG_DIR", "")
PG_BIN = "/usr/lib/postgresql/15/bin"


def until(check, seconds, what):
    """Poll `check` until it returns something true; fail naming `what` after `seconds`."""
    deadline = time.time() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.02)


def scheduler_node(nodes):
    """The node whose log says it runs the publishing scheduler now."""
    for n in nodes:
        lines = [l for l in open(n.stderr_path).read().splitlines() if "publishing scheduler" in l]
        if lines and "this node runs" in lines[-1]:
            return n
    return None


@pytest.fixture
def two_nodes():
    """Two `dateline serve` processes on one fresh demo database, and an editor token."""
    with tempfile.TemporaryDirectory() as tmp:
        db = new_db(tmp)
        run_cli("demo", "--db", db)
        add_user(db, "editor@example.org", "editor")
        a, b = Server(db), Server(db)
        try:
            yield db, a, b
        finally:
            for n in (a, b):
                if n.proc.poll() is None:
                    n.stop()


def api_for(node):
    ed = Editor(node, "editor@example.org")
    page = ed.post("/account/tokens", {"name": "nodes test"})
    assert page.status_code == 201, page.text
    token = re.search(r'id="new-token">([0-9a-f]{64})<', page.text).group(1)
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + token
    return api, node.admin_url + "/api/v1"


def test_a_publish_on_one_node_is_visible_on_the_other_within_a_second(two_nodes):
    db, a, b = two_nodes
    assert "Cross-Node Bulletin" not in b.get("/").text
    b.get("/")  # cached on B from here on
    assert b.get("/").headers["X-Cache"] == "hit"
    api, base = api_for(a)
    r = api.post(base + "/articles", json={"title": "Cross-Node Bulletin", "status": "published",
                                           "body": "Filed on node A."})
    assert r.status_code == 201, r.text
    published = time.time()
    path = "/" + r.json()["url"].split("/", 3)[3]
    until(lambda: "Cross-Node Bulletin" in b.get("/").text, 1.0, "B's home shows A's publish")
    assert time.time() - published < 1.0
    assert b.get(path).status_code == 200
    # An update and an unpublish travel the same way.
    aid = r.json()["id"]
    assert api.patch(base + f"/articles/{aid}", json={"title": "Cross-Node Correction"}).status_code == 200
    until(lambda: "Cross-Node Correction" in b.get(path).text, 1.0, "B shows A's update")
    assert api.patch(base + f"/articles/{aid}", json={"status": "unpublished"}).status_code == 200
    until(lambda: b.get(path).status_code == 404, 1.0, "B stops serving an unpublished article")


def test_a_session_made_on_one_node_works_on_the_other(two_nodes):
    db, a, b = two_nodes
    ed = Editor(a, "editor@example.org")
    # The same cookie jar against B: the session lives in the database, not in A.
    ed.srv = b
    page = ed.get("/account")
    assert page.status_code == 200 and "editor@example.org" in page.text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    r = ed.s.post(b.admin_url + "/account/tokens", data={"csrf": csrf, "name": "made on B"},
                  allow_redirects=False)
    assert r.status_code == 201
    # Logging out on B ends the session on A too.
    ed.post("/logout")
    ed.srv = a
    assert ed.get("/account").status_code in (302, 303)


def test_login_throttling_counts_failures_on_every_node(two_nodes):
    db, a, b = two_nodes
    for i in range(5):
        node = (a, b)[i % 2]
        s = requests.Session()
        form = s.get(node.admin_url + "/login")
        token = re.search(r'name="login_csrf" value="([0-9a-f]+)"', form.text).group(1)
        r = s.post(node.admin_url + "/login", data={"login_csrf": token,
                   "email": "editor@example.org", "password": "wrong password"},
                   allow_redirects=False)
        assert r.status_code in (401, 403, 422, 429), r.status_code
    # Five failures spread over two nodes lock the account on both, right password or not.
    for node in (a, b):
        s = requests.Session()
        form = s.get(node.admin_url + "/login")
        token = re.search(r'name="login_csrf" value="([0-9a-f]+)"', form.text).group(1)
        r = s.post(node.admin_url + "/login", data={"login_csrf": token,
                   "email": "editor@example.org", "password": PASSWORD}, allow_redirects=False)
        assert r.status_code == 429, (node.admin_url, r.status_code)


def test_page_views_from_every_node_add_up(two_nodes):
    db, a, b = two_nodes
    aid, path = dbq(db, "SELECT a.id, '/' || c.slug || '/' || a.slug || '/' FROM articles a"
                        " JOIN categories c ON c.id = a.category_id WHERE a.status = 'published'"
                        " ORDER BY a.id LIMIT 1")[0]
    before = dbq(db, "SELECT COALESCE(SUM(views), 0) FROM article_views WHERE article_id = ?",
                 (aid,))[0][0]
    for _ in range(37):
        assert a.get(path).status_code == 200
    for _ in range(25):
        assert b.get(path).status_code == 200
    until(lambda: dbq(db, "SELECT COALESCE(SUM(views), 0) FROM article_views WHERE article_id = ?",
                      (aid,))[0][0] == before + 62, 10, "62 views flushed from two nodes")


def schedule(api, base, title, seconds):
    at = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds))
    r = api.post(base + "/articles", json={"title": title, "status": "scheduled", "body": "Due.",
                                           "publish_at": at.strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_the_scheduler_publishes_once_and_another_node_takes_over(two_nodes):
    db, a, b = two_nodes
    leader = until(lambda: scheduler_node((a, b)), 5, "one node runs the scheduler")
    other = b if leader is a else a
    assert "this node runs" not in open(other.stderr_path).read()
    api, base = api_for(other)
    first = schedule(api, base, "Scheduled On Two Nodes", 2)
    until(lambda: dbq(db, "SELECT status FROM articles WHERE id = ?", (first,))[0][0] == "published",
          6, "the scheduled article goes out")
    time.sleep(1.5)  # both nodes had a tick past the due time
    published = dbq(db, "SELECT COUNT(*) FROM audit_log WHERE object = ? AND action = 'article.published'",
                    ("article:%d" % first,))[0][0]
    revisions = dbq(db, "SELECT COUNT(*) FROM revisions WHERE article_id = ? AND status = 'published'",
                    (first,))[0][0]
    assert (published, revisions) == (1, 1)
    # The scheduler's node dies without a word; the survivor publishes the next one.
    leader.proc.send_signal(signal.SIGKILL)
    leader.proc.wait(timeout=10)
    second = schedule(api, base, "Scheduled After A Node Died", 1)
    until(lambda: dbq(db, "SELECT status FROM articles WHERE id = ?", (second,))[0][0] == "published",
          10, "the surviving node publishes the next scheduled article")
    assert "this node runs the publishing scheduler" in open(other.stderr_path).read()
    until(lambda: "Scheduled After A Node Died" in other.get("/").text, 2, "it is on the home page")


def pg_ctl(*args):
    return subprocess.run(["runuser", "-u", "postgres", "--", PG_BIN + "/pg_ctl", "-D",
                           os.path.join(PG_DIR, "data"), *args],
                          capture_output=True, text=True, timeout=120)


needs_cluster = pytest.mark.skipif(not PG_DIR or os.geteuid() != 0,
                                   reason="needs DATELINE_TEST_PG_DIR and root (the cluster's owner)")


@needs_cluster
def test_a_postgresql_restart_costs_503s_not_crashes(two_nodes):
    db, a, b = two_nodes
    path = "/" + dbq(db, "SELECT c.slug || '/' || a.slug || '/' FROM articles a JOIN categories c"
                         " ON c.id = a.category_id WHERE a.status = 'published' LIMIT 1")[0][0]
    assert a.get("/search/?q=harbour").status_code == 200
    # The test cluster runs with synchronous_commit off: what is committed so far goes to
    # disk first, so the crash below tests the nodes, not PostgreSQL's durability settings.
    dbq(db, "CHECKPOINT")
    stop = pg_ctl("-m", "immediate", "-w", "stop")
    assert stop.returncode == 0, stop.stderr
    try:
        for node in (a, b):
            assert node.get("/healthz").status_code == 503
            r = node.get("/search/?q=council")
            assert r.status_code == 503 and r.headers.get("Retry-After")
            # A page already in the cache is still served.
            assert node.proc.poll() is None
    finally:
        start = pg_ctl("-w", "-l", os.path.join(PG_DIR, "log"), "start")
        assert start.returncode == 0, start.stderr
    for node in (a, b):
        until(lambda: node.get("/healthz").status_code == 200, 5, "the node reconnects")
        assert node.get(path).status_code == 200
        assert node.get("/search/?q=council").status_code == 200
    # Writes work again and still reach the other node.
    api, base = api_for(a)
    r = api.post(base + "/articles", json={"title": "After The Outage", "status": "published",
                                           "body": "Back."})
    assert r.status_code == 201
    until(lambda: "After The Outage" in b.get("/").text, 1.0, "B hears A's write after the restart")


@needs_cluster
def test_a_read_replica_serves_the_public_site():
    with tempfile.TemporaryDirectory() as tmp:
        db = new_db(tmp)
        run_cli("demo", "--db", db)
        add_user(db, "editor@example.org", "editor")
        replica_dir = os.path.join(tmp, "replica")
        os.mkdir(replica_dir, 0o700)
        subprocess.run(["chown", "postgres:", tmp, replica_dir], check=True)
        port = PG.rsplit(":", 1)[1].rstrip("/")
        backup = subprocess.run(["runuser", "-u", "postgres", "--", PG_BIN + "/pg_basebackup",
                                 "-D", replica_dir, "-R", "-c", "fast", "-h", "127.0.0.1", "-p", port, "-U",
                                 PG.split("//")[1].split("@")[0]],
                                capture_output=True, text=True, timeout=120)
        assert backup.returncode == 0, backup.stderr
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            rport = s.getsockname()[1]
        with open(os.path.join(replica_dir, "postgresql.auto.conf"), "a") as conf:
            conf.write(f"port = {rport}\nunix_socket_directories = '{tmp}'\n")
        ctl = [ "runuser", "-u", "postgres", "--", PG_BIN + "/pg_ctl", "-D", replica_dir]
        started = subprocess.run(ctl + ["-w", "-l", os.path.join(tmp, "replica.log"), "start"],
                                 capture_output=True, text=True, timeout=120)
        assert started.returncode == 0, started.stderr + open(os.path.join(tmp, "replica.log")).read()
        replica_url = db.replace(":" + port + "/", f":{rport}/")
        try:
            assert dbq(replica_url, "SELECT pg_is_in_recovery()")[0][0] is True
            primary = Server(db)
            reader = Server(db, extra=("--db-replica", replica_url))
            try:
                reader.get("/")
                api, base = api_for(primary)
                r = api.post(base + "/articles", json={"title": "Read From The Replica",
                                                       "status": "published", "body": "Replayed."})
                assert r.status_code == 201
                path = "/" + r.json()["url"].split("/", 3)[3]
                until(lambda: "Read From The Replica" in reader.get("/").text, 1.0,
                      "the replica's node shows the publish")
                assert reader.get(path).status_code == 200
                # The replica's node really reads the replica: its sessions are there.
                names = dbq(replica_url, "SELECT COUNT(*) FROM pg_stat_activity"
                                         " WHERE application_name = 'dateline'")[0][0]
                assert names >= 1
            finally:
                reader.stop()
                primary.stop()
        finally:
            subprocess.run(ctl + ["-m", "fast", "-w", "stop"], capture_output=True, timeout=120)
