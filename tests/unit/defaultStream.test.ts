import { describe, expect, it } from 'vitest';
import { DEFAULT_PROPAGATION_STREAM, SFC_FUSION_LAMBDA, SHIPPED_FC_STREAM } from '../../src-main/core/models/shippedModels.ts';
import { DEFAULT_FUSION, formatStreamSpec, SFC_LAMBDA } from '../../src-renderer/utils/streamSpec.ts';

// The renderer cannot import core (layer rules), so the app's initial fusion is its own constant: it must name the
// stream the engine and the CLI use by default, or the app and `correspond propagate` would disagree.
describe('default propagation stream', () => {
  it('is the same in the app and in the engine', () => {
    expect(formatStreamSpec(DEFAULT_FUSION)).toBe(DEFAULT_PROPAGATION_STREAM);
    expect(DEFAULT_FUSION.fineGrained).toBe(SHIPPED_FC_STREAM);
    expect(SFC_LAMBDA).toBe(SFC_FUSION_LAMBDA);
  });
});
