/** @deprecated The scripted baseline moved to `environments/push-box/scripted.ts`; this alias goes at integration. @module */
export * from '../../environments/push-box/scripted.js';
