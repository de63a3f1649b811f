/**
 * The viewer page's entry point: reads the data `data.js` set (`window.EMBODIED_VIEW`, see
 * workflows/view-data.ts), offers the modes the data allows — replay (a replay file), dream vs real
 * and play (an environment, with a world model for dreaming) — and runs the animation loop. Anything
 * wrong with the input is shown as a message on the page.
 *
 * Tests and benchmarks read `window.__embodiedViewer` (the mode, its state, and errors).
 *
 * @module
 */
import '../environments/index.js';
import { VIEW_DATA_FORMAT, VIEW_DATA_GLOBAL, type ViewData } from '../workflows/view-data.js';
import { dreamMode } from './dream.js';
import { playMode } from './play.js';
import { checkReplay } from './replay-check.js';
import { replayMode } from './replay-player.js';
import { button, type Mode } from './ui.js';

/** What the page exposes for tests and benchmarks. */
interface ViewerHandle {
  ready: boolean;
  mode: string | undefined;
  modes: string[];
  problem: string | undefined;
  state(): Record<string, unknown>;
  select(name: string): Promise<void>;
  /** The active mode itself (tests call its extra methods). */
  active(): Mode | undefined;
}

const handle: ViewerHandle = {
  ready: false,
  mode: undefined,
  modes: [],
  problem: undefined,
  state: () => active?.state() ?? {},
  select: (name) => select(name),
  active: () => active,
};
(window as unknown as { __embodiedViewer: ViewerHandle }).__embodiedViewer = handle;

let active: Mode | undefined;
const modes = new Map<string, () => Mode>();

function byId(id: string): HTMLElement {
  return document.getElementById(id)!;
}

/** Replaces the page with `message` (the input cannot be shown). */
export function showProblem(message: string): void {
  handle.problem = message;
  byId('main').hidden = true;
  byId('problem').hidden = false;
  byId('problem-text').textContent = message;
  handle.ready = true;
}

async function select(name: string): Promise<void> {
  const make = modes.get(name);
  if (!make) throw new Error(`no mode ${JSON.stringify(name)}; the page offers ${[...modes.keys()].join(', ')}`);
  active?.unmount();
  handle.ready = false;
  const panes = byId('panes');
  const controls = byId('controls');
  const side = byId('side');
  panes.replaceChildren();
  controls.replaceChildren();
  side.replaceChildren();
  for (const b of byId('modes').querySelectorAll('button')) b.classList.toggle('active', b.textContent === name);
  active = make();
  handle.mode = name;
  byId('main').hidden = false;
  try {
    await active.mount(panes, controls, side);
  } catch (e) {
    active = undefined;
    showProblem(e instanceof Error ? e.message : String(e));
    return;
  }
  handle.ready = true;
}

function offerModes(data: ViewData): void {
  if (data.replay) {
    const replay = checkReplay(data.replay.json, data.replay.path);
    modes.set('Replay', () => replayMode(replay));
  }
  if (data.env) {
    const env = data.env;
    if (data.bundle) modes.set('Dream vs real', () => dreamMode(env, data.bundle!, data.ortWasm));
    modes.set('Play', () => playMode(env, data.bundle, data.ortWasm));
  }
  const nav = byId('modes');
  for (const name of modes.keys()) nav.append(button(name, () => void select(name)));
  handle.modes = [...modes.keys()];
}

function loop(): void {
  let last = performance.now();
  const frame = (now: number) => {
    const dt = Math.min(0.25, (now - last) / 1000);
    last = now;
    try {
      active?.tick(dt);
    } catch (e) {
      active?.unmount();
      active = undefined;
      showProblem(`The ${handle.mode} view stopped: ${e instanceof Error ? e.message : String(e)}`);
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

async function start(): Promise<void> {
  const data = (window as unknown as Record<string, ViewData | undefined>)[VIEW_DATA_GLOBAL];
  if (data === undefined) {
    showProblem('No data.js next to this page: open the viewer through `embodied view <replay.json | bundle | --env id>`, or a folder written by `embodied view … --out <dir>`.');
    return;
  }
  if (data.format !== VIEW_DATA_FORMAT) {
    showProblem(`data.js holds ${JSON.stringify(data.format)}; this page reads ${VIEW_DATA_FORMAT}. Write the page again with the same version of embodied.`);
    return;
  }
  document.title = `${data.title} · Embodied viewer`;
  byId('title').textContent = data.title;
  if (data.problem) {
    showProblem(data.problem);
    return;
  }
  try {
    offerModes(data);
  } catch (e) {
    showProblem(e instanceof Error ? e.message : String(e));
    return;
  }
  const wanted = new URLSearchParams(location.search).get('mode');
  const first = [...modes.keys()].find((m) => m.toLowerCase().replace(/\s+/g, '-') === wanted) ?? [...modes.keys()][0];
  if (first === undefined) {
    showProblem('Nothing to show: the data has no replay and no environment.');
    return;
  }
  window.addEventListener('resize', () => active?.resize());
  const keys = (down: boolean) => (e: KeyboardEvent) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    if (active?.onKey?.(e.key, down)) e.preventDefault();
  };
  window.addEventListener('keydown', keys(true));
  window.addEventListener('keyup', keys(false));
  loop();
  await select(first);
}

void start();
