// Every kind of page passes the Nu HTML Checker (npm vnu-jar, run with Java).
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { execFileSync } = require('node:child_process');
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
  let out;
  try {
    out = execFileSync('java', ['-jar', VNU, '--errors-only', '--format', 'json', ...files],
                       { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    out = e.stderr || e.stdout;  // vnu exits 1 when it found errors, reported on stderr
  }
  const messages = JSON.parse(out || '{"messages":[]}').messages;
  assert.deepStrictEqual(messages.map((m) => `${path.basename(m.url || '')}:${m.lastLine}: ${m.message}`), []);
});
