// The npm `wpapi` client, unchanged, reading a Dateline site the test starts:
// it must list posts, filter by category, search and page through them.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const WPAPI = require('wpapi');
const { startServer } = require('./server');

test('wpapi reads a Dateline site', async (t) => {
  const srv = await startServer();
  t.after(() => srv.stop());
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

  // lists go out as categories[]=a&categories[]=b; dates as toISOString()
  const business = cats.find((c) => c.slug === 'business');
  const both = await wp.posts().categories([politics.id, business.id]).perPage(100);
  assert.strictEqual(both.length, politics.count + business.count);
  const newest = new Date(first[0].date_gmt + 'Z');
  const recent = await wp.posts().after(new Date(newest.getTime() - 86400000)).perPage(100);
  assert.ok(recent.length >= 1 && recent.length < first._paging.total);
  assert.ok(recent.every((p) => new Date(p.date_gmt + 'Z') > new Date(newest.getTime() - 86400000)));

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
