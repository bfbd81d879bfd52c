/*
 * Input checks for ProjectStore. They throw StoreError('INVALID_INPUT') without a file; ProjectStore adds the
 * project file to the message when the error leaves it.
 */
import { StoreError } from './storeError.ts';
import type { JsonObject, Keypoint } from './types.ts';

export const maxNameLength = 200;

export function invalid(message: string): StoreError {
  return new StoreError('INVALID_INPUT', message);
}

/** Names of projects, clips, objects and models: trimmed, non-empty, at most 200 characters. */
export function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string') throw invalid(`${what} must be a string, got ${typeof value}`);
  const trimmed = value.trim();
  if (trimmed.length === 0) throw invalid(`${what} must not be empty`);
  if (trimmed.length > maxNameLength) throw invalid(`${what} is ${trimmed.length} characters long; the limit is ${maxNameLength}`);
  return trimmed;
}

export function checkText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(`${what} must be a non-empty string`);
  return value;
}

export function checkInteger(value: unknown, what: string, minimum: number, maximum = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum) {
    const range = maximum === Number.MAX_SAFE_INTEGER ? `>= ${minimum}` : `in ${minimum}..${maximum}`;
    throw invalid(`${what} must be an integer ${range}, got ${String(value)}`);
  }
  return value;
}

export function checkFrameIndex(value: unknown, frameCount: number, what = 'frameIndex'): number {
  return checkInteger(value, what, 0, frameCount - 1);
}

export function checkPositiveNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(`${what} must be a finite number > 0, got ${String(value)}`);
  }
  return value;
}

export function checkOptionalPositiveInteger(value: unknown, what: string): number | null {
  return value === undefined || value === null ? null : checkInteger(value, what, 1);
}

export function checkConfidence(value: unknown, what = 'confidence'): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw invalid(`${what} must be a number in 0..1 or null, got ${String(value)}`);
  }
  return value;
}

export function checkBoolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw invalid(`${what} must be true or false, got ${String(value)}`);
  return value;
}

export function checkEnum<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(`${what} must be one of ${allowed.map((item) => `'${item}'`).join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** A plain object that survives JSON; returns its JSON text. */
export function checkJsonObject(value: unknown, what: string): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${what} must be a plain object`);
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw invalid(`${what} cannot be stored as JSON: ${(error as Error).message}`);
  }
  return text;
}

export function checkSha256(value: unknown): string {
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{64}$/.test(value)) {
    throw invalid(`sha256 must be 64 hexadecimal digits, got ${JSON.stringify(value)}`);
  }
  return value.toLowerCase();
}

export function checkKeypoints(value: unknown): Keypoint[] {
  if (!Array.isArray(value)) throw invalid('keypoints must be an array');
  return value.map((item: unknown, index) => {
    const point = item as Partial<Keypoint> | null;
    if (typeof point !== 'object' || point === null) throw invalid(`keypoints[${index}] must be an object`);
    if (typeof point.x !== 'number' || !Number.isFinite(point.x) || typeof point.y !== 'number' || !Number.isFinite(point.y)) {
      throw invalid(`keypoints[${index}] needs finite x and y`);
    }
    if (point.visibility !== 0 && point.visibility !== 1 && point.visibility !== 2) {
      throw invalid(`keypoints[${index}].visibility must be 0, 1 or 2, got ${String(point.visibility)}`);
    }
    return { x: point.x, y: point.y, visibility: point.visibility };
  });
}

export function checkStringList(value: unknown, what: string, expectedLength: number): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.length === 0)) {
    throw invalid(`${what} must be an array of non-empty strings`);
  }
  if (value.length !== expectedLength) throw invalid(`${what} has ${value.length} entries but the clip has ${expectedLength} frames`);
  return value as string[];
}

/** Rejects patch keys the record does not have, so a typo across IPC fails loudly instead of doing nothing. */
export function checkPatchKeys(patch: object, allowed: readonly string[], what: string): void {
  if (typeof patch !== 'object' || patch === null) throw invalid(`${what} must be an object`);
  const unknown = Object.keys(patch).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw invalid(`${what} has unknown fields: ${unknown.join(', ')}`);
}

export function parseJsonObject(text: string): JsonObject {
  return JSON.parse(text) as JsonObject;
}
