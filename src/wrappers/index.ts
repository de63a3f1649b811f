/** Environment wrappers. @module */
export * from './wrapper.js';
export * from './time-limit.js';
