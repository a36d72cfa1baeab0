import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Installed distributions, read from their metadata the way `importlib.metadata` finds them:
 * `*.dist-info/METADATA` and `*.egg-info` (a directory with `PKG-INFO`, or a single file) in each
 * site-packages directory, then in the directories its `.pth` files add to `sys.path` (editable
 * installs). No interpreter and no pip are needed, so this works in venvs made by `uv`.
 */
export interface InstalledPackage {
  /** The `Name:` field, spelt as the package spells it (what `pip list` prints). */
  name: string;
  /** The `Version:` field as written. */
  version: string;
  /** The metadata file it was read from. */
  metadata: string;
}

export interface PackageScan {
  packages: InstalledPackage[];
  /** Metadata that could not be read, one line each, for `--verbose`. */
  problems: string[];
}

/** PEP 503 normalisation: the key two spellings of one project name share. */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Reads `Name` and `Version` from an RFC 822-style metadata header block (METADATA, PKG-INFO). */
export function parseMetadataHeaders(text: string): { name?: string; version?: string } {
  const fields: { name?: string; version?: string } = {};
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    // The headers end at the first blank line; the long description follows.
    if (line.trim() === '') break;
    const match = /^(Name|Version):\s*(.*?)\s*$/i.exec(line);
    if (!match) continue;
    const key = match[1]!.toLowerCase() as 'name' | 'version';
    fields[key] ??= match[2];
  }
  return fields;
}

const METADATA_DIR = /\.(?:dist-info|egg-info)$/i;

async function metadataFileOf(entry: string): Promise<string | null> {
  if (/\.dist-info$/i.test(entry)) return path.join(entry, 'METADATA');
  const info = await stat(entry).catch(() => null);
  if (!info) return null;
  return info.isDirectory() ? path.join(entry, 'PKG-INFO') : entry;
}

/** The distributions directly inside one `sys.path` directory, dist-info before egg-info. */
async function scanDirectory(dir: string, problems: string[]): Promise<InstalledPackage[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const entries = names.filter((name) => METADATA_DIR.test(name)).sort((a, b) => {
    const rank = (name: string) => (/\.dist-info$/i.test(name) ? 0 : 1);
    return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
  });
  const found: InstalledPackage[] = [];
  for (const name of entries) {
    const metadata = await metadataFileOf(path.join(dir, name));
    if (!metadata) continue;
    let text: string;
    try {
      text = await readFile(metadata, 'utf8');
    } catch (error) {
      problems.push(`${metadata}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
      continue;
    }
    const fields = parseMetadataHeaders(text);
    if (!fields.name || !fields.version) {
      problems.push(`${metadata}: no ${fields.name ? 'Version' : 'Name'} field`);
      continue;
    }
    found.push({ name: fields.name, version: fields.version, metadata });
  }
  return found;
}

/** The directories a site-packages directory's `.pth` files append to `sys.path` (not `import` lines). */
async function pthDirectories(sitePackages: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(sitePackages);
  } catch {
    return [];
  }
  const dirs: string[] = [];
  // site.py reads .pth files in sorted order.
  for (const name of names.filter((n) => n.endsWith('.pth')).sort()) {
    let text: string;
    try {
      text = await readFile(path.join(sitePackages, name), 'utf8');
    } catch {
      continue;
    }
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || /^import[\s\t]/.test(line)) continue;
      const dir = path.resolve(sitePackages, line);
      if (await stat(dir).then((s) => s.isDirectory(), () => false)) dirs.push(dir);
    }
  }
  return dirs;
}

/**
 * Every distribution visible from the given site-packages directories, one per canonical name
 * (the first found wins, as on `sys.path`), sorted by canonical name as `pip list` sorts them.
 */
export async function scanInstalledPackages(sitePackages: string[]): Promise<PackageScan> {
  const problems: string[] = [];
  const searchPath = [...sitePackages];
  for (const dir of sitePackages) searchPath.push(...(await pthDirectories(dir)));
  const byName = new Map<string, InstalledPackage>();
  const scanned = new Set<string>();
  for (const dir of searchPath) {
    const key = path.resolve(dir);
    if (scanned.has(key)) continue;
    scanned.add(key);
    for (const found of await scanDirectory(dir, problems)) {
      const name = canonicalName(found.name);
      if (!byName.has(name)) byName.set(name, found);
    }
  }
  const packages = [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, found]) => found);
  return { packages, problems };
}
