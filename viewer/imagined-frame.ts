/**
 * Scenes of imagined observations: the world model predicts observations, not scenes, so the dream
 * pane draws the observed bodies of the environment's validation spec (the box and pusher, a robot
 * and its target package, …) where the decoded observation puts them, over the fixed bodies and
 * markers of a real frame. Bodies the observation does not describe (other packages) are not drawn.
 *
 * @module
 */
import type { Frame, FrameBody } from '../src/physics/scene.js';
import { bodyPosition } from '../src/validation/geometry.js';
import type { ValidationSpec } from '../src/validation/spec.js';

/** The frame body a spec body names: the same name, or `robot0` → `robot-0`. */
function frameBodyFor(name: string, template: Frame): FrameBody | undefined {
  return template.bodies.find((b) => b.name === name) ?? template.bodies.find((b) => b.name === name.replace(/(\d+)$/, '-$1'));
}

/** The scene `obs` (one observation of `spec.obsDim` values) describes, drawn over `template`'s fixed bodies and markers. */
export function imaginedFrame(spec: ValidationSpec, template: Frame, obs: ArrayLike<number>): Frame {
  const bodies: FrameBody[] = template.bodies.filter((b) => b.kind === 'fixed');
  for (const body of spec.bodies) {
    const real = frameBodyFor(body.name, template);
    const p = bodyPosition(spec, body, obs, 0);
    bodies.push({
      name: real?.name ?? body.name,
      tag: real?.tag ?? (body.name.startsWith('target') ? 'package' : undefined),
      kind: 'dynamic',
      shape: real?.shape ?? { type: 'box', halfExtents: [body.halfExtents[0], body.halfExtents[1], body.halfExtents[2]] },
      position: [p[0]!, p[1]!, p[2]!],
      rotation: real?.rotation ?? [0, 0, 0, 1],
    });
  }
  return { time: template.time, bodies, ...(template.markers && { markers: template.markers }) };
}

/** Root-mean-square difference of `a` and `b` over each field (`fields` from the validation spec). */
export function fieldErrors(fields: ValidationSpec['fields'], a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  return fields.map((f) => {
    let sum = 0;
    for (let i = f.start; i < f.start + f.size; i++) sum += (a[i]! - b[i]!) ** 2;
    return Math.sqrt(sum / f.size);
  });
}
