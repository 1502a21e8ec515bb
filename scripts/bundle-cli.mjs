// Bundles the compiled CLI (dist/cli/main.js) into one CommonJS file, dist/brig-cli.cjs.
// Loading one CommonJS file starts about 25 ms faster than resolving and linking the CLI's
// two dozen ES modules, which is most of the brig command's cost over Node's own start-up.
// The library (dist/index.js) stays plain ES modules.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/brig-cli.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // dist/brig-cli.cjs sits at the same depth as the dist/*.js modules, so paths derived
  // from import.meta.url (the package root in src/paths.ts) stay correct.
  define: { 'import.meta.url': '__brigModuleUrl' },
  banner: { js: "const __brigModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
