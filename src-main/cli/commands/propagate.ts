import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { type CliCommand, numberFlag, parseArgs, printResult, requiredFlag, stringFlag, UsageError } from '../cliCommand.ts';
import { readClipFeaturesNpy } from '../../core/engine/clipFeatures.ts';
import type { FeatureMap } from '../../core/engine/featureMap.ts';
import { decodePrediction, encodeLabelMap } from '../../core/engine/labelEncoding.ts';
import { decodeImageLikeOpenCv } from '../../core/engine/jpegFrames.ts';
import { createPixelsStream } from '../../core/engine/pixelsStream.ts';
import { PropagationSession } from '../../core/engine/propagationSession.ts';
import { WorkerKernelRunner } from '../../core/engine/workerKernelRunner.ts';
import { readIndexedPng, writeIndexedPng } from '../../core/formats/png.ts';
import { FrameSource, probeSource } from '../../core/video/index.ts';

const usage = `Usage:
  correspond propagate --frames DIR --labels FIRST.png --out DIR [--features FILE.npy] [--stream pixels]
                       [--topk 10] [--context 20] [--radius 12] [--temperature 0.05] [--threads N]

Propagates the first frame's object mask through the clip exactly as the CRW/SFC label-propagation protocol
(SPEC §2): context = frame 0 + the n preceding frames, radius restriction, top-k, softmax with temperature.
  --frames       folder of frames (or a video file); frame 0 is the one --labels annotates. JPEG folders are
                 decoded like OpenCV/libjpeg (fancy chroma upsampling) so features match the reference's
  --labels       DAVIS indexed PNG of frame 0 (value = object id, void 255 kept as its own label)
  --out          output folder: one DAVIS palette PNG per frame, 00000.png, 00001.png, …
  --features     float32 .npy C×T×h×w of precomputed (L2-normalised) features; --frames is then optional
  --stream       feature stream when no --features is given. Only "pixels" (the weight-free 48-d extractor of
                 SPEC §6) exists for now; ONNX model streams will be added later.
  --topk, --context, --radius (feature cells, strict <), --temperature   reference defaults 10, 20, 12, 0.05
  --threads      worker threads for the kernel (default: number of cores; 1 = single-threaded)
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
    const streamName = stringFlag(args, 'stream', 'pixels')!;
    if (!featuresFile && !framesPath) throw new UsageError('--frames is required unless --features is given');
    if (!featuresFile && streamName !== 'pixels') throw new UsageError(`unknown --stream "${streamName}": only "pixels" is available`);
    const settings = {
      topK: numberFlag(args, 'topk', 10),
      contextFrames: numberFlag(args, 'context', 20),
      radiusCells: numberFlag(args, 'radius', 12),
      temperature: numberFlag(args, 'temperature', 0.05),
    };
    const threads = numberFlag(args, 'threads', availableParallelism());
    const first = readIndexedPng(labelsFile);
    const { labelSet, labels } = encodeLabelMap(first);

    let frameCount: number;
    let features: (frameIndex: number) => FeatureMap | Promise<FeatureMap>;
    let source: FrameSource | undefined;
    if (featuresFile) {
      const clip = readClipFeaturesNpy(featuresFile);
      if (clip.height !== labels.height || clip.width !== labels.width) {
        throw new UsageError(`features are ${clip.width}×${clip.height} cells but ${labelsFile} needs ${labels.width}×${labels.height}`);
      }
      frameCount = clip.frameCount;
      features = (t) => clip.frame(t);
    } else {
      const info = await probeSource(framesPath!);
      if (info.width !== first.width || info.height !== first.height) {
        throw new UsageError(`frames are ${info.width}×${info.height} but ${labelsFile} is ${first.width}×${first.height}`);
      }
      const stream = createPixelsStream();
      frameCount = info.frameCount;
      const files = info.files;
      if (info.kind === 'images' && files && files.every((file) => /\.jpe?g$/i.test(file))) {
        // JPEG folders: decode like the reference's OpenCV/libjpeg (SPEC §5.7), not through swscale.
        features = async (t) => stream.extract(await decodeImageLikeOpenCv(files[t]));
      } else {
        source = new FrameSource(info);
        features = async (t) => stream.extract(await source!.getFrame(t));
      }
    }

    mkdirSync(outDir, { recursive: true });
    const runner = new WorkerKernelRunner({ threads });
    const session = new PropagationSession({ frameCount, features, settings, runner });
    const start = performance.now();
    try {
      session.setKeyframe(0, labels);
      await session.propagate({
        from: 0,
        to: frameCount - 1,
        direction: 'forward',
        onFrame: (frameIndex, result) => {
          const indices = decodePrediction(result.labels, labelSet, first.width, first.height);
          writeIndexedPng(join(outDir, `${String(frameIndex).padStart(5, '0')}.png`), { width: first.width, height: first.height, indices });
        },
        onProgress: ({ done, total }) => {
          process.stderr.write(`frame ${done}/${total}  ${((performance.now() - start) / done).toFixed(0)} ms/frame\n`);
        },
      });
    } finally {
      await session.close();
      source?.close();
    }
    const ms = performance.now() - start;
    printResult({
      frames: frameCount,
      ms: Math.round(ms),
      msPerFrame: Math.round(ms / frameCount),
      out: outDir,
      stream: featuresFile ? 'npy' : streamName,
      threads: runner.threads,
      settings,
      labelIds: labelSet.ids,
    });
    return 0;
  },
};
