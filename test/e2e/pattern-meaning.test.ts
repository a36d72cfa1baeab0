import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { attack, type Attack, breaches, freshDir, guardServer, type GuardedServer, receivedCalls } from './support/attacks.js';
import { ECHO_SERVER } from './support/guard.js';

/**
 * A policy's `pattern`s mean what they mean in JavaScript (JSON Schema's dialect), although they
 * run on RE2, whose `\s` is ASCII and whose `.` crosses a carriage return. Each attack below got
 * past the policy while the patterns were handed to RE2 as written: Python's `str.split()` and
 * `strip()` take a no-break space or a vertical tab for white space, so "\u00a0rm -rf ~" is `rm`.
 */
const POLICY = {
  version: '1',
  default: 'deny',
  tools: {
    shell_exec: {
      args: { type: 'object', properties: { cmd: { type: 'string', pattern: '^\\S.*$' } }, required: ['cmd'], additionalProperties: false },
      rules: [{ when: { properties: { cmd: { pattern: '^\\s*(rm|sudo)\\s' } }, required: ['cmd'] }, action: 'deny', reason: 'no rm or sudo' }],
    },
    read_file: {
      args: { type: 'object', properties: { path: { type: 'string', pattern: '^/srv/[^\\s]+$' } }, required: ['path'], additionalProperties: false },
    },
  },
};

const ATTACKS: Attack[] = [
  ['rm after a no-break space', 'shell_exec', { cmd: '\u00a0rm -rf ~' }, ['denied', 'invalid_arguments']],
  ['rm after a vertical tab', 'shell_exec', { cmd: '\vrm -rf ~' }, ['denied', 'invalid_arguments']],
  ['sudo after an ideographic space', 'shell_exec', { cmd: '\u3000sudo sh' }, ['denied', 'invalid_arguments']],
  ['rm with a no-break space after it', 'shell_exec', { cmd: 'rm\u00a0-rf ~' }, 'denied'],
  ['a command that goes on after a carriage return', 'shell_exec', { cmd: 'ls\rrm -rf ~' }, 'invalid_arguments'],
  ['a command that goes on after a line separator', 'shell_exec', { cmd: 'ls\u2028rm -rf ~' }, 'invalid_arguments'],
  ['a path with a no-break space in it', 'read_file', { path: '/srv/a\u00a0/etc/passwd' }, 'invalid_arguments'],
];

const sessions: GuardedServer[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
});

describe('patterns mean what they mean in JavaScript', () => {
  it('refuses Unicode white space and line ends that RE2 alone would let past', async () => {
    const dir = freshDir('mcp-guard-pattern-meaning-');
    const policyFile = join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify(POLICY));
    const g = await guardServer({ policyFile, server: ['node', ECHO_SERVER], answer: 'decline' });
    sessions.push(g);
    const outcomes = await attack(g, ATTACKS, {});
    expect(breaches(g, outcomes, { refusedAs: 'denied' })).toEqual([]);
    expect(receivedCalls(g)).toEqual([]);

    // What the patterns allow still passes, exactly as sent.
    const allowed = [
      ['shell_exec', { cmd: 'ls -la' }],
      ['shell_exec', { cmd: 'echo rm' }],
      ['read_file', { path: '/srv/app/readme.txt' }],
    ] as const;
    for (const [name, args] of allowed) expect((await g.client.callTool({ name, arguments: args }))._meta).toBeUndefined();
    expect(receivedCalls(g)).toEqual(allowed.map(([name, args]) => ({ name, arguments: args })));
  });
});
