/**
 * Misuse of every built-in environment gives a typed error that says what was expected (issue 14):
 * `setState` with something that is not a state, and `render()` after `close()`.
 */
import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { environmentCards } from '../../environments/cards.js';
import { EnvStateError, InvalidArgumentError } from '../../src/errors.js';
import { make } from '../../src/registry.js';
import type { Stateful } from '../../src/env.js';

const ids = environmentCards().map((c) => c.id);

describe.each(ids)('%s', (id) => {
  it('refuses setState(null) and a foreign object, and render() after close()', async () => {
    const env = make(id);
    await env.reset({ seed: 1 });
    const stateful = env as unknown as Stateful<unknown>;
    expect(() => stateful.setState(null)).toThrow(InvalidArgumentError);
    expect(() => stateful.setState({ bogus: 1 })).toThrow(/setState: expected /);
    await env.close();
    const render = (env as unknown as { render(mode?: string): unknown }).render.bind(env);
    expect(() => render()).toThrow(EnvStateError);
    expect(() => render()).toThrow(/render\(\) called after close\(\)/);
  });
});
