/** World models: bundle format and loader, WorldModel, WorldModelEnv. @module */
export * from './manifest.js';
export * from './bundle.js';
export * from './world-model.js';
export * from './world-model-env.js';
