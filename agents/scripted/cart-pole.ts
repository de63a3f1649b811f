/** @deprecated The scripted baseline moved to `environments/cart-pole/scripted.ts`; this alias goes at integration. @module */
export * from '../../environments/cart-pole/scripted.js';
