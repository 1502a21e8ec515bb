#!/usr/bin/env node
// The brig command: a thin launcher for the CLI, bundled at build time into one CommonJS
// file (scripts/bundle-cli.mjs) because that starts much faster than loading ES modules.
'use strict';
require('../dist/brig-cli.cjs').main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
