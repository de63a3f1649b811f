/** World models: bundle format and loader, WorldModel, WorldModelEnv. @module */
export * from './manifest.js';
