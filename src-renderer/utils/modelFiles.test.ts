import { describe, expect, it } from 'vitest';
import { defaultModelName, fileNameOf, isCheckpointFile, isModelFile, isOnnxFile } from './modelFiles.ts';

describe('model files', () => {
  it('recognises checkpoints and ONNX models by their extension, in any case', () => {
    expect(isCheckpointFile('/m/sfc_fc.pth')).toBe(true);
    expect(isCheckpointFile('/m/crw.PT')).toBe(true);
    expect(isCheckpointFile('/m/moco_v2_800ep.pth.tar')).toBe(true);
    expect(isOnnxFile('/m/fc.onnx')).toBe(true);
    expect(isModelFile('/m/notes.txt')).toBe(false);
    expect(isModelFile('/m/archive.tar')).toBe(false);
  });

  it('names the file of a path on either kind of separator', () => {
    expect(fileNameOf('/a/b/c.onnx')).toBe('c.onnx');
    expect(fileNameOf('C:\\models\\c.pth')).toBe('c.pth');
  });

  it('predicts the engine\'s default name from the preset and the file', () => {
    expect(defaultModelName('/m/moco_v2_800ep.pth.tar', 'mocov2')).toBe('mocov2-moco_v2_800ep');
    expect(defaultModelName('/m/fc.onnx', undefined)).toBe('onnx-fc');
    expect(defaultModelName('', undefined)).toBe('');
  });
});
