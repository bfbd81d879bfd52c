import { ModelError } from './modelError.ts';

/** One layer of a Keras functional model, called once (shared layers are not supported). */
export interface KerasLayer {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Names of the layers whose outputs feed this one, in order. */
  inboundNames: string[];
}

/** Reads the layer list of a Keras `Model` topology (the `model_config` of a tfjs model.json). */
export function parseKerasLayers(modelTopology: Record<string, unknown>, file: string): KerasLayer[] {
  const modelConfig = (modelTopology.model_config ?? modelTopology) as { class_name?: string; config?: { layers?: unknown } };
  const layers = modelConfig.config?.layers;
  if (!Array.isArray(layers)) throw new ModelError('MODEL_SOURCE_INVALID', 'the Keras topology has no layer list', file);
  return layers.map((raw: { name?: unknown; class_name?: unknown; config?: unknown; inbound_nodes?: unknown }) => {
    if (typeof raw.name !== 'string' || typeof raw.class_name !== 'string' || typeof raw.config !== 'object') {
      throw new ModelError('MODEL_SOURCE_INVALID', `malformed layer entry ${JSON.stringify(raw).slice(0, 80)}`, file);
    }
    const nodes = (raw.inbound_nodes ?? []) as unknown[][][];
    if (nodes.length > 1) {
      throw new ModelError('MODEL_UNSUPPORTED_LAYER', `layer ${raw.name} is shared (called ${nodes.length} times)`, file);
    }
    const inboundNames = (nodes[0] ?? []).map((entry) => String(entry[0]));
    return { name: raw.name, className: raw.class_name, config: raw.config as Record<string, unknown>, inboundNames };
  });
}

/** The layers needed to compute `outputNames`, in the topology's (topological) order. */
export function requiredLayers(layers: KerasLayer[], outputNames: string[], file: string): KerasLayer[] {
  const byName = new Map(layers.map((layer) => [layer.name, layer]));
  const needed = new Set<string>();
  const pending = [...outputNames];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (needed.has(name)) continue;
    const layer = byName.get(name);
    if (layer === undefined) throw new ModelError('MODEL_SOURCE_INVALID', `the model has no layer named ${name}`, file);
    needed.add(name);
    pending.push(...layer.inboundNames);
  }
  return layers.filter((layer) => needed.has(layer.name));
}

/** Keras `ZeroPadding2D.padding` as `[top, bottom, left, right]` (int, [h, w] or [[top, bottom], [left, right]]). */
export function zeroPaddingAmounts(padding: unknown): [number, number, number, number] {
  if (typeof padding === 'number') return [padding, padding, padding, padding];
  const [rows, columns] = padding as [number | number[], number | number[]];
  const pair = (value: number | number[]): [number, number] => (typeof value === 'number' ? [value, value] : [value[0]!, value[1]!]);
  return [...pair(rows), ...pair(columns)];
}

/** Reads a 2-element numeric config entry such as `strides` or `kernel_size`. */
export function pairOf(value: unknown, fallback: number): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2) return [Number(value[0]), Number(value[1])];
  return [fallback, fallback];
}
