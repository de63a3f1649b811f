/**
 * The replay player: an `embodied.replay/v1` episode (frames, actions, rewards, infos, plans) drawn
 * by a {@link SceneView}, with play/pause, step, scrub and speed, trails behind moving bodies, and the
 * step's action, reward, info and plan beside the scene.
 *
 * @module
 */
import type { Frame } from '../src/physics/scene.js';
import type { Replay } from '../workflows/demo/replay.js';
import { SceneView } from './scene-view.js';
import { button, el, fmt, sparkline, table, type Mode } from './ui.js';

/** Frames of trail kept behind each moving body. */
const TRAIL_FRAMES = 40;

/** Positions of each tracked body at every frame (NaN where it is absent), for trails. */
function trailTable(frames: readonly Frame[], names: readonly string[]): Map<string, Float32Array> {
  const table = new Map(names.map((n) => [n, new Float32Array(frames.length * 3).fill(Number.NaN)] as const));
  frames.forEach((f, k) => {
    for (const b of f.bodies) {
      const t = table.get(b.name);
      if (t) t.set(b.position, k * 3);
    }
  });
  return table;
}

/** The replay mode: builds its pane, controls and side panel. */
export function replayMode(replay: Replay): Mode {
  const frames = replay.frames;
  const last = frames.length - 1;
  const controlDt = replay.controlDt ?? 0.1;
  const returns: number[] = [];
  for (const r of replay.rewards) returns.push((returns.at(-1) ?? 0) + r);
  let view: SceneView | undefined;
  let trails = new Map<string, Float32Array>();
  let position = 0;
  let shown = -1;
  let playing = true;
  let speed = 1;
  const plans = new Map((replay.plans ?? []).map((p) => [p.step, p] as const));

  const scrub = el('input', { type: 'range', min: '0', max: String(last), value: '0', 'aria-label': 'frame' }) as HTMLInputElement;
  const counter = el('span', { class: 'hint' });
  const play = button('Pause', () => setPlaying(!playing), 'play/pause (space)');
  const speedSelect = el('select', { 'aria-label': 'speed' }) as HTMLSelectElement;
  for (const s of [0.25, 0.5, 1, 2, 4, 8]) speedSelect.append(new Option(`${s}×`, String(s), s === 1, s === 1));
  speedSelect.onchange = () => (speed = Number(speedSelect.value));
  scrub.oninput = () => {
    setPlaying(false);
    position = Number(scrub.value);
  };
  const step = (d: number) => {
    setPlaying(false);
    position = Math.max(0, Math.min(last, Math.round(position) + d));
  };
  const setPlaying = (p: boolean) => {
    playing = p;
    if (playing && Math.round(position) >= last) position = 0;
    play.textContent = playing ? 'Pause' : 'Play';
  };
  const stepInfo = el('div');
  const rewardCanvas = el('canvas', { width: '300', height: '120' }) as HTMLCanvasElement;

  const show = (k: number) => {
    view!.setFrame(frames[k]!);
    for (const [name, t] of trails) view!.setTrail(name, t.subarray(Math.max(0, k - TRAIL_FRAMES) * 3, (k + 1) * 3));
    scrub.value = String(k);
    counter.textContent = `frame ${k} / ${last} · t = ${fmt(k * controlDt)} s`;
    const rows: [string, string][] = [['frame', `${k} of ${last}`]];
    if (k > 0) {
      rows.push(['action', `[${replay.actions[k - 1]!.map((v) => fmt(v)).join(', ')}]`], ['reward', fmt(replay.rewards[k - 1]!)], ['return so far', fmt(returns[k - 1]!)]);
      for (const [key, v] of Object.entries(replay.infos?.[k - 1] ?? {})) rows.push([`info.${key}`, fmt(v)]);
    }
    const plan = plans.get(Math.max(0, k - 1));
    if (plan && k > 0) rows.push(['plan', `${fmt(plan.ms)} ms, ${plan.iterations} iterations, best cost ${fmt(plan.bestCost)}${plan.fallbackUsed ? ', fallback' : ''}`]);
    else if (replay.plans) rows.push(['plan', 'none at this step (acting on an earlier plan)']);
    if (k === last) for (const [key, v] of Object.entries(replay.finalInfo)) if (!replay.infos) rows.push([`info.${key}`, fmt(v)]);
    stepInfo.replaceChildren(table(rows));
    sparkline(rewardCanvas, replay.rewards, k - 1, 'reward per step');
    shown = k;
  };

  return {
    name: 'Replay',
    mount(panes, controls, side) {
      const pane = el('div', { class: 'pane' }, [el('div', { class: 'pane-title' }, [`${replay.envId} · ${replay.agent}`])]);
      panes.append(pane);
      view = new SceneView(pane);
      view.setFrame(frames[0]!);
      trails = trailTable(frames, view.trackedNames());
      controls.append(
        button('◀', () => step(-1), 'previous frame (←)'),
        play,
        button('▶', () => step(1), 'next frame (→)'),
        scrub,
        counter,
        el('label', { class: 'hint' }, ['speed ', speedSelect]),
      );
      const ended = replay.terminated ? 'terminated' : replay.truncated ? 'truncated' : 'stopped';
      side.append(
        el('h2', {}, ['Episode']),
        table([
          ['environment', replay.envId],
          ['agent', replay.agent],
          ['seed', String(replay.seed)],
          ['steps', `${last} (${ended})`],
          ['return', fmt(returns.at(-1) ?? 0)],
          ['success', fmt(replay.finalInfo.success ?? '—')],
        ]),
        el('h2', {}, ['Reward']),
        rewardCanvas,
        el('h2', {}, ['This step']),
        stepInfo,
      );
      position = 0;
      setPlaying(true);
      show(0);
    },
    onKey(key) {
      if (key === ' ') setPlaying(!playing);
      else if (key === 'ArrowLeft') step(-1);
      else if (key === 'ArrowRight') step(1);
      else return false;
      return true;
    },
    tick(dtSeconds) {
      if (!view) return;
      if (playing) {
        position += (dtSeconds * speed) / controlDt;
        if (position >= last) {
          position = last;
          setPlaying(false);
        }
      }
      const k = Math.round(position);
      if (k !== shown) show(k);
      view.render();
    },
    state: () => ({ frame: shown, frames: frames.length, playing }),
    resize: () => view?.resize(),
    unmount() {
      view?.dispose();
      view = undefined;
      shown = -1;
    },
  };
}
