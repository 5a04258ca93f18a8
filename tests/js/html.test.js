// Every kind of page passes the Nu HTML Checker (npm vnu-jar, run with Java).
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer } = require('./server');

const VNU = require.resolve('vnu-jar/build/dist/vnu.jar');

test('pages are valid HTML', async (t) => {
  const srv = await startServer();
  t.after(() => srv.stop());
  const home = await (await fetch(srv.url + '/')).text();
  const article = /<h2 class="lead-title"><a href="([^"]+)"/.exec(home)[1];
  const pages = {
    home: '/', article, archive: '/category/politics/', tag: '/tag/harbor-bridge/',
    author: '/author/caleb-mercer/', search: '/search/?q=harbor+bridge',
    'search-empty': '/search/?q=xylophonequartz', 'search-form': '/search/',
    'not-found': '/no-such-section/no-such-story/', 'bad-request': '/category/politics/?page=abc',
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dateline-vnu-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const files = [];
  for (const [name, url] of Object.entries(pages)) {
    const r = await fetch(srv.url + url);
    assert.ok([200, 400, 404].includes(r.status), url);
    const file = path.join(dir, name + '.html');
    fs.writeFileSync(file, await r.text());
    files.push(file);
  }
  // vnu reports on stderr and exits 0 (valid) or 1 (errors); anything else is a broken run.
  const run = spawnSync('java', ['-jar', VNU, '--errors-only', '--format', 'json', ...files],
                        { encoding: 'utf8' });
  assert.ok(run.status === 0 || run.status === 1, 'the checker did not run: ' +
            (run.error ? run.error.message : run.stderr));
  const out = run.stderr;
  // With --format json the report is always a JSON object, even when it is empty.
  assert.ok(out && out.trim().startsWith('{'), 'no report from the checker: ' + out);
  const messages = JSON.parse(out).messages;
  assert.deepStrictEqual(messages.map((m) => `${path.basename(m.url || '')}:${m.lastLine}: ${m.message}`), []);
});

// The newsroom's pages too, logged in as an admin.
test('admin pages are valid HTML', async (t) => {
  const { cli } = require('./server');
  const srv = await startServer((db) => {
    cli(['user', 'add', '--db', db, '--role', 'admin', '--password-stdin', 'ada@example.org'],
        'correct horse battery\n');
  });
  t.after(() => srv.stop());
  let cookies = {};
  const keep = (r) => {
    for (const c of r.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const [k, v] = kv.split('=');
      cookies[k] = v;
    }
  };
  const jar = () => Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; ');
  let r = await fetch(srv.adminUrl + '/login');
  keep(r);
  const token = /name="login_csrf" value="([0-9a-f]+)"/.exec(await r.text())[1];
  r = await fetch(srv.adminUrl + '/login', {
    method: 'POST', redirect: 'manual', headers: { cookie: jar(),
      'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login_csrf: token, email: 'ada@example.org',
                                password: 'correct horse battery' }),
  });
  assert.equal(r.status, 303);
  keep(r);
  const pages = {
    login: '/login', dashboard: '/', articles: '/articles', editor: '/articles/3',
    new: '/articles/new', revisions: '/articles/3/revisions', media: '/media',
    sections: '/categories', tags: '/tags', ads: '/ads', ad: '/ads/1', settings: '/settings',
    people: '/people', account: '/account', audit: '/audit', missing: '/nothing',
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dateline-vnu-admin-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const files = [];
  for (const [name, url] of Object.entries(pages)) {
    const res = await fetch(srv.adminUrl + url, { headers: name === 'login' ? {} : { cookie: jar() },
                                                 redirect: 'manual' });
    assert.ok([200, 404].includes(res.status), url + ' ' + res.status);
    const file = path.join(dir, name + '.html');
    fs.writeFileSync(file, await res.text());
    files.push(file);
  }
  const run = spawnSync('java', ['-jar', VNU, '--errors-only', '--format', 'json', ...files],
                        { encoding: 'utf8' });
  assert.ok(run.status === 0 || run.status === 1, 'the checker did not run');
  const messages = JSON.parse(run.stderr).messages;
  assert.deepStrictEqual(messages.map((m) => `${path.basename(m.url || '')}:${m.lastLine}: ${m.message}`), []);
});
