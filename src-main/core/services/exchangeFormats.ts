import type { ExchangeFormatInfo } from '../api/contract.ts';

/**
 * What each format of `core/formats` holds, as the exporters and importers implement it (the object kinds are the
 * ones their `selectObjects` / object lists use), so the UI can disable a choice the engine would refuse.
 */
export const exchangeFormats: readonly ExchangeFormatInfo[] = [
  {
    format: 'davis',
    name: 'DAVIS 2017',
    description: 'Palette PNGs per frame (Annotations/480p/<sequence>), value = object id; the VOS benchmark layout.',
    exportKinds: ['mask'],
    importKinds: ['mask'],
    exportOptions: { includeFrames: true, framesDescription: 'JPEGImages/480p (JPEG)', allFrames: true, className: false },
    importSource: 'folder',
    anyPalette: true,
  },
  {
    format: 'jhmdb',
    name: 'JHMDB',
    description: 'joint_positions.mat (the 15 JHMDB joints only, pos_img/pos_world) and puppet_mask.mat part maps per video.',
    exportKinds: ['keypoints', 'part'],
    importKinds: ['keypoints', 'part'],
    exportOptions: { includeFrames: true, framesDescription: 'Rename_Images (PNG, from 00001)', allFrames: false, className: true },
    importSource: 'file-or-folder',
    anyPalette: false,
  },
  {
    format: 'vip',
    name: 'VIP (part parsing)',
    description: 'Grey class-id PNGs per frame (Category_ids/<video>): the 20 VIP human-part classes or the part set of the object.',
    exportKinds: ['part'],
    importKinds: ['part'],
    exportOptions: { includeFrames: true, framesDescription: 'Images/<video> (JPEG)', allFrames: true, className: false },
    importSource: 'folder',
    anyPalette: false,
  },
  {
    format: 'coco',
    name: 'COCO',
    description: 'One instances JSON: masks as RLE, keypoints as [x, y, v] triples named after the skeleton joints, with its bones.',
    exportKinds: ['mask', 'keypoints'],
    importKinds: ['mask', 'keypoints'],
    exportOptions: { includeFrames: true, framesDescription: 'images/ (JPEG)', allFrames: false, className: false },
    importSource: 'file-or-folder',
    anyPalette: false,
  },
  {
    format: 'cvat',
    name: 'CVAT for video 1.1',
    description: 'annotations.xml with a mask track per object, a points track per joint and each skeleton as a label.',
    exportKinds: ['mask', 'keypoints'],
    importKinds: ['mask', 'keypoints'],
    exportOptions: { includeFrames: false, allFrames: false, className: false },
    importSource: 'file-or-folder',
    anyPalette: false,
  },
  {
    format: 'ytvos',
    name: 'YouTube-VOS',
    description: 'Palette PNGs per frame (Annotations/<video>) plus meta.json with each object\'s category.',
    exportKinds: ['mask'],
    importKinds: ['mask'],
    exportOptions: { includeFrames: true, framesDescription: 'JPEGImages/<video> (JPEG)', allFrames: true, className: false },
    importSource: 'folder',
    anyPalette: true,
  },
];
