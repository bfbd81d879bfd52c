// Video import and frame decoding (issue 2, item 3): everything other layers may use from core/video.
export { DEFAULT_CACHE_BYTES, DEFAULT_CHUNK_FRAMES, FrameSource, type FrameSourceOptions } from './frameSource.ts';
export { ffmpegInfo, type FfmpegInfo } from './ffmpegInfo.ts';
export {
  generateThumbnails,
  thumbnailFrameIndices,
  type Thumbnail,
  type ThumbnailOptions,
} from './generateThumbnails.ts';
export { readImageSize, type ImageSize } from './imageSize.ts';
export { LruCache } from './lruCache.ts';
export { DEFAULT_IMAGE_FPS, IMAGE_EXTENSIONS, keepReadableFrames, probeSource, type ProbeOptions } from './probeSource.ts';
export { sourceInfoOf, type IndexedRgbFrame, type RgbFrame, type SourceInfo, type StoredClipSource, type VideoProgress } from './sourceInfo.ts';
export { VideoError, type VideoErrorCode } from './videoError.ts';
