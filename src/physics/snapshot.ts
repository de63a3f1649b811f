/**
 * Exact, leak-free snapshots of a Rapier world.
 *
 * `World.restoreSnapshot` leaks ~2 KB per call (its temporary serialisation pipeline and raw world are
 * only reclaimed after a GC and an event-loop turn). {@link restoreWorld} frees both at once.
 * Copying poses and velocities into a fresh world is *not* a restore (contacts diverge at once):
 * the snapshot bytes are the state.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { World } from '@dimforge/rapier3d-deterministic-compat';
import { InvalidArgumentError } from '../errors.js';
import { rapier } from './rapier.js';

/** Serialises the complete physics state of `world` (bodies, colliders, joints, contacts, parameters). */
export function takeSnapshot(world: World): Uint8Array {
  return world.takeSnapshot();
}

/**
 * Builds a new world from snapshot bytes without leaking WASM memory. The caller owns the result and
 * must `free()` it. Body and collider handles are those of the snapshotted world.
 * @throws {@link InvalidArgumentError} when the bytes are not a Rapier snapshot.
 */
export function restoreWorld(bytes: Uint8Array): World {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new InvalidArgumentError(`restoreWorld: expected non-empty snapshot bytes (Uint8Array), got ${bytes?.constructor?.name ?? typeof bytes}`);
  }
  const R = rapier();
  const pipeline = new R.SerializationPipeline();
  try {
    const raw = pipeline.raw.deserializeAll(bytes);
    if (raw === undefined) throw new InvalidArgumentError(`restoreWorld: ${bytes.length} bytes are not a Rapier ${R.version()} snapshot`);
    try {
      return R.World.fromRaw(raw);
    } finally {
      raw.free();
    }
  } finally {
    pipeline.free();
  }
}

/** SHA-256 of snapshot bytes (hex): equal hashes mean bit-identical physics states. */
export function stateHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** SHA-256 (hex) of the world's current snapshot. */
export function worldHash(world: World): string {
  return stateHash(world.takeSnapshot());
}
