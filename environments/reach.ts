/** @deprecated Import `environments/reach/index.js` (or `environments/index.js`); this alias goes at integration. @module */
export * from './reach/index.js';
