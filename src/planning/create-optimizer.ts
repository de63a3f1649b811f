/**
 * Building optimisers from a plain description (`{ algorithm: 'mppi', samples: 512, … }`), and the
 * published hyper-parameter sets of TD-MPC2 and PETS/MBRL-Lib as presets.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../errors.js';
import { CemOptimizer, type CemOptions } from './cem.js';
import { IcemOptimizer, type IcemOptions } from './icem.js';
import { MppiOptimizer, type MppiOptions } from './mppi.js';
import type { SequenceOptimizer, SequenceProblem } from './optimizer.js';
import { RandomShootingOptimizer, type RandomShootingOptions } from './random-shooting.js';

/** An optimiser named by its algorithm, with that algorithm's options. */
export type OptimizerSpec =
  | ({ readonly algorithm: 'random-shooting' } & RandomShootingOptions)
  | ({ readonly algorithm: 'cem' } & CemOptions)
  | ({ readonly algorithm: 'icem' } & IcemOptions)
  | ({ readonly algorithm: 'mppi' } & MppiOptions);

/** A spec, or a factory for a custom {@link SequenceOptimizer}. */
export type OptimizerChoice = OptimizerSpec | ((problem: SequenceProblem) => SequenceOptimizer);

/**
 * Builds the optimiser a spec names, over `problem`.
 * @throws {@link InvalidArgumentError} for an unknown algorithm or invalid options.
 */
export function createOptimizer(problem: SequenceProblem, choice: OptimizerChoice): SequenceOptimizer {
  if (typeof choice === 'function') return choice(problem);
  if (typeof choice !== 'object' || choice === null) {
    throw new InvalidArgumentError(`createOptimizer: expected an optimizer spec { algorithm, … } or a factory, got ${describeValue(choice)}`);
  }
  // Each case strips `algorithm` itself: the options schemas are strict and reject unknown keys.
  switch (choice.algorithm) {
    case 'random-shooting': {
      const { algorithm: _, ...options } = choice;
      return new RandomShootingOptimizer(problem, options);
    }
    case 'cem': {
      const { algorithm: _, ...options } = choice;
      return new CemOptimizer(problem, options);
    }
    case 'icem': {
      const { algorithm: _, ...options } = choice;
      return new IcemOptimizer(problem, options);
    }
    case 'mppi': {
      const { algorithm: _, ...options } = choice;
      return new MppiOptimizer(problem, options);
    }
    default:
      throw new InvalidArgumentError(
        `createOptimizer: expected \`algorithm\` 'random-shooting', 'cem', 'icem' or 'mppi', got ${describeValue((choice as { algorithm?: unknown }).algorithm)}`,
      );
  }
}

/** A named set of planner hyper-parameters from a paper or library. */
export interface PublishedPreset {
  /** H, the planning horizon the source uses. */
  readonly horizon: number;
  /** The optimiser and its settings. */
  readonly optimizer: OptimizerSpec;
  /** Per-step reward discount of the source. */
  readonly discount: number;
  /** Where the numbers come from. */
  readonly source: string;
}

/**
 * Published planner settings. Standard deviations not listed default to fractions of the action range
 * that equal the source's values for actions in [−1, 1].
 */
export const publishedPresets = Object.freeze({
  /** TD-MPC2 (`config.yaml`, `tdmpc2.py::_plan`): MPPI, 512 samples, 64 elites, 6 iterations, τ = 0.5 (λ = 2), σ ∈ [0.05, 2], H = 3. */
  tdmpc2: Object.freeze({
    horizon: 3,
    optimizer: Object.freeze({ algorithm: 'mppi', samples: 512, elites: 64, iterations: 6, temperature: 2, updateStd: true, execute: 'sample' }),
    discount: 0.99,
    source: 'TD-MPC2 config.yaml (horizon 3, iterations 6, num_samples 512, num_elites 64, temperature 0.5, min_std 0.05, max_std 2)',
  }) satisfies PublishedPreset,
  /** PETS with CEM as in MBRL-Lib (`pets_*` overrides): 500 samples, elite ratio 0.1, 5 iterations, α = 0.1, mean of elites, H = 15. */
  petsCem: Object.freeze({
    horizon: 15,
    optimizer: Object.freeze({ algorithm: 'cem', samples: 500, eliteFraction: 0.1, iterations: 5, alpha: 0.1, execute: 'mean' }),
    discount: 1,
    source: 'MBRL-Lib action_optimizer/cem.yaml + PETS overrides (population 500, elite_ratio 0.1, num_iters 5, alpha 0.1, return_mean_elites true)',
  }) satisfies PublishedPreset,
  /** PETS with iCEM as in MBRL-Lib's example: decay 1.3, β = 2, keep 30% of elites, mean of elites, H = 15. */
  petsIcem: Object.freeze({
    horizon: 15,
    optimizer: Object.freeze({
      algorithm: 'icem',
      samples: 500,
      eliteFraction: 0.1,
      iterations: 5,
      alpha: 0.1,
      populationDecay: 1.3,
      noiseExponent: 2,
      keepEliteFraction: 0.3,
      execute: 'mean',
    }),
    discount: 1,
    source: 'MBRL-Lib action_optimizer/icem.yaml + PETS example (population 500, decay 1.3, colored_noise_exponent 2, keep_elite_frac 0.3, return_mean_elites true)',
  }) satisfies PublishedPreset,
});
