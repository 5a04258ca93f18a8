// Start a real Dateline server on a free loopback port with a fresh demo database.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

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
        resolve({
          url: m[1],
          stop() {
            proc.kill('SIGTERM');
            fs.rmSync(dir, { recursive: true, force: true });
          },
        });
      }
    });
    proc.on('exit', (code) => reject(new Error('server exited ' + code + ': ' + err)));
  });
}

module.exports = { startServer };
