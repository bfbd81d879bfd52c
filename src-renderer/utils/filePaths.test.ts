import { describe, expect, it } from 'vitest';
import { fileNameOf, hasExtension, parentFolderOf } from './filePaths.ts';

describe('file paths', () => {
  it('names the file of a path on either kind of separator', () => {
    expect(fileNameOf('/a/b/c.onnx')).toBe('c.onnx');
    expect(fileNameOf('C:\\models\\c.pth')).toBe('c.pth');
    expect(fileNameOf('/a/folder/')).toBe('folder');
  });

  it('matches extensions in any case, including double ones, and ignores surrounding spaces', () => {
    expect(hasExtension('/m/CRW.PT', ['.pt'])).toBe(true);
    expect(hasExtension(' /m/moco.pth.tar ', ['.pth.tar'])).toBe(true);
    expect(hasExtension('/m/archive.tar', ['.pth.tar'])).toBe(false);
    expect(hasExtension('/m/notes.txt', [])).toBe(false);
  });

  it('finds the folder holding a file on either kind of separator', () => {
    expect(parentFolderOf('/clips/bear.mp4')).toBe('/clips');
    expect(parentFolderOf('/bear.mp4')).toBe('/');
    expect(parentFolderOf(' /clips/frames/ ')).toBe('/clips');
    expect(parentFolderOf('C:\\clips\\bear.mp4')).toBe('C:\\clips');
    expect(parentFolderOf('C:\\bear.mp4')).toBe('C:\\');
  });
});
