/**
 * The feature stream propagation uses, as the Models screen sets it: a semantic stream, optionally fused with a
 * fine-grained one weighted by λ as SFC does (SPEC §2.3). The engine reads it as a stream spec: terms joined by `+`,
 * a term's weight after `@` (`default+fc-1234abcd@1.75`).
 */
export interface StreamFusion {
  /** `default`, `pixels` or a registered model's stream name. */
  semantic: string;
  /** A registered model's stream name, or null for the semantic stream alone. */
  fineGrained: string | null;
  /** Weight of the fine-grained term. */
  lambda: number;
}

/** SFC's weight of the fine-grained features. */
export const SFC_LAMBDA = 1.75;

/**
 * The engine's default propagation stream (core's DEFAULT_PROPAGATION_STREAM, `default+fc@1.75`): the semantic
 * default fused with the shipped fine-grained stream `fc`, the best measured choice (BENCHMARKS.md).
 */
export const DEFAULT_FUSION: Readonly<StreamFusion> = { semantic: 'default', fineGrained: 'fc', lambda: SFC_LAMBDA };

/** A stream name can stand in a spec only when it holds neither separator and no surrounding spaces. */
export function isSpecSafeStreamName(name: string): boolean {
  return name.length > 0 && name.trim() === name && !/[+@]/.test(name);
}

export function isValidLambda(lambda: number): boolean {
  return Number.isFinite(lambda) && lambda > 0;
}

export function formatStreamSpec(fusion: StreamFusion): string {
  if (!fusion.fineGrained) return fusion.semantic;
  return `${fusion.semantic}+${fusion.fineGrained}@${Number(fusion.lambda.toPrecision(6))}`;
}

/**
 * Reads back a spec this screen wrote (`a` or `a+b@λ`; a fine-grained term without a weight has λ = 1). Anything
 * else — more terms, a weighted semantic term, a bad weight — is undefined, so the caller falls back to the default.
 */
export function parseStreamSpec(spec: string): StreamFusion | undefined {
  const terms = spec.split('+').map((term) => term.trim());
  if (terms.length > 2 || !isSpecSafeStreamName(terms[0])) return undefined;
  if (terms.length === 1) return { semantic: terms[0], fineGrained: null, lambda: SFC_LAMBDA };
  const at = terms[1].lastIndexOf('@');
  const name = at < 0 ? terms[1] : terms[1].slice(0, at);
  const lambda = at < 0 ? 1 : Number(terms[1].slice(at + 1));
  if (!isSpecSafeStreamName(name) || !isValidLambda(lambda) || (at >= 0 && terms[1].slice(at + 1).trim() === '')) return undefined;
  return { semantic: terms[0], fineGrained: name, lambda };
}
