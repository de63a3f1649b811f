/** @deprecated The scripted baseline moved to `environments/reach/scripted.ts`; this alias goes at integration. @module */
export * from '../../environments/reach/scripted.js';
