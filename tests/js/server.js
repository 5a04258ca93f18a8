// Start a real Dateline server on free loopback ports with a fresh demo database.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const BIN = process.env.DATELINE_BIN || path.join(__dirname, '..', '..', 'build', 'dateline');

// Run `dateline ARGS` (for setup: init, user add); returns stdout.
function cli(args, input) {
  return execFileSync(BIN, args, { input: input || '', encoding: 'utf8' });
}

// setup(db) runs before the server starts (accounts, settings).
function startServer(setup) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dateline-js-'));
  const db = path.join(dir, 'site.db');
  execFileSync(BIN, ['demo', '--db', db], { stdio: 'ignore' });
  if (setup) setup(db);
  const proc = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--access-log', 'off',
                           '--admin-listen', '127.0.0.1:0'],
                     { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error('server did not start: ' + err)), 20000);
    proc.stderr.on('data', (chunk) => {
      err += chunk;
      const m = /serving the public site at (http:\/\/[^/\s]+)\//.exec(err);
      const a = /newsroom \(admin\) is at (http:\/\/[^/\s]+)\//.exec(err);
      if (m && a) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          adminUrl: a[1],
          db,
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

module.exports = { startServer, cli };
