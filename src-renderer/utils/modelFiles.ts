/** Which files the model import dialog offers: PyTorch checkpoints and ONNX models. */
const checkpointPattern = /\.(pth|pt|pth\.tar)$/i;
const onnxPattern = /\.onnx$/i;

export function isOnnxFile(path: string): boolean {
  return onnxPattern.test(path.trim());
}

export function isCheckpointFile(path: string): boolean {
  return checkpointPattern.test(path.trim());
}

export function isModelFile(path: string): boolean {
  return isOnnxFile(path) || isCheckpointFile(path);
}

export function fileNameOf(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? '';
}

/**
 * The name the engine gives an import when none is typed, `<preset or "onnx">-<file name without extension>`
 * (shown as the name field's placeholder).
 */
export function defaultModelName(path: string, preset: string | undefined): string {
  const stem = fileNameOf(path).replace(/(\.pth)?\.tar$|\.[^.]+$/i, '');
  return stem ? `${preset ?? 'onnx'}-${stem}` : '';
}
