/**
 * Dream vs real: one action sequence (the environment's scripted controller, or seeded random actions)
 * played open-loop in Rapier and in the world model from the same start observation, side by side,
 * with the per-field error between the model's decoded observation and the real one growing beside
 * them — what `embodied validate` measures as drift, watched step by step.
 *
 * @module
 */
import { scriptedPolicyFor } from '../environments/cards.js';
import { randomPolicy, type Policy } from '../src/policy.js';
import type { Frame } from '../src/physics/scene.js';
import type { ViewBundle, ViewData } from '../workflows/view-data.js';
import { fieldErrors, imaginedFrame } from './imagined-frame.js';
import { SceneView } from './scene-view.js';
import { button, el, fmt, legend, lineChart, table, type Mode } from './ui.js';
import { openWorlds, realFrame, serial, type Worlds } from './worlds.js';

/** Steps of one dream-vs-real run. */
const HORIZON = 100;
/** Colour of imagined bodies. */
export const DREAM_TINT = 0xc77dff;

/** The dream-vs-real mode for `env` with the model in `bundle`. */
export function dreamMode(env: { id: string; options: Record<string, unknown> }, bundle: ViewBundle, ortWasm: ViewData['ortWasm']): Mode {
  let worlds: Worlds | undefined;
  let realView: SceneView | undefined;
  let dreamView: SceneView | undefined;
  let policy: Policy<Float32Array, Float32Array> | undefined;
  let run = 0; // bumps on restart, so a step of an earlier run is dropped
  let busy = false;
  const one = serial();
  let playing = true;
  let failure: unknown;
  let since = 0;
  let steps = 0;
  let ended = false;
  let template: Frame | undefined;
  let realObs: Float32Array = new Float32Array();
  let dreamObs: Float32Array = new Float32Array();
  let latent: Float32Array = new Float32Array();
  const errors: number[][] = [];
  const seedInput = el('input', { type: 'number', min: '0', value: '0', style: 'width:70px', 'aria-label': 'seed' }) as HTMLInputElement;
  const source = el('select', { 'aria-label': 'actions' }) as HTMLSelectElement;
  const chart = el('canvas', { width: '300', height: '180' }) as HTMLCanvasElement;
  const now = el('div');
  const legendBox = el('div');
  const play = button('Pause', () => setPlaying(!playing));
  const setPlaying = (p: boolean) => {
    playing = p;
    play.textContent = p ? 'Pause' : 'Play';
  };

  const restart = async () => {
    const w = worlds!;
    const mine = ++run;
    const seed = Math.max(0, Math.floor(Number(seedInput.value) || 0));
    policy = source.value === 'scripted' ? scriptedPolicyFor(env.id, env.options) : randomPolicy(w.real.actionSpace, seed);
    policy!.reset?.(seed);
    template = undefined; // no steps until the new start is in place
    const { observation } = await w.real.reset({ seed });
    if (mine !== run) return;
    realObs = observation;
    latent = await w.model!.encode(observation);
    dreamObs = await w.model!.decode(latent);
    template = realFrame(w.real);
    errors.length = 0;
    steps = 0;
    ended = false;
    show();
    setPlaying(true);
  };

  const stepBoth = async () => {
    const w = worlds!;
    const mine = run;
    const action = await policy!.act(realObs);
    const r = await w.real.step(action);
    const s = await w.model!.step(latent, action);
    const decoded = await w.model!.decode(s.nextLatent);
    if (mine !== run) return;
    realObs = r.observation;
    latent = s.nextLatent;
    dreamObs = decoded;
    steps++;
    ended = r.terminated || r.truncated || steps >= HORIZON;
    if (ended) setPlaying(false);
    show();
  };

  const show = () => {
    const w = worlds!;
    const e = fieldErrors(w.spec.fields, dreamObs, realObs);
    if (errors.length === steps) errors.push(e);
    realView!.setFrame(realFrame(w.real));
    dreamView!.setFrame(imaginedFrame(w.spec, template!, dreamObs));
    const series = w.spec.fields.map((f, k) => ({ name: f.name, values: errors.map((row) => row[k]!) }));
    lineChart(chart, series, { title: 'per-field error (RMS, field units) vs step', length: Math.max(HORIZON, errors.length) + 1 });
    if (legendBox.childElementCount === 0) legendBox.append(legend(series));
    now.replaceChildren(
      table([['step', `${steps}${ended ? ' (ended)' : ''}`], ...w.spec.fields.map((f, k) => [`${f.name}${f.unit ? ` (${f.unit})` : ''}`, fmt(e[k]!)] as [string, string])]),
    );
  };

  return {
    name: 'Dream vs real',
    async mount(panes, controls, side) {
      const realPane = el('div', { class: 'pane' }, [el('div', { class: 'pane-title' }, ['Rapier (real)'])]);
      const dreamPane = el('div', { class: 'pane' }, [el('div', { class: 'pane-title' }, ['World model (dream)'])]);
      panes.append(realPane, dreamPane);
      side.append(el('p', { class: 'hint' }, ['Loading the world model (onnxruntime-web, WASM)…']));
      worlds = await openWorlds(env, bundle, ortWasm);
      if (!worlds.model!.hasDecoder) throw new Error(`The bundle at ${bundle.dir} has no decoder: dream vs real compares decoded observations with Rapier's.`);
      realView = new SceneView(realPane);
      dreamView = new SceneView(dreamPane, { tint: DREAM_TINT });
      const scripted = scriptedPolicyFor(env.id, env.options) !== undefined;
      if (scripted) source.append(new Option('scripted controller', 'scripted'));
      source.append(new Option('random actions', 'random'));
      const restartNow = () => void one(restart).catch((e: unknown) => (failure = e));
      source.onchange = restartNow;
      controls.append(play, button('Restart', restartNow), el('label', { class: 'hint' }, ['seed ', seedInput]), el('label', { class: 'hint' }, ['actions ', source]));
      side.replaceChildren(
        el('h2', {}, ['Dream vs real']),
        el('p', { class: 'hint' }, [`The same actions in Rapier and in ${bundle.manifest.name}, open loop from the same start observation (up to ${HORIZON} steps).`]),
        chart,
        legendBox,
        el('h2', {}, ['Error now']),
        now,
      );
      await restart();
      realView.linkCamera(dreamView);
    },
    tick(dt) {
      if (failure !== undefined) throw failure;
      if (!worlds || !realView || !template) return;
      since += dt;
      if (playing && !busy && !ended && since >= worlds.controlDt) {
        since = 0;
        busy = true;
        one(stepBoth)
          .catch((e: unknown) => (failure = e))
          .finally(() => (busy = false));
      }
      realView.render();
      dreamView!.render();
    },
    state: () => ({ steps, errors: errors.at(-1) ?? [], fields: worlds?.spec.fields.map((f) => f.name) ?? [], real: Array.from(realObs), dream: Array.from(dreamObs) }),
    resize() {
      realView?.resize();
      dreamView?.resize();
    },
    unmount() {
      run++;
      realView?.dispose();
      dreamView?.dispose();
      // After any step still computing: the environment and the model are closed by the queue.
      const w = worlds;
      if (w) void one(async () => (await w.real.close(), await w.model?.close())).catch((e: unknown) => console.error('closing the worlds failed:', e));
      worlds = undefined;
      realView = undefined;
    },
  };
}
