import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliCommand, kernelFlag, numberFlag, parseArgs, printResult, propagationSettings, requiredFlag, stringFlag } from '../cliCommand.ts';
import { EngineError } from '../../core/engine/engineError.ts';
import { decodeKeypoints, encodeKeypoints, type Keypoint } from '../../core/engine/keypointEncoding.ts';
import { createKernelRunner, type KernelKind } from '../../core/engine/kernelRunners.ts';
import type { PropagationSettings } from '../../core/engine/propagationKernel.ts';
import { DEFAULT_PROPAGATION_STREAM } from '../../core/models/shippedModels.ts';
import { readMatFile } from '../../core/formats/matFile.ts';
import { openClipPipeline, openStandaloneStream, propagateForward } from '../../core/pipeline/clipPipeline.ts';
import { probeSource } from '../../core/video/index.ts';

const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const usage = `Usage:
  correspond propagate-pose --frames DIR --mat joint_positions.mat --out FILE.json
                            [--stream ${DEFAULT_PROPAGATION_STREAM}] [--size 320] [--topk 10] [--context 7] [--radius 12]
                            [--temperature 0.05] [--threads N] [--kernel gemm|js]

Propagates the joints of frame 0 through the clip with the CRW protocol (SPEC §3); any joint count (15 for
JHMDB, 17 for COCO, an animal's own skeleton: K comes from the input). Frames resized to size×size (bilinear, aspect not kept), Gaussian label maps (sigma 0.5) at stride 8 plus a background channel,
top-3 weighted decoding.
  --stream   features (default ${DEFAULT_PROPAGATION_STREAM}, the app's): "default" (the semantic default), "pixels"
             (the weight-free extractor, the reference's float path), "fc", a stride-8 .onnx file or a fusion
             "a+b@λ" (see \`correspond propagate --help\`)
  --frames   folder of the clip's frames (Rename_Images/<class>/<video>, 00001.png …) or a video file
  --mat      joint_positions.mat with pos_img (2×K×T for K joints, 1-based pixels); only frame 0's joints are used
  --out      JSON written as {"videos": {"<class>/<video>": {"width", "height", "keypoints": T×K×[x, y]}}}:
             0-based pixels of the original frame, x < 0 when a joint is lost — the input of \`eval jhmdb\`
Last stdout line: {"frames","ms","msPerFrame","out","video"}.`;

/** Frame-0 joints from pos_img (2×K×T column-major: x at [0, j, t], y at [1, j, t]), made 0-based; K is the file's. */
function firstFrameJoints(matFile: string): Keypoint[] {
  const positions = readMatFile(matFile).get('pos_img');
  if (!positions) throw new EngineError('BAD_LABELS', 'no pos_img variable', matFile);
  const [rows, joints] = positions.dims;
  if (rows !== 2 || !joints || joints < 1 || positions.dims.length > 3) {
    throw new EngineError('BAD_LABELS', `pos_img is ${positions.dims.join('×')}, expected 2×K×T (x/y × joints × frames)`, matFile);
  }
  return Array.from({ length: joints }, (_, j) => ({ x: positions.data[2 * j] - 1, y: positions.data[2 * j + 1] - 1 }));
}

export const command: CliCommand = {
  name: 'propagate-pose',
  summary: 'Propagate keypoints (any skeleton) from frame 0 (CRW protocol, 320×320 input, 40×40 maps)',
  usage,
  async run(argv) {
    const args = parseArgs(argv);
    const framesPath = resolve(requiredFlag(args, 'frames'));
    const matFile = requiredFlag(args, 'mat');
    const outFile = resolve(requiredFlag(args, 'out'));
    const size = numberFlag(args, 'size', 320);
    const settings = propagationSettings(args, 7);
    const threads = numberFlag(args, 'threads', availableParallelism());
    const { info, keypoints, ms, description } = await propagatePoseClip({ framesPath, matFile, size, settings, threads, kernel: kernelFlag(args), stream: stringFlag(args, 'stream', DEFAULT_PROPAGATION_STREAM)! });
    const video = `${basename(dirname(framesPath))}/${basename(framesPath)}`;
    writeFileSync(outFile, `${JSON.stringify({ videos: { [video]: { width: info.width, height: info.height, keypoints } } })}\n`);
    printResult({ frames: info.frameCount, ms: Math.round(ms), msPerFrame: Math.round(ms / info.frameCount), out: outFile, video, stream: description });
    return 0;
  },
};

export interface PosePropagationOptions {
  framesPath: string;
  matFile: string;
  size: number;
  settings: PropagationSettings;
  threads: number;
  kernel?: KernelKind;
  /** Stream spec (featureStreams.ts); "pixels" runs the reference's float path exactly. */
  stream: string;
  verbose?: boolean;
}

/** One JHMDB clip: frame 0's joints propagated through every frame (SPEC §3.2–3.3); keypoints in frame pixels. */
export async function propagatePoseClip(options: PosePropagationOptions) {
  const { framesPath, matFile, size, settings } = options;
  const joints = firstFrameJoints(matFile);
  const info = await probeSource(framesPath);
  const geometry = { frameWidth: info.width, frameHeight: info.height, inputWidth: size, inputHeight: size, stride: 8 };
  const opened = await openStandaloneStream(options.stream, { threads: options.threads, appRoot, allowModelFiles: true });
  const pipeline = openClipPipeline({ frames: info, stream: opened.stream, input: { kind: 'resized', size } });
  const runner = createKernelRunner({ threads: options.threads, kind: options.kernel });
  const keypoints: number[][][] = [];
  const start = performance.now();
  try {
    const maps = encodeKeypoints(joints, geometry);
    await propagateForward(pipeline, {
      from: 0,
      to: info.frameCount - 1,
      labels: maps,
      settings,
      runner,
      onFrame: (_frameIndex, result) => {
        // eval_pck: x_pixels = x_cells / mapWidth · W (no +0.5), -1 stays negative.
        keypoints.push(decodeKeypoints(result.labels).map((p) => [(p.x / maps.width) * info.width, (p.y / maps.height) * info.height]));
      },
      onProgress: ({ done, total }) => options.verbose !== false && process.stderr.write(`frame ${done}/${total}\n`),
    });
  } finally {
    pipeline.close();
    await opened.release();
  }
  return { info, keypoints, ms: performance.now() - start, description: opened.stream.description };
}
