/** Environment wrappers. @module */
export * from './wrapper.js';
export * from './bases.js';
export * from './time-limit.js';
export * from './record-episode-statistics.js';
export * from './running-mean-std.js';
export * from './normalize-observation.js';
export * from './clip-action.js';
export * from './rescale-action.js';
export * from './frame-stack.js';
