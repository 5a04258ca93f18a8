// The npm `wpapi` client, unchanged, reading a Dateline site the test starts:
// it must list posts, filter by category, search and page through them.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const WPAPI = require('wpapi');

const BIN = process.env.DATELINE_BIN || path.join(__dirname, '..', '..', 'build', 'dateline');

function startServer() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dateline-js-'));
  const db = path.join(dir, 'site.db');
  execFileSync(BIN, ['demo', '--db', db], { stdio: 'ignore' });
  const proc = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--access-log', 'off'],
                     { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error('server did not start: ' + err)), 20000);
    proc.stderr.on('data', (chunk) => {
      err += chunk;
      const m = /serving the public site at (http:\/\/[^/\s]+)\//.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], proc, dir });
      }
    });
    proc.on('exit', (code) => reject(new Error('server exited ' + code + ': ' + err)));
  });
}

test('wpapi reads a Dateline site', async (t) => {
  const srv = await startServer();
  t.after(() => {
    srv.proc.kill('SIGTERM');
    fs.rmSync(srv.dir, { recursive: true, force: true });
  });
  const wp = new WPAPI({ endpoint: srv.url + '/wp-json' });

  const first = await wp.posts();
  assert.strictEqual(first.length, 10);
  assert.ok(first._paging.total >= 40, 'X-WP-Total read by the client');
  assert.ok(first[0].title.rendered.length > 0);

  // every post, page by page, following the client's own paging links
  const seen = [];
  let page = await wp.posts().perPage(9);
  for (;;) {
    seen.push(...page.map((p) => p.id));
    if (!page._paging.next) break;
    page = await page._paging.next.get();
  }
  assert.strictEqual(seen.length, first._paging.total);
  assert.strictEqual(new Set(seen).size, seen.length);

  const cats = await wp.categories().perPage(100);
  const politics = cats.find((c) => c.slug === 'politics');
  assert.ok(politics, 'categories listed');
  const inPolitics = await wp.posts().categories(politics.id).perPage(100);
  assert.strictEqual(inPolitics.length, politics.count);
  assert.ok(inPolitics.every((p) => p.categories.includes(politics.id)));

  const found = await wp.posts().search('ransomware');
  assert.ok(found.length > 0);
  assert.ok(found.every((p) => /ransomware/i.test(p.title.rendered + p.content.rendered)));

  const one = await wp.posts().id(first[0].id);
  assert.strictEqual(one.slug, first[0].slug);

  await assert.rejects(async () => { await wp.posts().id(999999); },
                      (e) => e.code === 'rest_post_invalid_id');
  const users = await wp.users();
  assert.ok(users.length === 4 && users.every((u) => !('email' in u)));
});
