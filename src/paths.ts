/** Where the installed package lives. Modules in dist/ and the bundled CLI
 *  (dist/brig-cli.cjs) sit one level below the package root. */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
