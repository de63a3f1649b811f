/**
 * Where a training workflow writes (`trainWorldModel`, `trainBehaviorCloning`, `trainPpo`,
 * `trainInImagination`): the output folder and its checkpoint, checked once before any training so an
 * hour's run never ends in a refusal.
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError } from '../src/errors.js';
import { assertReplaceable, type OutputKind } from '../src/output-dir.js';

/** Whether `path` exists (only a missing path is `false`; other errors, such as no permission, are thrown). */
export async function pathExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return false;
      throw e;
    },
  );
}

/**
 * The absolute output folder and checkpoint path (`<out>.ckpt` unless `checkpoint` is given) of a
 * training run. @throws {@link InvalidArgumentError} when `out` exists and `overwrite` is not set, or
 * holds something other than a `kind` output (then nothing is replaced)
 */
export async function trainingOutput(
  o: { out: string; checkpoint?: string | undefined; overwrite: boolean },
  kind: OutputKind,
  where: string,
): Promise<{ out: string; ckpt: string }> {
  const out = resolve(o.out);
  const ckpt = resolve(o.checkpoint ?? `${out}.ckpt`);
  if (!o.overwrite && (await pathExists(out))) throw new InvalidArgumentError(`${where}: ${out} already exists; pass \`overwrite: true\` to replace it`);
  await assertReplaceable(out, kind, where);
  return { out, ckpt };
}
