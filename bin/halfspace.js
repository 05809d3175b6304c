#!/usr/bin/env node
// Entry point of the `halfspace` command: runs the compiled CLI (dist/, built by `npm run build`;
// `npm test` and `npm pack` build it, an installed package ships it).
const fail = (err) => {
  process.stderr.write(`halfspace: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
};

import('../dist/cli/main.js').then(
  ({ main }) => main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, fail),
  (err) => {
    if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
      fail(new Error('the compiled CLI is missing (dist/cli/main.js); in a clone of the repository run `npm run build` first'));
    } else fail(err);
  },
);
