/**
 * Play (Genie-style): the keyboard (arrows or WASD, space to grip) or the on-screen pad drives the
 * robot — in Rapier, and in the world model, which imagines the next frames live from the same
 * actions. "Fork" restarts the imagined world from the current real observation; "MPC" hands the
 * wheel to the MPC agent planning in the model (the SDK's own planner and `mpcController`, on
 * onnxruntime-web), with the bundle's certified planner settings.
 *
 * Actions: the first two dimensions are the first robot's planar velocity (x to the right, z towards
 * the viewer), scaled to the action bounds; a third dimension (Warehouse-v0's grip) follows space.
 *
 * @module
 */
import { planPresetFor } from '../environments/cards.js';
import { certifiedPreset, optimizerFor } from '../agents/plan-factory.js';
import { localPlanSource } from '../agents/local-plan-source.js';
import { mpcController, type MpcController } from '../agents/mpc-controller.js';
import type { Info } from '../src/env.js';
import type { Frame } from '../src/physics/scene.js';
import { rewardObjective } from '../src/planning/objectives.js';
import { Planner } from '../src/planning/planner.js';
import type { Box } from '../src/spaces.js';
import type { ViewBundle, ViewData } from '../workflows/view-data.js';
import { DREAM_TINT } from './dream.js';
import { imaginedFrame } from './imagined-frame.js';
import { SceneView } from './scene-view.js';
import { DIRECTIONS, keyAction } from './keys.js';
import { button, el, fmt, table, type Mode } from './ui.js';
import { openWorlds, realFrame, serial, type Worlds } from './worlds.js';

/** The play mode for `env`, imagining with the model in `bundle` when there is one. */
export function playMode(env: { id: string; options: Record<string, unknown> }, bundle: ViewBundle | undefined, ortWasm: ViewData['ortWasm']): Mode {
  let worlds: Worlds | undefined;
  let realView: SceneView | undefined;
  let dreamView: SceneView | undefined;
  let controller: MpcController | undefined;
  const held = new Set<string>();
  let grip = false;
  let mpc = false;
  let paused = false;
  let busy = false;
  const one = serial();
  let failure: unknown;
  let started = false;
  let since = 0;
  let seed = 0;
  let step = 0;
  let imaginedSteps = 0;
  let realObs: Float32Array = new Float32Array();
  let realInfo: Info = {};
  let latent: Float32Array | undefined;
  let imagined: Float32Array | undefined;
  let template: Frame | undefined;
  let lastAction: Float32Array = new Float32Array();
  const status = el('div');
  const mpcButton = button('MPC takes over', () => setMpc(!mpc), 'let the MPC agent (planning in the world model) drive');
  const pauseButton = button('Pause', () => setPaused(!paused));
  const setMpc = (on: boolean) => {
    mpc = on;
    mpcButton.setAttribute('aria-pressed', String(on));
    mpcButton.textContent = on ? 'MPC driving (click to take back)' : 'MPC takes over';
  };
  const setPaused = (p: boolean) => {
    paused = p;
    pauseButton.textContent = p ? 'Resume' : 'Pause';
  };

  /** Forks the imagined world from the current real observation. */
  const fork = async () => {
    const model = worlds!.model;
    if (!model) return;
    latent = await model.encode(realObs);
    imagined = await model.decode(latent);
    template = realFrame(worlds!.real);
    imaginedSteps = 0;
  };

  const reset = async () => {
    const { observation, info } = await worlds!.real.reset({ seed });
    realObs = observation;
    realInfo = info;
    step = 0;
    controller?.reset(seed);
    await fork();
  };

  /** One control step: the action (keys or MPC) in Rapier and in the imagined world. */
  const stepOnce = async () => {
    const w = worlds!;
    const action = mpc && controller ? (await controller.act({ observation: realObs, info: realInfo, step, seed })).action : keyAction(held, grip, w.real.actionSpace as Box);
    lastAction = action;
    const r = await w.real.step(action);
    realObs = r.observation;
    realInfo = r.info;
    step++;
    if (w.model && latent) {
      latent = (await w.model.step(latent, action)).nextLatent;
      imagined = await w.model.decode(latent);
      imaginedSteps++;
    }
    if (r.terminated || r.truncated) {
      seed++;
      await reset();
    }
  };

  const show = () => {
    const w = worlds!;
    realView!.setFrame(realFrame(w.real));
    if (dreamView && imagined && template) dreamView.setFrame(imaginedFrame(w.spec, template, imagined));
    status.replaceChildren(
      table([
        ['driver', mpc ? 'MPC (planning in the world model)' : 'you (keys / pad)'],
        ['episode seed', String(seed)],
        ['real step', String(step)],
        ['imagined steps since fork', String(imaginedSteps)],
        ['action', fmt(Array.from(lastAction))],
        ...Object.entries(realInfo).map(([k, v]) => [`info.${k}`, fmt(v)] as [string, string]),
      ]),
    );
  };

  const runStep = () => {
    busy = true;
    one(stepOnce)
      .then(show)
      .catch((e: unknown) => (failure = e))
      .finally(() => (busy = false));
  };

  const pad = (): HTMLElement => {
    const hold = (key: string) => {
      const b = button(key === 'ArrowUp' ? '▲' : key === 'ArrowDown' ? '▼' : key === 'ArrowLeft' ? '◀' : '▶', () => undefined, key);
      b.onpointerdown = () => held.add(key);
      b.onpointerup = b.onpointerleave = () => held.delete(key);
      return b;
    };
    return el('div', { class: 'keys' }, [el('span'), hold('ArrowUp'), el('span'), hold('ArrowLeft'), hold('ArrowDown'), hold('ArrowRight')]);
  };

  return {
    name: 'Play',
    async mount(panes, controls, side) {
      const realPane = el('div', { class: 'pane' }, [el('div', { class: 'pane-title' }, ['Rapier (real)'])]);
      panes.append(realPane);
      side.append(el('p', { class: 'hint' }, ['Loading…']));
      worlds = await openWorlds(env, bundle, ortWasm);
      realView = new SceneView(realPane);
      const model = worlds.model;
      if (model) {
        if (!model.hasDecoder) throw new Error(`The bundle at ${bundle!.dir} has no decoder: play draws the imagined world from decoded observations.`);
        const dreamPane = el('div', { class: 'pane' }, [el('div', { class: 'pane-title' }, ['World model (imagined)'])]);
        panes.append(dreamPane);
        dreamView = new SceneView(dreamPane, { tint: DREAM_TINT });
        const preset = certifiedPreset(model.manifest, planPresetFor(env.id));
        const planner = new Planner(model, {
          horizon: preset.horizon,
          actionLow: model.manifest.actionLow,
          actionHigh: model.manifest.actionHigh,
          optimizer: optimizerFor(preset.algorithm, preset, 0),
          objective: rewardObjective({ discount: preset.discount }),
        });
        controller = mpcController({ source: localPlanSource({ planner }), replanEvery: preset.replanEvery, seed: 0 });
      }
      const forkButton = button(
        'Fork imagination from real',
        () => void one(fork).catch((e: unknown) => (failure = e)),
        'restart the imagined world from the current real state (f)',
      );
      controls.append(
        pad(),
        pauseButton,
        button('Step', () => !busy && runStep(), 'one step (n)'),
        forkButton,
        mpcButton,
        button('New episode', () => void one(() => (seed++, reset())).catch((e: unknown) => (failure = e))),
      );
      if (!model) {
        forkButton.disabled = true;
        mpcButton.disabled = true;
      }
      side.replaceChildren(
        el('h2', {}, ['Play']),
        el('p', { class: 'hint' }, [
          'Arrows or WASD drive the robot, space grips (Warehouse). ',
          model ? 'The world model imagines the same actions live (right pane); fork it from the real state with f.' : 'No world model for this environment: only Rapier runs.',
        ]),
        status,
      );
      await reset();
      show();
      if (dreamView) realView.linkCamera(dreamView);
      started = true;
    },
    onKey(key, down) {
      const k = key.length === 1 ? key.toLowerCase() : key;
      if (DIRECTIONS[k]) {
        if (down) held.add(k);
        else held.delete(k);
        return true;
      }
      if (k === ' ') {
        grip = down;
        return true;
      }
      if (!down) return false;
      if (k === 'f') void one(fork).catch((e: unknown) => (failure = e));
      else if (k === 'n' && !busy) runStep();
      else if (k === 'p') setPaused(!paused);
      else if (k === 'm' && controller) setMpc(!mpc);
      else return false;
      return true;
    },
    tick(dt) {
      if (failure !== undefined) throw failure;
      if (!worlds || !realView || !started) return;
      since += dt;
      if (!paused && !busy && since >= worlds.controlDt) {
        since = 0;
        runStep();
      }
      realView.render();
      dreamView?.render();
    },
    state: () => ({ step, seed, mpc, paused, busy, imaginedSteps, imagined: imagined ? Array.from(imagined) : null, real: Array.from(realObs), action: Array.from(lastAction) }),
    resize() {
      realView?.resize();
      dreamView?.resize();
    },
    unmount() {
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
