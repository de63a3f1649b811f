/** The shipped-model helper the package entry exports (issue 13): names, paths, and its message for a bad name. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SHIPPED_MODELS, type ShippedModelName, readBundleManifest, shippedModel, shippedModelNames } from '../../index.js';

describe('shippedModel', () => {
  it('resolves every shipped bundle to an absolute directory with a manifest for its environment', async () => {
    expect(shippedModelNames()).toEqual(['pushbox', 'warehouse-tiny']);
    for (const name of shippedModelNames()) {
      const dir = shippedModel(name);
      expect(dir).toBe(join(import.meta.dirname, '..', '..', 'models', name));
      expect(existsSync(join(dir, 'manifest.json'))).toBe(true);
      expect((await readBundleManifest(dir)).envId).toBe(SHIPPED_MODELS[name]);
    }
  });

  it('names the shipped bundles when given another name', () => {
    expect(() => shippedModel('pushbx' as ShippedModelName)).toThrow(InvalidArgumentError);
    expect(() => shippedModel('pushbx' as ShippedModelName)).toThrow('shippedModel: expected `name` pushbox or warehouse-tiny, got "pushbx"');
  });
});
