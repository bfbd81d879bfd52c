/**
 * What each supported official checkpoint needs to become a stride-8 feature model: its network, padding, the
 * key prefix its training code wrote, the input normalisation it was trained with and the role it plays in
 * SFC-style fusion (SPEC §2.3: a semantic stream fused with a fine-grained one).
 */
import type { ResNetArchitecture } from './stateDict.ts';

export type StreamRole = 'semantic' | 'fine-grained';

export interface CheckpointPreset {
  name: string;
  description: string;
  architecture: ResNetArchitecture;
  padding: 'zeros' | 'reflect';
  /** The prefix tried first; the others of KEY_PREFIXES are still tried when it does not fit. */
  keyPrefix: string;
  normalization: { mean: [number, number, number]; std: [number, number, number]; label: string };
  role: StreamRole;
}

const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], label: 'ImageNet mean/std' } as CheckpointPreset['normalization'];
/** CRW (videowalk) normalises with these CIFAR-style statistics, not ImageNet's (its utils/augs.py IMG_MEAN/IMG_STD). */
const CRW_NORMALIZATION = { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201], label: 'CRW mean/std (0.4914, 0.4822, 0.4465)/(0.2023, 0.1994, 0.2010)' } as CheckpointPreset['normalization'];

export const CHECKPOINT_PRESETS: readonly CheckpointPreset[] = [
  {
    name: 'sfc-fc',
    description: 'SFC fine-grained branch (ResNet-18, layer3 stride 1)',
    architecture: 'resnet18',
    padding: 'zeros',
    keyPrefix: 'online_encoder.',
    normalization: IMAGENET,
    role: 'fine-grained',
  },
  {
    name: 'mocov1',
    description: 'MoCo v1 query encoder (ResNet-50; keys module.encoder_q.*)',
    architecture: 'resnet50',
    padding: 'zeros',
    keyPrefix: 'module.encoder_q.',
    normalization: IMAGENET,
    role: 'semantic',
  },
  {
    name: 'mocov2',
    description: 'MoCo v2 query encoder (ResNet-50; keys module.encoder_q.*)',
    architecture: 'resnet50',
    padding: 'zeros',
    keyPrefix: 'module.encoder_q.',
    normalization: IMAGENET,
    role: 'semantic',
  },
  {
    name: 'imagenet-r50',
    description: 'torchvision supervised ImageNet ResNet-50',
    architecture: 'resnet50',
    padding: 'zeros',
    keyPrefix: '',
    normalization: IMAGENET,
    role: 'semantic',
  },
  {
    name: 'crw',
    description: 'CRW / videowalk (ResNet-18, reflect padding; keys encoder.model.*)',
    architecture: 'resnet18',
    padding: 'reflect',
    keyPrefix: 'encoder.model.',
    normalization: CRW_NORMALIZATION,
    role: 'fine-grained',
  },
  {
    name: 'vfs-r18',
    description: 'VFS (ResNet-18, mmaction layout; keys backbone.*)',
    architecture: 'resnet18',
    padding: 'zeros',
    keyPrefix: 'backbone.',
    normalization: IMAGENET,
    role: 'fine-grained',
  },
  {
    name: 'vfs-r50',
    description: 'VFS (ResNet-50, mmaction layout; keys backbone.*)',
    architecture: 'resnet50',
    padding: 'zeros',
    keyPrefix: 'backbone.',
    normalization: IMAGENET,
    role: 'fine-grained',
  },
];

export function findPreset(name: string): CheckpointPreset | undefined {
  return CHECKPOINT_PRESETS.find((preset) => preset.name === name);
}

export function presetNames(): string[] {
  return CHECKPOINT_PRESETS.map((preset) => preset.name);
}
