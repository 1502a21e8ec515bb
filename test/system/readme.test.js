// The README's examples are run as written, so the documentation cannot rot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { brig, prefix, root, skipUnlessSandbox } from '../helpers/util.js';

const skip = await skipUnlessSandbox();
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const blocks = (lang) => [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);

test('the README opens with the install-and-run command and npm test', { timeout: 10000 }, () => {
  const first = blocks('sh')[0].trim().split('\n');
  assert.deepEqual(first, ["npm install && npx brig run -- /bin/sh -c 'id; ls /'", 'npm test']);
});

test('the Node example runs as written and prints what its comments say', { skip, timeout: 30000 }, (t) => {
  const code = blocks('js')[0];
  // Inside the package, 'brig-sandbox' resolves to the package itself (self-reference).
  const file = path.join(root, 'test', `${prefix(import.meta.url)}-example.mjs`);
  fs.writeFileSync(file, code);
  t.after(() => fs.rmSync(file, { force: true }));
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 0, r.stderr);
  const expected = [...code.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]);
  assert.equal(expected.length, 2);
  // console.log prints strings in arrays unquoted at top level: compare loosely on words.
  const printed = r.stdout.replace(/\n(?=\S)/g, '\n');
  assert.match(printed, /^exited 0 hello from brig\n0\n/);
  assert.match(printed, /streamed\n0\n$/);
});

test('the documented error output is what brig prints', { skip, timeout: 30000 }, () => {
  const text = blocks('text')[0].trim().split('\n');
  const cmd = text[0].replace(/^\$ /, '').split(' ');
  assert.deepEqual(cmd.slice(0, 2), ['brig', 'run']);
  const r = brig(cmd.slice(1));
  assert.equal(r.status, 255);
  assert.equal(r.stderr.trim(), text.slice(1).join('\n'));
});
