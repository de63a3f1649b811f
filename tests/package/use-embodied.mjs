// A user's plain-JavaScript ESM file, run by check-install.sh in a fresh project that installed the packed
// `embodied` tarball: PushBox in Rapier, the shipped PushBox world model as an environment, and one
// MPC episode planned in that model. Prints one JSON line; any failure exits non-zero.
import { lastValueFrom, toArray } from 'rxjs';
import { Rng, WorldModelEnv, createPlanSource, make, mpcAgent, runEpisodes, shippedModel } from 'embodied';

const bundle = shippedModel('pushbox');

// The learned model as a Gymnasium-style environment: one step in the dream.
const dream = await WorldModelEnv.load(bundle);
const { observation } = await dream.reset({ seed: 0 });
const { reward } = await dream.step(dream.actionSpace.sample(Rng.fromSeed(0)));
await dream.close();

// One short MPC episode in Rapier, planned in the shipped model (a small budget keeps the check fast).
const source = await createPlanSource({ envId: 'PushBox-v0', model: bundle, algorithm: 'mppi', horizon: 8, samples: 32, iterations: 1 });
const agent = mpcAgent({ source, replanEvery: source.preset.replanEvery, seed: 0 });
const [episode] = await lastValueFrom(runEpisodes(() => make('PushBox-v0'), agent, { seeds: [100], maxSteps: 30 }).pipe(toArray()));
await source.close();

if (episode?.length !== 30 || !Number.isFinite(episode.return) || !Number.isFinite(reward)) {
  throw new Error(`unexpected episode ${JSON.stringify(episode)} (dream reward ${reward})`);
}
console.log(JSON.stringify({ bundle, observationSize: observation.length, dreamReward: reward, episode }));
