import { fileNameOf, hasExtension } from './filePaths.ts';

/** Which files the model import dialog offers: PyTorch checkpoints and ONNX models. */
const checkpointExtensions = ['.pth', '.pt', '.pth.tar'] as const;
const onnxExtensions = ['.onnx'] as const;
export const modelFileExtensions: readonly string[] = [...checkpointExtensions, ...onnxExtensions];

export function isOnnxFile(path: string): boolean {
  return hasExtension(path, onnxExtensions);
}

export function isCheckpointFile(path: string): boolean {
  return hasExtension(path, checkpointExtensions);
}

/**
 * The name the engine gives an import when none is typed, `<preset or "onnx">-<file name without extension>`
 * (shown as the name field's placeholder).
 */
export function defaultModelName(path: string, preset: string | undefined): string {
  const stem = fileNameOf(path).replace(/(\.pth)?\.tar$|\.[^.]+$/i, '');
  return stem ? `${preset ?? 'onnx'}-${stem}` : '';
}
