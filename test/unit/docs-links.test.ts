import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README is a first screen and an index; the reference is in docs/. Every relative link in
 * README.md and docs/ must lead to a file that exists, and an anchor to a heading in it.
 */
const ROOT = resolve(import.meta.dirname, '../..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? markdownFiles(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : []));
}

/** The text outside fenced code blocks, where links are links. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```$/gm, '');
}

/** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces as dashes, repeats numbered. */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const match of prose(text).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const slug = match[1]!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

// docs/readme/ holds the README's sections, whose links are relative to README.md: checked there.
const FILES = [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs')).filter((f) => !f.startsWith(join(ROOT, 'docs', 'readme')))];
const links = FILES.flatMap((file) =>
  [...prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z][a-z+.-]*:/i.test(target))
    .map((target) => ({ from: relative(ROOT, file), target })),
);

describe('links in README.md and docs/', () => {
  it('finds the links (the README links every docs page)', () => {
    const fromReadme = new Set(links.filter((l) => l.from === 'README.md').map((l) => l.target.split('#')[0]));
    const pages = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));
    expect(pages.length).toBeGreaterThanOrEqual(10);
    for (const page of pages) expect(fromReadme, page).toContain(`docs/${page}`);
  });

  it.each(links.map((l) => [`${l.from} → ${l.target}`, l] as const))('%s resolves', (_name, { from, target }) => {
    const [path, anchor] = target.split('#') as [string, string | undefined];
    const file = path === '' ? join(ROOT, from) : resolve(dirname(join(ROOT, from)), decodeURIComponent(path));
    expect(existsSync(file), `${file} exists`).toBe(true);
    if (anchor !== undefined && statSync(file).isFile() && file.endsWith('.md')) {
      expect([...anchorsOf(readFileSync(file, 'utf8'))], `#${anchor} in ${relative(ROOT, file)}`).toContain(anchor);
    }
  });
});
