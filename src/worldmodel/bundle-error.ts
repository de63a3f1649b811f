/**
 * The error of bundle loading (its own module so that the readers and the validator share it).
 *
 * @module
 */
import { EmbodiedError } from '../errors.js';

/** A bundle is missing a file, has a malformed manifest, or an ONNX file breaks the contract. */
export class BundleError extends EmbodiedError {}
