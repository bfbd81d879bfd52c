import { describe, expect, it } from 'vitest';
import { hasExtension } from './filePaths.ts';
import { defaultModelName, isCheckpointFile, isOnnxFile, modelFileExtensions } from './modelFiles.ts';

describe('model files', () => {
  it('recognises checkpoints and ONNX models by their extension, in any case', () => {
    expect(isCheckpointFile('/m/sfc_fc.pth')).toBe(true);
    expect(isCheckpointFile('/m/crw.PT')).toBe(true);
    expect(isCheckpointFile('/m/moco_v2_800ep.pth.tar')).toBe(true);
    expect(isOnnxFile('/m/fc.onnx')).toBe(true);
    expect(hasExtension('/m/notes.txt', modelFileExtensions)).toBe(false);
    expect(hasExtension('/m/archive.tar', modelFileExtensions)).toBe(false);
  });

  it('predicts the engine\'s default name from the preset and the file', () => {
    expect(defaultModelName('/m/moco_v2_800ep.pth.tar', 'mocov2')).toBe('mocov2-moco_v2_800ep');
    expect(defaultModelName('/m/fc.onnx', undefined)).toBe('onnx-fc');
    expect(defaultModelName('', undefined)).toBe('');
  });
});
