"""The command line: help, init, demo, configuration by flags and environment."""
import os
import tempfile

from conftest import ON_PG, Server, dbq, new_db, run_cli


def test_help_lists_commands():
    out = run_cli("--help").stdout
    for cmd in ("serve", "init", "demo"):
        assert cmd in out
    assert "--listen" in run_cli("serve", "--help").stdout
    assert "DATELINE_DB" in run_cli("serve", "--help").stdout


def test_unknown_options_are_refused():
    p = run_cli("serve", "--no-such-flag", check=False)
    assert p.returncode == 2 and "--no-such-flag" in p.stderr
    p = run_cli("bogus", check=False)
    assert p.returncode == 2
    p = run_cli("serve", "--threads", "lots", check=False)
    assert p.returncode == 2 and "--threads" in p.stderr


def test_demo_content_and_refill_refused():
    with tempfile.TemporaryDirectory() as tmp:
        db = new_db(tmp, os.path.join("sub", "site.db"))
        out = run_cli("demo", "--db", db).stdout
        assert "articles" in out
        q = lambda s: dbq(db, s)[0][0]
        assert q("SELECT COUNT(*) FROM articles WHERE status = 'published'") >= 40
        assert q("SELECT COUNT(*) FROM categories WHERE id != 1 AND EXISTS"
                 " (SELECT 1 FROM articles a WHERE a.category_id = categories.id)") >= 6
        assert q("SELECT COUNT(*) FROM articles WHERE category_id = 1") >= 1
        assert q("SELECT COUNT(*) FROM users") == 4
        assert q("SELECT COUNT(*) FROM tags") >= 10
        assert q("SELECT COUNT(*) FROM articles WHERE pinned_at IS NOT NULL") >= 3
        assert q("SELECT COUNT(*) FROM ad_creatives") >= 3
        if not ON_PG:
            assert q("PRAGMA journal_mode") == "wal"
        p = run_cli("demo", "--db", db, check=False)
        assert p.returncode == 1 and "already has" in p.stderr


def test_init_validates_settings():
    with tempfile.TemporaryDirectory() as tmp:
        db = new_db(tmp, "site.db")
        run_cli("init", "--db", db, "--title", "The Test Gazette", "--timezone", "Europe/Paris",
                "--locale", "fr")
        for bad in (("--timezone", "Mars/Olympus"), ("--timezone", "../../etc/passwd"),
                    ("--locale", "tlh"), ("--posts-per-page", "0"), ("--title", "")):
            p = run_cli("init", "--db", db, *bad, check=False)
            assert p.returncode != 0, bad
            assert bad[0] in p.stderr or "must" in p.stderr or "not" in p.stderr


def test_environment_configures_and_flags_win():
    """DATELINE_DB and DATELINE_LISTEN configure serve; a flag beats the environment."""
    import re
    import signal
    import subprocess
    import time
    import requests
    from conftest import BIN
    with tempfile.TemporaryDirectory() as tmp:
        env_db = new_db(tmp, "env.db")
        flag_db = new_db(tmp, "flag.db")
        run_cli("init", "--db", env_db, "--title", "Env Gazette", "--timezone", "Europe/Paris",
                "--locale", "fr")
        run_cli("init", "--db", flag_db, "--title", "Flag Gazette")
        env = dict(os.environ, DATELINE_DB=env_db, DATELINE_LISTEN="127.0.0.1:0",
                   DATELINE_ACCESS_LOG="off")
        for extra, title in (([], "Env Gazette"), (["--db", flag_db], "Flag Gazette")):
            err = open(os.path.join(tmp, "err.log"), "w+")
            proc = subprocess.Popen([BIN, "serve", *extra], env=env, stderr=err,
                                    stdout=subprocess.DEVNULL)
            try:
                url = None
                for _ in range(200):
                    err.seek(0)
                    m = re.search(r"at (http://[^/]+)/", err.read())
                    if m:
                        url = m.group(1)
                        break
                    time.sleep(0.05)
                assert url, "server did not start"
                page = requests.get(url + "/", timeout=10).text
                assert title in page
                if title == "Env Gazette":
                    assert 'lang="fr-FR"' in page
            finally:
                proc.send_signal(signal.SIGTERM)
                assert proc.wait(timeout=20) == 0
                err.close()
