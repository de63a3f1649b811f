// A user's TypeScript file, type-checked (not run) by check-install.sh against the installed package's
// declarations with `strict` and `skipLibCheck: false`: the package entry, the shipped-model helper, and
// RxJS operators applied to the agents' streams.
import { filter, lastValueFrom, map, type Observable, toArray } from 'rxjs';
import {
  type EpisodeResult,
  type EpisodesSummary,
  type PlanTelemetry,
  type ShippedModelName,
  WorldModelEnv,
  createPlanSource,
  make,
  mpcAgent,
  runEpisodes,
  shippedModel,
  shippedModelNames,
  summarizeEpisodes,
} from 'embodied';

export async function firstHour(name: ShippedModelName = 'pushbox'): Promise<EpisodesSummary> {
  const bundle: string = shippedModel(name);
  const dream = await WorldModelEnv.load(bundle);
  await dream.close();
  const source = await createPlanSource({ envId: 'PushBox-v0', model: bundle });
  const agent = mpcAgent({ source, replanEvery: source.preset.replanEvery, seed: 0 });
  const latencies: Observable<number> = agent.telemetry$.pipe(
    filter((e): e is PlanTelemetry => e.kind === 'plan'),
    map((e) => e.ms),
  );
  latencies.subscribe((ms) => console.log(`plan ${ms.toFixed(1)} ms`));
  const results: EpisodeResult[] = await lastValueFrom(runEpisodes(() => make('PushBox-v0'), agent, { seeds: [1, 2] }).pipe(toArray()));
  await source.close();
  return summarizeEpisodes(results);
}

export const names: readonly ShippedModelName[] = shippedModelNames();
