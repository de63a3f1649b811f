/** @deprecated Import `environments/cart-pole/index.js` (or `environments/index.js`); this alias goes at integration. @module */
export * from './cart-pole/index.js';
