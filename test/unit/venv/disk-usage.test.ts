import { link, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { measureDiskUsage } from '../../../src/venv/disk-usage.js';
import { makeTempDir, removeTempDir } from '../../fixtures/venv/helpers.js';

let work: string;
beforeAll(async () => {
  work = await makeTempDir();
});
afterAll(async () => {
  await removeTempDir(work);
});

const du = async (dir: string) => Number((await execa('du', ['-s', '-B1', dir])).stdout.split(/\s/)[0]);

describe('measureDiskUsage', () => {
  it('counts what du counts, and does not follow a symlink to a big file outside', async () => {
    const outside = path.join(work, 'big');
    await writeFile(outside, Buffer.alloc(1 << 20, 1));
    const tree = path.join(work, 'tree');
    await mkdir(path.join(tree, 'a', 'b'), { recursive: true });
    await writeFile(path.join(tree, 'a', 'one'), Buffer.alloc(10_000, 1));
    await writeFile(path.join(tree, 'a', 'b', 'two'), Buffer.alloc(70_000, 2));
    await symlink(outside, path.join(tree, 'link-to-big'));
    const usage = await measureDiskUsage(tree);
    expect(usage.bytes).toBe(await du(tree));
    expect(usage.bytes).toBeLessThan(1 << 20);
    expect(usage.entries).toBe(6);
    expect(usage.sharedBytes).toBe(0);
  });

  it('counts a hard-linked file once, and as shared when a link lives outside the tree', async () => {
    const tree = path.join(work, 'links');
    await mkdir(tree);
    await writeFile(path.join(tree, 'inside'), Buffer.alloc(64_000, 3));
    await link(path.join(tree, 'inside'), path.join(tree, 'inside-again'));
    await writeFile(path.join(work, 'cache-file'), Buffer.alloc(128_000, 4));
    await link(path.join(work, 'cache-file'), path.join(tree, 'from-cache'));
    const usage = await measureDiskUsage(tree);
    expect(usage.bytes).toBe(await du(tree));
    const cacheUsage = await measureDiskUsage(path.join(work, 'cache-file'));
    expect(usage.sharedBytes).toBe(cacheUsage.bytes);
  });
});
