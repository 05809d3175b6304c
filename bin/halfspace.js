#!/usr/bin/env node
// Entry point of the `halfspace` command: runs the compiled CLI (built by `npm ci` via `prepare`).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`halfspace: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
