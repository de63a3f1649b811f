/** @deprecated The scripted baseline moved to `environments/warehouse/scripted.ts`; this alias goes at integration. @module */
export * from '../../environments/warehouse/scripted.js';
