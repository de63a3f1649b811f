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

/** A planner returned something unusable (NaN actions, a plan of the wrong length). */
export class PlanError extends EmbodiedError {}
