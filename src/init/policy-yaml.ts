import { commentText, GROUP_TITLES, SCHEMA_URL, type StartingPolicy } from './starting-policy.js';

/** The starting policy as YAML, with each group and each tool's description as comments. */
export async function startingPolicyYaml(policy: StartingPolicy): Promise<string> {
  // Loaded only here: YAML output is the rarer case, and `yaml` is not needed to write JSON.
  const { Document, isMap, isScalar } = await import('yaml');
  const tools: Record<string, unknown> = {};
  for (const entry of policy.entries) tools[entry.key] = entry.group === 'read-only' ? 'allow' : entry.rule;
  const doc = new Document({
    $schema: SCHEMA_URL,
    version: '1',
    description: `Starting policy for ${policy.command}`,
    default: 'deny',
    tools,
  });
  doc.commentBefore = [`yaml-language-server: $schema=${SCHEMA_URL}`, '', ...policy.header.flatMap((line) => [...wrap(line, 96), ''])]
    .slice(0, -1)
    // An empty comment line keeps the header one block (a blank line would end it).
    .map((line) => ` ${line}`)
    .join('\n');

  const map = doc.get('tools', true);
  if (isMap(map)) {
    let previous: string | undefined;
    map.items.forEach((pair, i) => {
      const entry = policy.entries[i]!;
      if (!isScalar(pair.key)) return;
      const lines = [`${entry.name}: ${commentText(entry)}`];
      if (entry.group !== previous) {
        lines.unshift(`── ${GROUP_TITLES[entry.group](policy.rateLimit)} ──`);
        pair.key.spaceBefore = i > 0;
        previous = entry.group;
      }
      pair.key.commentBefore = lines.map((l) => ` ${l}`).join('\n');
    });
  }
  if (policy.entries.length === 0 && isMap(doc.contents)) {
    const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'tools');
    if (pair && isScalar(pair.key)) pair.key.commentBefore = ' The server listed no tools, so every call is refused.';
  }
  const text = doc.toString({ lineWidth: 0 });
  // The yaml library indents the blank line before a group; keep the file free of trailing blanks.
  return `${text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trimEnd()}\n`;
}

/** Splits text into lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
