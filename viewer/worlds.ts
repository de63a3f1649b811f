/**
 * The two worlds dream-vs-real and play show: the real environment (the SDK's own Rapier environment
 * classes, running in the page) and, when a bundle is given, the world model — with the checks that
 * turn "the browser cannot do this" into a message on the page.
 *
 * @module
 */
import { validationSpecFor } from '../environments/cards.js';
import type { Env } from '../src/env.js';
import type { Frame } from '../src/physics/scene.js';
import { listEnvs, make } from '../src/registry.js';
import type { ValidationSpec } from '../src/validation/spec.js';
import type { WorldModel } from '../src/worldmodel/world-model.js';
import type { ViewBundle, ViewData } from '../workflows/view-data.js';
import { loadBrowserModel } from './browser-model.js';

/** The real environment, its validation spec (fields, observed bodies) and, optionally, the model. */
export interface Worlds {
  readonly real: Env<Float32Array, Float32Array>;
  readonly spec: ValidationSpec;
  readonly model: WorldModel | undefined;
  /** Seconds per step (the environment's control period; 0.05 when it does not say). */
  readonly controlDt: number;
}

/**
 * Opens the real environment and loads the model.
 * @throws Error with a message for the page: an environment the page cannot simulate, a model for another environment or observation size.
 */
export async function openWorlds(env: { id: string; options: Record<string, unknown> }, bundle: ViewBundle | undefined, ortWasm: ViewData['ortWasm']): Promise<Worlds> {
  if (!listEnvs().includes(env.id)) {
    throw new Error(
      `The browser viewer cannot simulate ${env.id}: it runs the built-in environments (${listEnvs().join(', ')}). Environments registered with --import run only in Node; use \`embodied validate\` for them.`,
    );
  }
  const real = make<Float32Array, Float32Array>(env.id, env.options);
  try {
    const spec = validationSpecFor(env.id, env.options);
    const dim = real.observationSpace.shape.reduce((a, b) => a * b, 1);
    const model = bundle ? await loadBrowserModel(bundle, ortWasm) : undefined;
    if (model && model.obsDim !== dim) {
      throw new Error(`The bundle at ${bundle!.dir} predicts ${model.obsDim} observation values, but ${env.id} with options ${JSON.stringify(env.options)} observes ${dim}.`);
    }
    const fps = real.metadata.renderFps;
    return { real, spec, model, controlDt: typeof fps === 'number' && fps > 0 ? 1 / fps : 0.05 };
  } catch (e) {
    await real.close();
    throw e;
  }
}

/** The real environment's current scene. */
export function realFrame(real: Env<Float32Array, Float32Array>): Frame {
  return real.render!('frame') as Frame;
}

/**
 * A queue that runs async tasks one after another: the environment and the model are touched by one
 * task at a time, so a restart or a fork clicked while a step is computing waits for that step.
 */
export function serial(): <T>(task: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>) => {
    const run = last.then(task, task);
    last = run.catch(() => undefined);
    return run;
  };
}
