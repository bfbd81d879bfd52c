import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { type CliCommand, kernelFlag, numberFlag, parseArgs, printResult, propagationSettings, requiredFlag, stringFlag, UsageError } from '../cliCommand.ts';
import { propagateClip } from '../propagateClip.ts';
import { DEFAULT_PROPAGATION_STREAM } from '../../core/models/shippedModels.ts';

const usage = `Usage:
  correspond propagate --frames DIR --labels FIRST.png --out DIR [--features FILE.npy] [--stream ${DEFAULT_PROPAGATION_STREAM}]
                       [--cache DIR] [--topk 10] [--context 20] [--radius 12] [--temperature 0.05] [--threads N]

Propagates the first frame's object mask through the clip exactly as the CRW/SFC label-propagation protocol
(SPEC §2): context = frame 0 + the n preceding frames, radius restriction, top-k, softmax with temperature.
  --frames       folder of frames (or a video file); frame 0 is the one --labels annotates. JPEG folders are
                 decoded like OpenCV/libjpeg (fancy chroma upsampling) so features match the reference's
  --labels       DAVIS indexed PNG of frame 0 (value = object id, void 255 kept as its own label)
  --out          output folder: one DAVIS palette PNG per frame, 00000.png, 00001.png, …
  --features     float32 .npy C×T×h×w of precomputed (L2-normalised) features; --frames is then optional
  --stream       feature stream when no --features is given: "default" (the semantic default: the embedded
                 MobileNetV2 hypercolumn fused with pixels at 0.5), "hypercolumn", "pixels" (the weight-free 48-d
                 extractor of SPEC §6), "fc" (the shipped fine-grained stream), a registered model's name, a
                 stride-8 .onnx model file, or a fusion such as "default+fc.onnx@1.75" (SFC late fusion, SPEC §2.3).
                 Default: ${DEFAULT_PROPAGATION_STREAM} (the app's default, SFC's semantic + fine-grained fusion)
  --cache        feature-cache folder: features are kept there as float16 per frame (keyed by frames, stream and
                 model hash), so running again with other settings skips the CNN
  --topk, --context, --radius (feature cells, strict <), --temperature   reference defaults 10, 20, 12, 0.05
  --threads      threads for the kernel (default: number of cores; 1 = single-threaded)
  --kernel       gemm (default: onnxruntime matrix multiplies + exact top-k) or js (screened JS kernel on worker
                 threads); both reproduce the reference bit for bit
Progress goes to stderr; the last stdout line is {"frames","ms","msPerFrame","out","stream","threads",...}.`;

export const command: CliCommand = {
  name: 'propagate',
  summary: 'Propagate a first-frame mask through a clip (CRW/SFC protocol); writes DAVIS PNGs',
  usage,
  async run(argv) {
    const args = parseArgs(argv);
    const labelsFile = requiredFlag(args, 'labels');
    const outDir = resolve(requiredFlag(args, 'out'));
    const featuresFile = stringFlag(args, 'features');
    const framesPath = stringFlag(args, 'frames');
    const streamName = stringFlag(args, 'stream', DEFAULT_PROPAGATION_STREAM)!;
    const cacheRoot = stringFlag(args, 'cache');
    if (!featuresFile && !framesPath) throw new UsageError('--frames is required unless --features is given');
    const settings = propagationSettings(args, 20);
    const threads = numberFlag(args, 'threads', availableParallelism());
    const result = await propagateClip({ labelsFile, outDir, featuresFile, framesPath, stream: streamName, cacheRoot, settings, threads, kernel: kernelFlag(args) });
    printResult(result);
    return 0;
  },
};
