// The sandbox child shares its memory with the Node process until execve, so its code must
// not call anything: no libc, no PLT entry resolved lazily on the parent thread's TLS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { root } from '../helpers/util.js';

test('the child code (native/child.c) needs no symbol from anywhere', { timeout: 10000 }, () => {
  const obj = path.join(root, 'build', 'Release', 'obj.target', 'brig_child', 'native', 'child.o');
  assert.ok(fs.existsSync(obj), `${obj} is missing: run npm install`);
  const undefinedSymbols = execFileSync('nm', ['-u', obj], { encoding: 'utf8' }).trim();
  assert.equal(undefinedSymbols, '', `child.o calls out to: ${undefinedSymbols}`);
});
