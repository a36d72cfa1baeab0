/**
 * JSON as people write policies: 2-space indent, and an object or list that fits on one line
 * (at most `width` columns, indent included) written on one line, `{ "a": 1 }` / `["x", "y"]`.
 * The result parses back to exactly the same value.
 */
export function policyJson(value: unknown, width = 100): string {
  return `${render(value, '', width)}\n`;
}

function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`);
    return members.length === 0 ? '{}' : `{ ${members.join(', ')} }`;
  }
  return JSON.stringify(value);
}

/** `used`: the columns already taken on the line where the value starts. */
function render(value: unknown, indent: string, width: number, used = indent.length): string {
  const flat = inline(value);
  if (value === null || typeof value !== 'object' || used + flat.length <= width) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + render(v, inner, width)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${render(v, inner, width, inner.length + JSON.stringify(k).length + 2)}`).join(',\n')}\n${indent}}`;
}
