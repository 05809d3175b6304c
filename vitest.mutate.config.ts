// The tests `npm run mutate` runs against each mutant: those of the core folders, in process.
// Tests that only spawn the CLI or the built package, bundle pages or drive a browser see none of
// the mutated sources, so they are left out (they would only slow every mutant down).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/{tensor,autograd,models,paths,io}/**/*.test.ts', 'test/interop/{onnx,generator,torch-roundtrip}.test.ts'],
    exclude: ['test/consumer/**'],
    testTimeout: 120_000,
    pool: 'forks',
  },
});
