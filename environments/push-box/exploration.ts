/**
 * Random physical starts of `PushBox-v0` for data collection, wider than every validation scenario:
 *
 * - the box anywhere on the table at any heading; 30% of starts in the air (2 cm – 0.9 m above the
 *   table; the gravity scenario drops it from 0.6 m), half of them sliding or flying at up to 2 m/s
 *   (the energy scenario slides it at 0.8–1.5 m/s);
 * - the pusher touching a random side of the box (35%, 0.2–2 cm away; the push scenarios start it at
 *   1 cm) or anywhere clear of it;
 * - the goal anywhere on the inner 90% of the table.
 *
 * @module
 */
import { parseOptions } from '../../src/options.js';
import type { Rng } from '../../src/rng.js';
import { PushBoxOptionsSchema } from './push-box-env.js';

/** A random start of `PushBox-v0` (reset options) for an environment built with `envOptions`. */
export function pushBoxExplorationStart(rng: Rng, envOptions: Record<string, unknown>): Record<string, unknown> {
  const c = parseOptions(PushBoxOptionsSchema, envOptions, 'pushBoxExplorationStart envOptions');
  const t = c.tableHalfSize;
  const h = c.boxHalfSize;
  const r = c.pusherRadius;
  const pusherLimit = t - r;
  const boxLimit = Math.max(0, 0.95 * (t - h));
  const x = rng.uniformRange(-boxLimit, boxLimit);
  const z = rng.uniformRange(-boxLimit, boxLimit);
  const inAir = rng.uniform() < 0.3;
  const y = inAir ? h + rng.uniformRange(0.02, 0.9) : h;
  const yaw = rng.uniformRange(-Math.PI, Math.PI);
  const moving = rng.uniform() < 0.5;
  const speed = moving ? rng.uniformRange(0.2, 2) : 0;
  const heading = rng.uniformRange(-Math.PI, Math.PI);
  const vy = moving && inAir ? rng.uniformRange(-1, 1) : 0;
  const boxVelocity = [speed * Math.cos(heading), vy, speed * Math.sin(heading)];
  // In contact: behind one of the box's four sides (in the box's own frame), a few millimetres away.
  let pusher: [number, number] | undefined;
  if (!inAir && rng.uniform() < 0.35) {
    const side = (rng.integer(0, 3) * Math.PI) / 2 + yaw;
    const back = h + r + rng.uniformRange(0.002, 0.02);
    const along = rng.uniformRange(-0.8 * h, 0.8 * h);
    const p: [number, number] = [x + back * Math.cos(side) - along * Math.sin(side), z + back * Math.sin(side) + along * Math.cos(side)];
    if (Math.abs(p[0]) <= pusherLimit && Math.abs(p[1]) <= pusherLimit) pusher = p;
  }
  // Otherwise anywhere on the table clear of the box's footprint (its circumscribed circle).
  for (let tries = 0; pusher === undefined && tries < 100; tries++) {
    const p: [number, number] = [rng.uniformRange(-pusherLimit, pusherLimit), rng.uniformRange(-pusherLimit, pusherLimit)];
    if (Math.hypot(p[0] - x, p[1] - z) >= h * Math.SQRT2 + r + 0.005 || inAir) pusher = p;
  }
  const goalLimit = 0.9 * t;
  return {
    boxPosition: [x, y, z],
    boxYaw: yaw,
    boxVelocity,
    pusherPosition: pusher ?? [pusherLimit, pusherLimit],
    goal: [rng.uniformRange(-goalLimit, goalLimit), rng.uniformRange(-goalLimit, goalLimit)],
    ...(c.orientation && { goalYaw: rng.uniformRange(-Math.PI / 4, Math.PI / 4) }),
  };
}
