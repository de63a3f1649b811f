/**
 * A three.js view of `Frame`s (`render('frame')` scenes): one mesh per body by shape, task markers
 * (drop zones, goals) as discs on the ground, trails behind moving bodies, and labels over robots and
 * packages. The camera frames the fixed bodies (floor, table) and orbits with the mouse.
 *
 * @module
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { Frame, FrameBody, FrameMarker } from '../src/physics/scene.js';

/** Body and marker colours by tag. */
const COLORS: Record<string, number> = {
  robot: 0x4fa3ff,
  pusher: 0x4fa3ff,
  package: 0xf2a541,
  box: 0xf2a541,
  shelf: 0x7b8694,
  wall: 0x48515c,
  floor: 0x262c33,
  table: 0x2f3844,
  'drop-zone': 0x3ddc84,
  goal: 0x3ddc84,
};

/** Tags whose bodies get a label and a trail. */
const TRACKED = new Set(['robot', 'package', 'box', 'pusher']);

/** Options of {@link SceneView}. */
export interface SceneViewOptions {
  /** Colour every movable body with this colour (the imagined pane). Default: colours by tag. */
  readonly tint?: number;
  /** Draw labels over robots and packages. Default true. */
  readonly labels?: boolean;
}

/** What is tracked for one labelled or trailed body. */
interface Tracked {
  readonly label?: HTMLElement;
  readonly trail: THREE.Line;
}

function geometryOf(body: Pick<FrameBody, 'shape'>): THREE.BufferGeometry {
  const s = body.shape;
  switch (s.type) {
    case 'box':
      return new THREE.BoxGeometry(2 * s.halfExtents[0], 2 * s.halfExtents[1], 2 * s.halfExtents[2]);
    case 'ball':
      return new THREE.SphereGeometry(s.radius, 20, 14);
    case 'cylinder':
      return new THREE.CylinderGeometry(s.radius, s.radius, 2 * s.halfHeight, 24);
    case 'capsule':
      return new THREE.CapsuleGeometry(s.radius, 2 * s.halfHeight, 6, 16);
  }
}

/** The tag a body is coloured and tracked by (its tag, else its name without a numeric suffix). */
function tagOf(body: { name: string; tag?: string | undefined }): string {
  return body.tag ?? body.name.replace(/-\d+$/, '');
}

/** A three.js scene showing one frame at a time inside `container`. */
export class SceneView {
  readonly renderer: THREE.WebGLRenderer;
  readonly scene = new THREE.Scene();
  readonly camera = new THREE.PerspectiveCamera(45, 1, 0.01, 200);
  private readonly controls: OrbitControls;
  private readonly bodies = new Map<string, THREE.Mesh>();
  private readonly markers = new Map<string, THREE.Mesh>();
  private readonly tracked = new Map<string, Tracked>();
  private readonly labelLayer: HTMLElement;
  private fitted = false;
  /** Whether anything changed since the last draw (an unchanged scene is not drawn again). */
  private dirty = true;
  private readonly projected = new THREE.Vector3();
  private readonly resizes: ResizeObserver;

  constructor(
    private readonly container: HTMLElement,
    private readonly options: SceneViewOptions = {},
  ) {
    this.renderer = new THREE.WebGLRenderer({ antialias: false, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(1);
    container.appendChild(this.renderer.domElement);
    this.labelLayer = document.createElement('div');
    this.labelLayer.style.cssText = 'position:absolute;inset:0;overflow:hidden;pointer-events:none';
    container.appendChild(this.labelLayer);
    this.scene.background = new THREE.Color(0x0f1216);
    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x303040, 2.2));
    const sun = new THREE.DirectionalLight(0xffffff, 1.4);
    sun.position.set(3, 8, 5);
    this.scene.add(sun);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.addEventListener('change', () => (this.dirty = true));
    this.resize();
    // Panes change size when a second pane joins or the window changes.
    this.resizes = new ResizeObserver(() => this.resize());
    this.resizes.observe(container);
  }

  /** Matches the canvas to its pane. */
  resize(): void {
    const w = Math.max(1, this.container.clientWidth);
    const h = Math.max(1, this.container.clientHeight);
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.dirty = true;
  }

  /** Shows `frame`: bodies missing from it (a delivered package) are hidden. */
  setFrame(frame: Frame): void {
    this.dirty = true;
    const seen = new Set<string>();
    for (const b of frame.bodies) {
      seen.add(b.name);
      const mesh = this.bodies.get(b.name) ?? this.addBody(b);
      mesh.visible = true;
      mesh.position.set(b.position[0], b.position[1], b.position[2]);
      mesh.quaternion.set(b.rotation[0], b.rotation[1], b.rotation[2], b.rotation[3]);
    }
    for (const [name, mesh] of this.bodies) if (!seen.has(name)) mesh.visible = false;
    const seenMarkers = new Set<string>();
    for (const m of frame.markers ?? []) {
      seenMarkers.add(m.name);
      const mesh = this.markers.get(m.name) ?? this.addMarker(m);
      mesh.visible = true;
      mesh.position.set(m.position[0], Math.max(m.position[1], 0) + 0.004, m.position[2]);
    }
    for (const [name, mesh] of this.markers) if (!seenMarkers.has(name)) mesh.visible = false;
    for (const [name, t] of this.tracked) {
      const visible = seen.has(name);
      if (t.label) t.label.hidden = !visible;
      t.trail.visible = visible;
    }
    if (!this.fitted) this.fit(frame);
  }

  /** Sets the trail of body `name`: `points` holds n × 3 coordinates, oldest first (NaN rows are skipped). */
  setTrail(name: string, points: Float32Array): void {
    const t = this.tracked.get(name);
    if (!t) return;
    this.dirty = true;
    const kept: number[] = [];
    for (let i = 0; i + 2 < points.length; i += 3) if (Number.isFinite(points[i]!)) kept.push(points[i]!, points[i + 1]!, points[i + 2]!);
    const geometry = t.trail.geometry as THREE.BufferGeometry;
    geometry.setAttribute('position', new THREE.Float32BufferAttribute(kept, 3));
    geometry.computeBoundingSphere();
  }

  /**
   * Moves `other`'s camera with this one, both ways (the real and the imagined pane seen from the same
   * place). Call once per pair, after both have shown a frame.
   */
  linkCamera(other: SceneView): void {
    let syncing = false;
    const follow = (from: SceneView, to: SceneView) => () => {
      if (syncing) return;
      syncing = true;
      to.camera.position.copy(from.camera.position);
      to.camera.quaternion.copy(from.camera.quaternion);
      to.controls.target.copy(from.controls.target);
      to.controls.update();
      to.dirty = true;
      syncing = false;
    };
    this.controls.addEventListener('change', follow(this, other));
    other.controls.addEventListener('change', follow(other, this));
  }

  /** Names of the bodies that get trails (robots, packages, the box, the pusher). */
  trackedNames(): string[] {
    return [...this.tracked.keys()];
  }

  /** Draws the scene and places the labels, when something changed since the last draw. */
  render(): void {
    this.controls.update();
    if (!this.dirty) return;
    this.dirty = false;
    this.renderer.render(this.scene, this.camera);
    const w = this.container.clientWidth;
    const h = this.container.clientHeight;
    for (const [name, t] of this.tracked) {
      if (!t.label || t.label.hidden) continue;
      const mesh = this.bodies.get(name)!;
      this.projected.copy(mesh.position).project(this.camera);
      t.label.style.transform = `translate(${((this.projected.x + 1) / 2) * w + 6}px, ${((1 - this.projected.y) / 2) * h - 18}px)`;
    }
  }

  /** Releases the WebGL context and removes the canvas. */
  dispose(): void {
    this.resizes.disconnect();
    this.controls.dispose();
    this.renderer.dispose();
    this.renderer.domElement.remove();
    this.labelLayer.remove();
  }

  private addBody(b: FrameBody): THREE.Mesh {
    const tag = tagOf(b);
    const movable = b.kind !== 'fixed';
    const color = movable && this.options.tint !== undefined ? this.options.tint : (COLORS[tag] ?? (movable ? 0xc77dff : 0x59636f));
    const mesh = new THREE.Mesh(geometryOf(b), new THREE.MeshLambertMaterial({ color }));
    this.scene.add(mesh);
    this.bodies.set(b.name, mesh);
    if (TRACKED.has(tag)) {
      const trail = new THREE.Line(new THREE.BufferGeometry(), new THREE.LineBasicMaterial({ color, transparent: true, opacity: 0.7 }));
      trail.frustumCulled = false;
      this.scene.add(trail);
      let label: HTMLElement | undefined;
      if (this.options.labels !== false) {
        label = document.createElement('span');
        label.className = 'label';
        label.style.cssText = 'position:absolute;left:0;top:0';
        label.textContent = b.name;
        this.labelLayer.appendChild(label);
      }
      this.tracked.set(b.name, { trail, ...(label && { label }) });
    }
    return mesh;
  }

  private addMarker(m: FrameMarker): THREE.Mesh {
    const tag = m.tag ?? m.name.replace(/-\d+$/, '');
    const geometry = new THREE.CircleGeometry(m.radius ?? 0.05, 32);
    geometry.rotateX(-Math.PI / 2);
    const mesh = new THREE.Mesh(geometry, new THREE.MeshBasicMaterial({ color: COLORS[tag] ?? 0x3ddc84, transparent: true, opacity: 0.45, depthWrite: false }));
    this.scene.add(mesh);
    this.markers.set(m.name, mesh);
    return mesh;
  }

  /** Points the camera at the fixed bodies (or everything) from above and in front. */
  private fit(frame: Frame): void {
    this.resize(); // the pane may have changed size since the last resize event
    const box = new THREE.Box3();
    const fixed = frame.bodies.filter((b) => b.kind === 'fixed');
    for (const b of fixed.length > 0 ? fixed : frame.bodies) box.expandByObject(this.bodies.get(b.name)!);
    if (box.isEmpty()) return;
    const centre = box.getCenter(new THREE.Vector3());
    const size = box.getSize(new THREE.Vector3());
    const extent = Math.max(size.x, size.z, 0.5);
    // Far enough that the extent fits the narrower of the two fields of view, seen from above and in front.
    const fit = extent / (2 * Math.tan(THREE.MathUtils.degToRad(this.camera.fov / 2))) / Math.min(1, this.camera.aspect);
    const distance = fit * 1.35;
    this.camera.position.set(centre.x, centre.y + distance * 0.78, centre.z + distance * 0.62);
    this.controls.target.copy(centre);
    this.camera.near = extent / 200;
    this.camera.far = extent * 20;
    this.camera.updateProjectionMatrix();
    this.fitted = true;
  }
}
