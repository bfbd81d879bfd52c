// ExportWriter's guarantees about the user's files: overwrite replaces only an earlier export, a full disk never
// leaks a descriptor, and temporary folders of killed exports are cleaned (only ours, only stale).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { exportManifestName, partialOwnerName, removeStalePartials, stalePartialAgeMs } from './exportFolders.ts';
import { ExportWriter, FileSink } from './exportWriter.ts';

/** Makes writeSync fail like a full disk while `failWrites` is set; every other fs call is the real one. */
const disk = vi.hoisted(() => ({ failWrites: false }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const writeSync = (...args: Parameters<typeof real.writeSync>) => {
    if (disk.failWrites) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    return (real.writeSync as (...a: unknown[]) => number)(...args);
  };
  return { ...real, writeSync, default: { ...real, writeSync } };
});

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'correspond-export-writer-'));
let folderCount = 0;
const newParent = () => {
  const parent = path.join(scratch, `parent-${++folderCount}`);
  mkdirSync(parent);
  return parent;
};
const openDescriptors = () => readdirSync('/proc/self/fd').length;
const partials = (parent: string) => readdirSync(parent).filter((name) => name.includes('.partial-'));

function exportOnce(destination: string, files: Record<string, string>, options: { overwrite?: boolean } = {}): void {
  const writer = ExportWriter.start(destination, options);
  for (const [name, text] of Object.entries(files)) writer.writeFile(name.split('/'), text);
  writer.commit();
}

afterEach(() => {
  disk.failWrites = false;
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('overwrite replaces only what the app wrote', () => {
  it('refuses to replace a non-empty folder Correspond did not export, and keeps its files', () => {
    const destination = path.join(newParent(), 'thesis');
    mkdirSync(destination);
    writeFileSync(path.join(destination, 'chapter1.docx'), 'years of work');
    expect(() => exportOnce(destination, { 'a.json': '{}' }, { overwrite: true })).toThrow(/thesis: is not empty and is not a folder Correspond exported; nothing was replaced/);
    expect(readdirSync(destination)).toEqual(['chapter1.docx']);
    expect(partials(path.dirname(destination))).toEqual([]);
  });

  it('replaces an earlier export, which carries a manifest of what it wrote', () => {
    const destination = path.join(newParent(), 'out');
    exportOnce(destination, { 'annotations/a.json': 'old', 'b.txt': 'old' });
    const manifest = JSON.parse(readFileSync(path.join(destination, exportManifestName), 'utf8')) as { entries: string[] };
    expect(manifest.entries.sort()).toEqual(['annotations/', 'annotations/a.json', 'b.txt']);
    exportOnce(destination, { 'annotations/a.json': 'new' }, { overwrite: true });
    expect(readFileSync(path.join(destination, 'annotations/a.json'), 'utf8')).toBe('new');
    expect(existsSync(path.join(destination, 'b.txt'))).toBe(false);
    expect(partials(path.dirname(destination))).toEqual([]);
  });

  it('refuses to replace an earlier export to which the user added a file', () => {
    const destination = path.join(newParent(), 'out');
    exportOnce(destination, { 'annotations/a.json': 'old' });
    writeFileSync(path.join(destination, 'annotations', 'my-notes.txt'), 'mine');
    expect(() => exportOnce(destination, { 'annotations/a.json': 'new' }, { overwrite: true })).toThrow(/holds files Correspond did not export \(annotations\/my-notes\.txt\)/);
    expect(readFileSync(path.join(destination, 'annotations/a.json'), 'utf8')).toBe('old');
    expect(readFileSync(path.join(destination, 'annotations/my-notes.txt'), 'utf8')).toBe('mine');
  });

  it('checks again at the end: a file added during the export is not deleted', () => {
    const destination = path.join(newParent(), 'out');
    exportOnce(destination, { 'a.json': 'old' });
    const writer = ExportWriter.start(destination, { overwrite: true });
    writer.writeFile(['a.json'], 'new');
    writeFileSync(path.join(destination, 'added-meanwhile.txt'), 'mine');
    expect(() => writer.commit()).toThrow(/added-meanwhile\.txt/);
    expect(readdirSync(destination).sort()).toEqual([exportManifestName, 'a.json', 'added-meanwhile.txt']);
    expect(partials(path.dirname(destination))).toEqual([]);
  });
});

describe('a full disk', () => {
  it('closes the descriptor when close() fails to flush (ENOSPC), and reports the error', () => {
    const parent = newParent();
    const before = openDescriptors();
    const sink = new FileSink(path.join(parent, 'big.json'));
    sink.write('{"frames": [');
    expect(openDescriptors()).toBe(before + 1);
    disk.failWrites = true;
    expect(() => sink.close()).toThrow(/ENOSPC/);
    expect(openDescriptors()).toBe(before);
    expect(() => sink.close()).not.toThrow();
  });

  it('leaves no descriptor and no temporary folder when an export hits ENOSPC', () => {
    const parent = newParent();
    const before = openDescriptors();
    const writer = ExportWriter.start(path.join(parent, 'out'));
    const sink = writer.openFile(['annotations.xml']);
    sink.write('<annotations>');
    disk.failWrites = true;
    expect(() => writer.commit()).toThrow(/ENOSPC/);
    writer.abort();
    disk.failWrites = false;
    expect(openDescriptors()).toBe(before);
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('temporary folders of killed exports', () => {
  /** Starts an export in a separate process, waits until it has written a file, and kills it with SIGKILL. */
  async function killedExport(destination: string): Promise<void> {
    const script = path.join(scratch, `killed-${++folderCount}.ts`);
    writeFileSync(
      script,
      `import { ExportWriter } from ${JSON.stringify(path.join(repoRoot, 'src-main/core/formats/exportWriter.ts'))};
       const writer = ExportWriter.start(${JSON.stringify(destination)});
       writer.writeFile(['half.json'], '{');
       process.stdout.write('written\\n');
       setInterval(() => {}, 1000);`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (data: Buffer) => data.toString().includes('written') && resolve());
      child.once('exit', (code) => reject(new Error(`the exporting process ended early (${code})`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  it('removes the folder a killed export left when the next export starts beside it', async () => {
    const parent = newParent();
    await killedExport(path.join(parent, 'out'));
    expect(partials(parent)).toHaveLength(1);
    exportOnce(path.join(parent, 'other'), { 'a.json': '{}' });
    expect(partials(parent)).toEqual([]);
    expect(readdirSync(parent)).toEqual(['other']);
  }, 60_000);

  it('keeps the folder of an export that is still running', () => {
    const parent = newParent();
    const running = ExportWriter.start(path.join(parent, 'out'));
    running.writeFile(['a.json'], '{}');
    exportOnce(path.join(parent, 'other'), { 'b.json': '{}' });
    expect(partials(parent)).toHaveLength(1);
    running.commit();
    expect(readdirSync(parent).sort()).toEqual(['other', 'out']);
  });

  it('never removes a look-alike folder without our owner file, however old', () => {
    const parent = newParent();
    const lookAlike = path.join(parent, '.photos.partial-0123abcd');
    mkdirSync(lookAlike);
    writeFileSync(path.join(lookAlike, 'holiday.jpg'), 'jpeg');
    expect(removeStalePartials(parent, Date.now() + 10 * stalePartialAgeMs)).toEqual([]);
    expect(existsSync(path.join(lookAlike, 'holiday.jpg'))).toBe(true);
  });

  it('removes a day-old folder of ours even when its pid is alive again (pids are reused)', () => {
    const parent = newParent();
    const running = ExportWriter.start(path.join(parent, 'out'));
    expect(removeStalePartials(parent, Date.now() + stalePartialAgeMs + 1000)).toEqual([path.basename(running.temporaryFolder)]);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('puts back an earlier export that a killed overwrite had moved aside, instead of deleting it', () => {
    const parent = newParent();
    exportOnce(path.join(parent, 'out'), { 'a.json': 'kept' });
    const aside = path.join(parent, '.out.partial-89abcdef-previous');
    fs.renameSync(path.join(parent, 'out'), aside);
    writeFileSync(path.join(aside, partialOwnerName), JSON.stringify({ writtenBy: 'correspond', pid: 1, host: 'elsewhere', startedAt: 0 }));
    expect(removeStalePartials(parent)).toEqual(['.out.partial-89abcdef-previous']);
    expect(readdirSync(parent)).toEqual(['out']);
    expect(readFileSync(path.join(parent, 'out', 'a.json'), 'utf8')).toBe('kept');
    expect(existsSync(path.join(parent, 'out', partialOwnerName))).toBe(false);
  });
});
