// Child process for tests/training/collect.test.ts: collects LineWorld data until killed.
// argv: out checkpointEvery
import '../../environments/line-world/index.js';
import { randomPolicy } from '../../src/policy.js';
import { Box } from '../../src/spaces.js';
import { collect } from '../../src/training/collect.js';

const [out, every] = process.argv.slice(2);
await collect({
  envId: 'LineWorld-v0',
  policy: randomPolicy(new Box(-1, 1, [1])),
  steps: 50_000_000,
  seed: 3,
  out: out!,
  checkpointEvery: Number(every),
  chunkSize: 512,
  progress: false,
  onProgress: (p) => {
    if (p.episodes === 1) process.stdout.write('first-episode\n');
  },
});
