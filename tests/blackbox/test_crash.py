"""Crash safety: kill -9 in the middle of writes, restart, and every write the
server acknowledged is there, whole; nothing half-written is visible."""
import os
import signal
import tempfile
import threading
import time

import requests

from conftest import ON_PG, Server, dbq, make_demo_db
from test_admin import Editor, add_user


def test_sigkill_during_writes_loses_nothing_acknowledged():
    with tempfile.TemporaryDirectory() as tmp:
        db = make_demo_db(tmp)
        add_user(db, "ed@example.org", "editor")
        srv = Server(db)
        ed = Editor(srv, "ed@example.org")
        acked = {}
        stop = threading.Event()

        def writer(n):
            s = requests.Session()
            s.cookies.update(ed.s.cookies)
            i = 0
            while not stop.is_set():
                body = f"Writer {n} article {i}. " * 40
                try:
                    r = s.post(ed.url("/api/v1/articles"), headers={"X-CSRF-Token": ed.csrf},
                               json={"title": f"W{n} #{i}", "body": body, "status": "published",
                                     "tags": [f"w{n}", "crash"]}, timeout=5)
                except requests.RequestException:
                    return  # the server died under us: this write was never acknowledged
                if r.status_code == 201:
                    acked[r.json()["id"]] = (f"W{n} #{i}", body)
                i += 1

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        os.kill(srv.proc.pid, signal.SIGKILL)
        srv.proc.wait()
        stop.set()
        for t in threads:
            t.join()
        srv.stderr.close()
        assert len(acked) > 10

        if not ON_PG:  # PostgreSQL checks its own pages; the rows below are checked on both
            assert dbq(db, "PRAGMA integrity_check") == [("ok",)]
        for aid, (title, body) in acked.items():
            row = dbq(db, "SELECT title, body_source, status FROM articles WHERE id = ?", (aid,))[0]
            assert row == (title, body, "published"), aid
        # Whatever is stored is whole: each crash article has its tags and its revision.
        assert dbq(db, "SELECT COUNT(*) FROM articles a WHERE title LIKE 'W_ #%' AND ("
                       "(SELECT COUNT(*) FROM article_tags x WHERE x.article_id = a.id) <> 2"
                       " OR NOT EXISTS (SELECT 1 FROM revisions r WHERE r.article_id = a.id)"
                       " OR NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.object = 'article:' || a.id))"
                       ) == [(0,)]

        # The site comes back and serves them.
        srv = Server(db)
        try:
            aid = max(acked)
            page = srv.get(f"/?p={aid}", allow_redirects=True)
            assert page.status_code == 200 and acked[aid][0] in page.text
        finally:
            srv.stop()


def test_sigkill_during_a_scheduled_publish_run():
    """Many articles due at once, killed while the scheduler works through them:
    each is either still scheduled (and goes out after the restart) or fully published."""
    with tempfile.TemporaryDirectory() as tmp:
        db = make_demo_db(tmp)
        add_user(db, "ed@example.org", "editor")
        srv = Server(db, ["--no-scheduler"])
        try:
            ed = Editor(srv, "ed@example.org")
            # Far enough ahead for a slow (sanitizer) build to create them all.
            due = int(time.time()) + 120
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(due))
            ids = []
            for i in range(150):
                body = " ".join(f"harbour{(i * 7 + k) % 97} tide{k % 13}" for k in range(400))
                r = ed.s.post(ed.url("/api/v1/articles"), headers={"X-CSRF-Token": ed.csrf},
                              json={"title": f"Due {i}", "body": body,
                                    "status": "scheduled", "publish_at": stamp})
                assert r.status_code == 201
                ids.append(r.json()["id"])
        finally:
            srv.stop()
        # Time passes while the site is down: all 150 are now overdue.
        due = int(time.time()) - 1
        srv.sql("UPDATE articles SET published_at = ? WHERE title LIKE 'Due %'", (due,))
        srv = Server(db)
        os.kill(srv.proc.pid, signal.SIGKILL)
        srv.proc.wait()
        srv.stderr.close()
        if not ON_PG:
            assert dbq(db, "PRAGMA integrity_check") == [("ok",)]
        states = dict(dbq(db, "SELECT status, COUNT(*) FROM articles WHERE title LIKE 'Due %'"
                              " GROUP BY status"))
        assert set(states) <= {"scheduled", "published"}
        print("states after the kill:", states)
        # A published one is whole: indexed for search and with its publish revision.
        assert dbq(db, "SELECT COUNT(*) FROM articles a WHERE title LIKE 'Due %' AND "
                       "status = 'published' AND (SELECT COUNT(*) FROM revisions r WHERE "
                       "r.article_id = a.id) < 2") == [(0,)]
        srv = Server(db)
        try:
            # PostgreSQL publishes about 3x slower (a round trip per query): 150 took ~10 s.
            deadline = time.time() + (40 if ON_PG else 10)
            while time.time() < deadline and srv.sql(
                    "SELECT COUNT(*) FROM articles WHERE title LIKE 'Due %' AND status = 'scheduled'"
                    )[0][0]:
                time.sleep(0.1)
            assert srv.sql("SELECT COUNT(*) FROM articles WHERE title LIKE 'Due %' AND "
                           "status = 'published' AND published_at = ?", (due,))[0][0] == 150
        finally:
            srv.stop()
