// The newsroom in a real Chromium: log in, upload an image, write and schedule
// an article, see it go live; a contributor cannot publish; stored XSS never runs.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { startServer, cli, launchChromium } = require('./server');

const PASSWORD = 'correct horse battery';

// A real PNG (width x height, a colour gradient), built by hand: no image library needed.
function png(width, height) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = (x * 255 / width) | 0;
      row[2 + x * 3] = (y * 255 / height) | 0;
      row[3 + x * 3] = 120;
    }
    rows.push(row);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0))]);
}

// Markup a reader's browser must never run, put in every field an editor fills.
const PAYLOADS = [
  '<img src=x onerror="window.__xss=1">',
  '"><script>window.__xss=1</script>',
  "'><svg onload=window.__xss=1>",
  '<iframe srcdoc="<script>parent.__xss=1</script>">',
];

let srv, browser;

test.before(async () => {
  srv = await startServer((db) => {
    cli(['init', '--db', db, '--timezone', 'UTC']);
    cli(['user', 'add', '--db', db, '--role', 'admin', '--name', 'Ada Editor', '--password-stdin',
         'ada@example.org'], PASSWORD + '\n');
    cli(['user', 'add', '--db', db, '--role', 'contributor', '--password-stdin',
         'cora@example.org'], PASSWORD + '\n');
  });
  browser = await launchChromium();
});

test.after(async () => {
  if (browser) await browser.close();
  if (srv) srv.stop();
});

async function login(email) {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Any dialog or flag set by a payload fails the test wherever it happens.
  page.on('dialog', (d) => { throw new Error('a dialog opened: ' + d.message()); });
  await page.goto(srv.adminUrl + '/login');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL(srv.adminUrl + '/'), page.click('button[type=submit]')]);
  return page;
}

function utcInput(date) {
  return date.toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS, the site zone is UTC
}

test('write, upload, schedule two seconds ahead, see it published', async () => {
  const page = await login('ada@example.org');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dl-img-')), 'harbour.png');
  fs.writeFileSync(file, png(900, 600));
  await page.goto(srv.adminUrl + '/media');
  await page.setInputFiles('input[name=file]', file);
  await page.fill('form.upload input[name=alt]', 'The harbour at dusk');
  await page.fill('form.upload input[name=caption]', 'Boats return at dusk.');
  await Promise.all([page.waitForURL(srv.adminUrl + '/media'), page.click('form.upload button')]);
  const mediaId = await page.$eval('.library li .meta', (el) => /#(\d+)/.exec(el.textContent)[1]);

  await page.goto(srv.adminUrl + '/articles/new');
  await page.fill('input[name=title]', 'Ferry service resumes after storm');
  await page.fill('input[name=dek]', 'Boats run on the winter timetable');
  await page.fill('textarea[name=body]', 'The first ferry left at *six*.\n\nPassengers cheered.');
  // The live preview shows the sanitised HTML as it will appear.
  await page.waitForSelector('#preview em');
  await page.selectOption('select[name=category]', { label: 'Local' });
  await page.fill('input[name=tags]', 'Ferries, Weather');
  await page.selectOption('select[name=featured_media_id]', mediaId);
  await page.selectOption('select[name=status]', 'scheduled');
  const when = new Date(Date.now() + 2000);
  await page.fill('input[name=publish_at]', utcInput(when));
  await Promise.all([page.waitForURL(/\/articles\/\d+$/), page.click('form.editor button[type=submit]')]);
  assert.match(await page.textContent('.meta'), /scheduled/);

  // A new reader each time: a browser may keep a page for its max-age (60 s).
  let reader, home = '';
  for (let i = 0; i < 50 && !home.includes('Ferry service resumes after storm'); i++) {
    await new Promise((r) => setTimeout(r, 200));
    if (reader) await reader.context().close();
    reader = await (await browser.newContext()).newPage();
    await reader.goto(srv.url + '/');
    home = await reader.content();
  }
  assert.ok(home.includes('Ferry service resumes after storm'), 'in Latest on the home page');
  assert.ok(Date.now() < when.getTime() + 3000, 'published within a second or so of its time');
  await reader.goto(srv.url + '/category/local/');
  assert.ok((await reader.content()).includes('Ferry service resumes after storm'));
  await reader.click('text=Ferry service resumes after storm');
  const img = await reader.$('figure.featured img');
  assert.ok(img, 'the featured image is on the page');
  assert.match(await img.getAttribute('srcset'), /320w/);
  assert.equal(await img.getAttribute('alt'), 'The harbour at dusk');
  const loaded = await reader.$eval('figure.featured img', (el) => el.complete && el.naturalWidth > 0);
  assert.ok(loaded, 'the image loads');
});

test('a contributor cannot publish', async () => {
  const page = await login('cora@example.org');
  await page.goto(srv.adminUrl + '/articles/new');
  const options = await page.$$eval('select[name=status] option', (os) => os.map((o) => o.value));
  assert.deepEqual(options, ['draft', 'review']);
  await page.fill('input[name=title]', 'My first piece');
  // Forge the select: the server refuses what the UI hides.
  await page.$eval('select[name=status]', (s) => {
    const o = document.createElement('option');
    o.value = 'published';
    s.appendChild(o);
    s.value = 'published';
  });
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.click('form.editor button[type=submit]'),
  ]);
  assert.equal(resp.status(), 403);
  assert.ok(!(await page.content()).includes('window.__xss'));
  assert.ok(await page.isHidden('a[href="/people"]'));
});

test('stored XSS in title, dek, body, tag and bio never runs', async () => {
  const page = await login('ada@example.org');
  // The bio (the author's profile page).
  await page.goto(srv.adminUrl + '/account');
  await page.fill('form.stack textarea[name=bio]', 'Reporter. ' + PAYLOADS.join(' '));
  await Promise.all([page.waitForURL(srv.adminUrl + '/account'), page.click('text=Save profile')]);
  // A body with script is refused by name, and nothing is saved.
  await page.goto(srv.adminUrl + '/articles/new');
  await page.fill('input[name=title]', 'Refused');
  await page.fill('textarea[name=body]', PAYLOADS[1]);
  await page.click('form.editor button[type=submit]');
  assert.match(await page.textContent('.error'), /body/);
  // Text fields keep the payloads as text.
  await page.goto(srv.adminUrl + '/articles/new');
  await page.fill('input[name=title]', 'Markup test ' + PAYLOADS[0]);
  await page.fill('input[name=dek]', PAYLOADS[2]);
  await page.fill('textarea[name=body]', 'Plain words. &lt;script&gt; stays text. ' +
                  '<b title="x&quot; onmouseover=&quot;window.__xss=1">bold</b>');
  await page.fill('input[name=tags]', PAYLOADS[3] + ', safe');
  await page.selectOption('select[name=status]', 'published');
  await Promise.all([page.waitForURL(/\/articles\/\d+$/), page.click('form.editor button[type=submit]')]);
  const url = await page.getAttribute('.meta a[href^="http"]', 'href');

  const pages = [url, srv.url + '/', srv.url + '/author/ada-editor/', srv.url + '/search/?q=markup',
                 srv.url + '/feed/', srv.adminUrl + '/articles', srv.adminUrl + '/',
                 page.url(), srv.adminUrl + '/account'];
  const tagUrl = await (async () => {
    const reader = await browser.newPage();
    await reader.goto(url);
    const href = await reader.$eval('ul.tags a', (a) => a.href);
    await reader.close();
    return href;
  })();
  pages.push(tagUrl);
  for (const target of pages) {
    await page.goto(target);
    await page.mouse.move(200, 300);
    await page.hover('body');
    const flag = await page.evaluate(() => window.__xss);
    assert.equal(flag, undefined, 'a payload ran on ' + target);
    // Data blocks (JSON-LD) may quote the headline; no script that runs may.
    const scripts = await page.$$eval('script', (s) => s
      .filter((e) => !e.type || /javascript|module/.test(e.type))
      .map((e) => e.src || e.textContent));
    for (const s of scripts) assert.ok(!s.includes('__xss'), 'an injected script on ' + target);
  }
  await page.goto(url);
  assert.ok((await page.textContent('h1')).includes('<img src=x onerror'), 'the title shows as text');
});
