/**
 * Zod pieces every workflow's options schema shares: an abort signal and callbacks.
 *
 * @module
 */
import { z } from '../src/options.js';

/** An optional `AbortSignal` option. */
export const signalOption = () => z.instanceof(AbortSignal).optional();

/** An optional callback option of type `F`. */
export const callbackOption = <F extends (...args: never[]) => unknown>() => z.custom<F>((v) => typeof v === 'function', { message: 'expected a function' }).optional();
