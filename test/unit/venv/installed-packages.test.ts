import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalName, parseMetadataHeaders, scanInstalledPackages } from '../../../src/venv/installed-packages.js';
import { makeTempDir, removeTempDir, writeFakePackage } from '../../fixtures/venv/helpers.js';

let work: string;
beforeAll(async () => {
  work = await makeTempDir();
});
afterAll(async () => {
  await removeTempDir(work);
});

const names = (scan: { packages: Array<{ name: string; version: string }> }) => scan.packages.map((p) => `${p.name}==${p.version}`);

describe('parseMetadataHeaders', () => {
  it('reads Name and Version from the header block only', () => {
    const text = 'Metadata-Version: 2.1\r\nname: Foo-Bar\r\nVersion:  1.0.0rc1  \r\nSummary: x\r\n\r\nName: from-the-description\r\n';
    expect(parseMetadataHeaders(text)).toEqual({ name: 'Foo-Bar', version: '1.0.0rc1' });
  });

  it('keeps the first of a repeated field and reports missing ones as absent', () => {
    expect(parseMetadataHeaders('Name: a\nName: b\n')).toEqual({ name: 'a' });
    expect(parseMetadataHeaders('\uFEFFVersion: 2\n')).toEqual({ version: '2' });
  });
});

describe('canonicalName', () => {
  it.each([
    ['Tiny.C', 'tiny-c'],
    ['zope.interface', 'zope-interface'],
    ['Foo__Bar--baz', 'foo-bar-baz'],
  ])('%s → %s', (name, canonical) => {
    expect(canonicalName(name)).toBe(canonical);
  });
});

describe('scanInstalledPackages', () => {
  it('reads dist-info, egg-info directories and egg-info files, sorted by canonical name', async () => {
    const sp = path.join(work, 'kinds');
    await mkdir(sp);
    await writeFakePackage(sp, { name: 'zeta', version: '3' });
    await writeFakePackage(sp, { name: 'Alpha', version: '1', kind: 'egg-info-dir' });
    await writeFakePackage(sp, { name: 'beta', version: '2', kind: 'egg-info-file' });
    await mkdir(path.join(sp, 'beta'));
    await writeFile(path.join(sp, 'README.txt'), '');
    const scan = await scanInstalledPackages([sp]);
    expect(names(scan)).toEqual(['Alpha==1', 'beta==2', 'zeta==3']);
    expect(scan.problems).toEqual([]);
  });

  it('lists one entry per project, the first found winning, dist-info before egg-info', async () => {
    const sp = path.join(work, 'dupes');
    await mkdir(sp);
    await writeFakePackage(sp, { name: 'dup', version: '1.0', kind: 'egg-info-dir' });
    await writeFakePackage(sp, { name: 'Dup', version: '2.0' });
    const later = path.join(work, 'dupes-later');
    await mkdir(later);
    await writeFakePackage(later, { name: 'dup', version: '9.9' });
    expect(names(await scanInstalledPackages([sp, later]))).toEqual(['Dup==2.0']);
  });

  it('follows .pth files to editable projects, skipping import lines and comments', async () => {
    const sp = path.join(work, 'pth');
    const project = path.join(work, 'project-src');
    await mkdir(sp);
    await mkdir(project);
    await writeFakePackage(project, { name: 'editable-thing', version: '0.0.1', kind: 'egg-info-dir' });
    await writeFile(path.join(sp, '__editable__.editable_thing-0.0.1.pth'), `${project}\n`);
    await writeFile(path.join(sp, 'distutils-precedence.pth'), "import os; var = 'x'\n# a comment\n\n../does-not-exist\n");
    expect(names(await scanInstalledPackages([sp]))).toEqual(['editable-thing==0.0.1']);
  });

  it('skips metadata without a name or version, and says so', async () => {
    const sp = path.join(work, 'broken');
    await mkdir(path.join(sp, 'nameless-1.0.dist-info'), { recursive: true });
    await writeFile(path.join(sp, 'nameless-1.0.dist-info', 'METADATA'), 'Version: 1.0\n');
    await mkdir(path.join(sp, 'empty-1.0.dist-info'));
    await writeFakePackage(sp, { name: 'fine', version: '1' });
    const scan = await scanInstalledPackages([sp]);
    expect(names(scan)).toEqual(['fine==1']);
    expect(scan.problems).toHaveLength(2);
    expect(scan.problems.join('\n')).toMatch(/nameless-1\.0\.dist-info.*no Name field/);
    expect(scan.problems.join('\n')).toMatch(/empty-1\.0\.dist-info.*ENOENT/);
  });

  it('finds nothing in a directory that does not exist', async () => {
    expect(await scanInstalledPackages([path.join(work, 'nope')])).toEqual({ packages: [], problems: [] });
  });
});
