/** @deprecated Moved to `environments/push-box/validation.ts`; this alias goes at integration. @module */
export * from '../push-box/validation.js';
