/** The Rapier layer. @module */
export * from './rapier.js';
export * from './snapshot.js';
export * from './scene.js';
export * from './physics-env.js';
