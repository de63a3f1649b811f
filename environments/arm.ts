/** @deprecated Import `environments/arm/index.js` (or `environments/index.js`); this alias goes at integration. @module */
export * from './arm/index.js';
