/** @deprecated The scripted baseline moved to `environments/arm/scripted.ts`; this alias goes at integration. @module */
export * from '../../environments/arm/scripted.js';
