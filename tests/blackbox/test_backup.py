"""dateline backup / restore: a consistent copy of a live site under write load,
and the site brought back from it."""
import os
import sqlite3
import subprocess
import tempfile
import threading
import time

import requests

import pytest

from conftest import BIN, ON_PG, Server, make_demo_db, run_cli
from test_admin import Editor, add_user


def rows(path, query):
    con = sqlite3.connect(path)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


@pytest.mark.skipif(ON_PG, reason="backup/restore copy a SQLite file; PostgreSQL has pg_dump")
def test_backup_under_load_and_restore():
    with tempfile.TemporaryDirectory() as tmp:
        db = make_demo_db(tmp)
        add_user(db, "ed@example.org", "editor")
        srv = Server(db)
        stop = threading.Event()
        written = []
        try:
            ed = Editor(srv, "ed@example.org")

            def writer():
                i = 0
                while not stop.is_set():
                    r = ed.s.post(ed.url("/api/v1/articles"), headers={"X-CSRF-Token": ed.csrf},
                                  json={"title": f"Load {i}", "body": f"Body {i} " * 50,
                                        "status": "published", "tags": [f"load{i % 5}"]})
                    assert r.status_code == 201, r.text
                    written.append(r.json()["id"])
                    i += 1

            t = threading.Thread(target=writer)
            t.start()
            time.sleep(1.0)
            backup = os.path.join(tmp, "site-backup.db")
            out = run_cli("backup", "--db", db, backup)
            time.sleep(0.5)
            stop.set()
            t.join()
            assert "integrity ok" in out.stdout
        finally:
            stop.set()
            srv.stop()
        assert len(written) > 5
        # One consistent moment: every article is whole (its revision, tags and index entry).
        assert rows(backup, "PRAGMA integrity_check") == [("ok",)]
        n_backup = rows(backup, "SELECT COUNT(*) FROM articles WHERE title LIKE 'Load %'")[0][0]
        assert 0 < n_backup < len(written) + 1
        assert rows(backup, "SELECT COUNT(*) FROM articles a WHERE title LIKE 'Load %' AND NOT EXISTS "
                            "(SELECT 1 FROM revisions r WHERE r.article_id = a.id)") == [(0,)]
        assert rows(backup, "SELECT COUNT(*) FROM articles a WHERE title LIKE 'Load %' AND NOT EXISTS "
                            "(SELECT 1 FROM article_tags x WHERE x.article_id = a.id)") == [(0,)]
        # The full-text index (its shadow table: the tokenizer lives in dateline) matches.
        assert rows(backup, "SELECT COUNT(*) FROM articles WHERE status = 'published'") == \
            rows(backup, "SELECT COUNT(*) FROM article_fts_docsize")
        # The backup's articles are the live site's, byte for byte.
        query = "SELECT id, slug, title, body_source, body_html FROM articles ORDER BY id"
        backed = rows(backup, query)
        live = {r[0]: r for r in rows(db, query)}
        assert all(live[r[0]] == r for r in backed)

        # Refusals: an existing backup file, a file that is not a database, an existing target.
        assert run_cli("backup", "--db", db, backup, check=False).returncode != 0
        junk = os.path.join(tmp, "junk.db")
        open(junk, "w").write("not a database")
        p = run_cli("restore", "--db", os.path.join(tmp, "x.db"), junk, check=False)
        assert p.returncode != 0 and "junk.db" in p.stderr
        p = run_cli("restore", "--db", db, backup, check=False)
        assert p.returncode != 0 and "--force" in p.stderr

        # Restore into a new place and serve it: the same articles, pages and search.
        target = os.path.join(tmp, "restored", "site.db")
        out = run_cli("restore", "--db", target, backup)
        assert f"restored {len(backed)} articles" in out.stdout
        assert rows(target, query) == backed
        srv = Server(target)
        try:
            slug, cat = rows(target, "SELECT a.slug, c.slug FROM articles a JOIN categories c "
                                     "ON c.id = a.category_id WHERE a.title = 'Load 0'")[0]
            assert srv.get(f"/{cat}/{slug}/").status_code == 200
            # (equal scores rank the newest first: "0" singles out the oldest)
            assert "Load 0" in srv.get("/search/?q=load+0").text
        finally:
            srv.stop()
        # Restoring over a stopped site with --force replaces it.
        out = run_cli("restore", "--db", db, "--force", backup)
        assert rows(db, query) == backed
