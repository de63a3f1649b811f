/**
 * RxJS agents, scripted baselines and episode runners.
 *
 * @module
 */
export {};
