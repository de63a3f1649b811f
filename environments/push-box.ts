/** @deprecated Import `environments/push-box/index.js` (or `environments/index.js`); this alias goes at integration. @module */
export * from './push-box/index.js';
