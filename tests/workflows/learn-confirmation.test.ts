/** learn's confirmation stops once its target is out of reach (a failed round cannot pass any more). */
import { describe, expect, it } from 'vitest';
import { confirmationOutOfReach } from '../../workflows/learn/round.js';

describe('confirmationOutOfReach', () => {
  it('allows exactly the failures the target leaves room for', () => {
    // 95 % of 20 = 19 successes: one failure is allowed, the second ends it.
    expect(confirmationOutOfReach(1, 0, 20, 0.95)).toBe(false);
    expect(confirmationOutOfReach(5, 3, 20, 0.95)).toBe(true);
    expect(confirmationOutOfReach(20, 19, 20, 0.95)).toBe(false);
    // 90 % of 20 = 18: two failures allowed.
    expect(confirmationOutOfReach(2, 0, 20, 0.9)).toBe(false);
    expect(confirmationOutOfReach(3, 0, 20, 0.9)).toBe(true);
    // 0.85 × 20 = 17 exactly (no rounding up to 18 from floating point): three failures allowed.
    expect(confirmationOutOfReach(3, 0, 20, 0.85)).toBe(false);
    expect(confirmationOutOfReach(4, 0, 20, 0.85)).toBe(true);
    // A target of 100 %: the first failure ends it; of 0: never.
    expect(confirmationOutOfReach(1, 0, 20, 1)).toBe(true);
    expect(confirmationOutOfReach(20, 0, 20, 0)).toBe(false);
  });
});
