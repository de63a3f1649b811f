/**
 * Errors raised by agents and episode runners.
 *
 * @module
 */
import { EmbodiedError } from '../src/errors.js';

/**
 * An agent broke the agent contract: it emitted an action with no observation waiting for one,
 * completed before the episode ended, or produced an action that is not a finite vector.
 */
export class AgentProtocolError extends EmbodiedError {}
