/**
 * Finds the ResNet trunk inside an unpickled checkpoint: the state dict (top level or nested under
 * `state_dict`/`model`/`state_dict_ema`), the key prefix the training code added (`module.`, `module.encoder_q.`,
 * `encoder.model.`, `backbone.`, …) and the architecture, with keys renamed to torchvision's layout. Keys outside
 * conv1/bn1/layer1–3 (layer4, fc, heads, projectors, momentum encoders, queues) are ignored.
 */
import { ModelError } from '../modelError.ts';
import { TorchTensor } from './torchTensor.ts';

export type ResNetArchitecture = 'resnet18' | 'resnet34' | 'resnet50' | 'resnet101';

export const ARCHITECTURES: Record<ResNetArchitecture, { block: 'basic' | 'bottleneck'; blocks: [number, number, number]; label: string }> = {
  resnet18: { block: 'basic', blocks: [2, 2, 2], label: 'ResNet-18' },
  resnet34: { block: 'basic', blocks: [3, 4, 6], label: 'ResNet-34' },
  resnet50: { block: 'bottleneck', blocks: [3, 4, 6], label: 'ResNet-50' },
  resnet101: { block: 'bottleneck', blocks: [3, 4, 23], label: 'ResNet-101' },
};

/** Tried in this order after the preset's own prefix; the first that yields a ResNet trunk wins. */
export const KEY_PREFIXES = ['', 'module.', 'module.encoder_q.', 'encoder.model.', 'backbone.', 'online_encoder.', 'encoder.', 'module.backbone.', 'module.online_encoder.', 'module.encoder.'];
const CONTAINER_KEYS = ['state_dict', 'model', 'state_dict_ema'];

export interface ResNetTrunk {
  architecture: ResNetArchitecture;
  /** torchvision names (`conv1.weight`, `layer3.0.downsample.1.running_var`) → tensors, trunk only (no layer4). */
  weights: Map<string, TorchTensor>;
  /** Where the state dict was: `(top level)`, `state_dict`, `model.state_dict`, … */
  container: string;
  /** The prefix stripped from its keys ('' for none). */
  prefix: string;
  /** 'mmcv' when keys used mmcv's ConvModule names (`conv1.conv.weight`, `conv1.bn.*`, as VFS saves them). */
  layout: 'torchvision' | 'mmcv';
  /** Tensors of the state dict not used by the trunk. */
  ignoredKeys: number;
}

/** Locates the trunk; throws MODEL_UNKNOWN_ARCHITECTURE listing what was tried. `preferredPrefix` goes first. */
export function findResNetTrunk(checkpoint: unknown, file: string, preferredPrefix?: string): ResNetTrunk {
  const prefixes = [...new Set([...(preferredPrefix === undefined ? [] : [preferredPrefix]), ...KEY_PREFIXES])];
  const containers = stateDictCandidates(checkpoint);
  for (const { path, tensors } of containers) {
    for (const prefix of prefixes) {
      const stripped = new Map<string, TorchTensor>();
      for (const [key, tensor] of tensors) if (key.startsWith(prefix)) stripped.set(key.slice(prefix.length), tensor);
      const mmcv = stripped.has('conv1.conv.weight');
      const renamed = mmcv ? fromMmcvLayout(stripped) : stripped;
      const architecture = detectArchitecture(renamed);
      if (architecture === undefined) continue;
      const weights = new Map([...renamed].filter(([key]) => /^(conv1|bn1|layer[123])\./.test(key)));
      return { architecture, weights, container: path, prefix, layout: mmcv ? 'mmcv' : 'torchvision', ignoredKeys: tensors.size - weights.size };
    }
  }
  const sample = containers.flatMap(({ tensors }) => [...tensors.keys()]).slice(0, 6);
  const tried = containers.length === 0 ? 'no dict of tensors found' : `looked in ${containers.map((c) => c.path).join(', ')} with prefixes ${prefixes.map((p) => `"${p}"`).join(', ')}`;
  throw new ModelError(
    'MODEL_UNKNOWN_ARCHITECTURE',
    `no torchvision-style ResNet-18/34/50/101 trunk (conv1.weight, layer1.0.conv1.weight, …) in this checkpoint; ${tried}` +
      (sample.length > 0 ? `; its first keys are ${sample.join(', ')}` : ''),
    file,
  );
}

/** Every dict holding tensors: the top level, then nested state_dict/model/state_dict_ema dicts (depth ≤ 3). */
function stateDictCandidates(root: unknown): Array<{ path: string; tensors: Map<string, TorchTensor> }> {
  const found: Array<{ path: string; tensors: Map<string, TorchTensor> }> = [];
  const visit = (value: unknown, path: string, depth: number): void => {
    if (!(value instanceof Map) || depth > 3) return;
    const tensors = new Map<string, TorchTensor>();
    for (const [key, item] of value) if (typeof key === 'string' && item instanceof TorchTensor) tensors.set(key, item);
    for (const key of CONTAINER_KEYS) visit(value.get(key), path === '(top level)' ? key : `${path}.${key}`, depth + 1);
    if (tensors.size > 0) found.push({ path, tensors });
  };
  visit(root, '(top level)', 0);
  return found;
}

/**
 * mmcv ConvModule names → torchvision: `X.convK.conv.*` → `X.convK.*`, `X.convK.bn.*` → `X.bnK.*`,
 * `X.downsample.conv.*` → `X.downsample.0.*`, `X.downsample.bn.*` → `X.downsample.1.*`, stem `conv1.bn.*` → `bn1.*`.
 */
function fromMmcvLayout(tensors: Map<string, TorchTensor>): Map<string, TorchTensor> {
  const renamed = new Map<string, TorchTensor>();
  for (const [key, tensor] of tensors) {
    const name = key
      .replace(/(^|\.)conv(\d)\.conv\./, '$1conv$2.')
      .replace(/(^|\.)conv(\d)\.bn\./, '$1bn$2.')
      .replace(/\.downsample\.conv\./, '.downsample.0.')
      .replace(/\.downsample\.bn\./, '.downsample.1.');
    renamed.set(name, tensor);
  }
  return renamed;
}

/** The architecture whose block type, block counts and widths the keys show, or undefined. */
export function detectArchitecture(weights: Map<string, TorchTensor>): ResNetArchitecture | undefined {
  const stem = weights.get('conv1.weight');
  if (stem === undefined || !sameShape(stem.shape, [64, 3, 7, 7]) || !weights.has('layer1.0.conv1.weight')) return undefined;
  const block = weights.has('layer1.0.conv3.weight') ? 'bottleneck' : 'basic';
  const counts = [1, 2, 3].map((layer) => {
    let count = 0;
    while (weights.has(`layer${layer}.${count}.conv1.weight`)) count++;
    return count;
  });
  for (const [name, architecture] of Object.entries(ARCHITECTURES) as Array<[ResNetArchitecture, (typeof ARCHITECTURES)[ResNetArchitecture]]>) {
    if (architecture.block !== block || architecture.blocks.some((count, index) => count !== counts[index])) continue;
    // Standard widths only (a wide ResNet has the same keys): the first conv of each layer has 64·2^(k−1) outputs.
    const widthsMatch = [1, 2, 3].every((layer) => weights.get(`layer${layer}.0.conv1.weight`)?.shape[0] === 64 * 2 ** (layer - 1));
    if (widthsMatch) return name;
  }
  return undefined;
}

function sameShape(shape: readonly number[], expected: readonly number[]): boolean {
  return shape.length === expected.length && shape.every((size, index) => size === expected[index]);
}
