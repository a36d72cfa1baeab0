import { describe, expect, it } from 'vitest';
import { bodyDigest, canonicalJson, definitionDigest, definitionOf } from '../../../src/pins/definitions.js';

describe('definition digests', () => {
  it('write members in code-point order at every depth, arrays in their order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ é: 1, z: 2, Z: 3 })).toBe('{"Z":3,"z":2,"é":1}');
    expect(canonicalJson([1, [2, 3]])).not.toBe(canonicalJson([[2, 3], 1]));
  });

  it('are the same whatever order a server sends the members in', () => {
    const a = { name: 'read_file', description: 'Read', inputSchema: { type: 'object', properties: { path: { type: 'string' }, mode: { enum: ['r', 'rb'] } } } };
    const b = { inputSchema: { properties: { mode: { enum: ['r', 'rb'] }, path: { type: 'string' } }, type: 'object' }, description: 'Read', name: 'read_file' };
    expect(definitionDigest(definitionOf('tools', a)!)).toBe(definitionDigest(definitionOf('tools', b)!));
    expect(definitionDigest(definitionOf('tools', a)!)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('change with every pinned member, and with nothing else', () => {
    const base = { name: 't', title: 'T', description: 'd', inputSchema: { type: 'object' }, outputSchema: { type: 'object' }, annotations: { readOnlyHint: true } };
    const digest = definitionDigest(definitionOf('tools', base)!);
    for (const [key, value] of Object.entries({ name: 'u', title: 'U', description: 'e', inputSchema: { type: 'object', additionalProperties: true }, outputSchema: {}, annotations: { readOnlyHint: false } })) {
      expect(definitionDigest(definitionOf('tools', { ...base, [key]: value })!), key).not.toBe(digest);
    }
    // _meta, icons and execution change between listings without changing what the tool says.
    expect(definitionDigest(definitionOf('tools', { ...base, _meta: { x: 1 }, icons: [{ src: 'a.png' }], execution: { taskSupport: 'optional' } })!)).toBe(digest);
    expect(definitionDigest(definitionOf('prompts', { name: 'p', arguments: [{ name: 'a' }] })!)).not.toBe(definitionDigest(definitionOf('prompts', { name: 'p', arguments: [{ name: 'a', required: true }] })!));
    expect(definitionDigest(definitionOf('resourceTemplates', { name: 'f', uriTemplate: 'file:///{p}' })!)).not.toBe(definitionDigest(definitionOf('resourceTemplates', { name: 'f', uriTemplate: 'file:///{+p}' })!));
  });

  it('take only entries with a string name', () => {
    expect(definitionOf('tools', { description: 'no name' })).toBeUndefined();
    expect(definitionOf('tools', null)).toBeUndefined();
    expect(definitionOf('tools', ['read_file'])).toBeUndefined();
    expect(definitionOf('tools', { name: 'x', other: 1 })).toEqual({ name: 'x' });
  });

  it('see one body under two names: name and title aside', () => {
    const a = definitionOf('tools', { name: 'search', title: 'Search', description: 'Find text', inputSchema: { type: 'object' } })!;
    const b = definitionOf('tools', { name: 'find_text', title: 'Find text', inputSchema: { type: 'object' }, description: 'Find text' })!;
    expect(bodyDigest(a)).toBe(bodyDigest(b));
    expect(definitionDigest(a)).not.toBe(definitionDigest(b));
    expect(bodyDigest({ ...b, description: 'Find text.' })).not.toBe(bodyDigest(a));
  });
});
