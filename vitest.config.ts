import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Rapier's WASM and onnxruntime sessions are heavy: forks isolate them and keep memory bounded.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
