import { describe, expect, it } from 'vitest';
import { needsWindowsShell, programName, readGuardForm } from '../../../src/clients/guard-form.js';

describe('readGuardForm', () => {
  it.each([
    ['wrap output', '/usr/bin/node', ['/opt/mcp-guard/bin/mcp-guard.js', '--policy', '/p.json', '--', 'npx', '-y', 'srv'], { launcher: 'node', policy: '/p.json', serverCommand: 4, shellAdded: false }],
    ['wrap output on Windows', 'C:\\nodejs\\node.exe', ['C:\\g\\bin\\mcp-guard.js', '--policy', 'C:\\p.json', '--', 'cmd', '/d', '/c', 'npx', 'srv'], { launcher: 'node', policy: 'C:\\p.json', serverCommand: 7, shellAdded: true }],
    ['the installed command', 'mcp-guard', ['--policy', '/p.json', '--', 'node', 'server.js'], { launcher: 'command', policy: '/p.json', serverCommand: 3 }],
    ['an absolute installed command with run', '/usr/local/bin/mcp-guard', ['run', '-p', '/p.json', '--', 'node'], { launcher: 'command', policy: '/p.json', serverCommand: 4 }],
    ['--policy=', 'mcp-guard', ['--policy=/p.json', '--audit-log', '/a.jsonl', '--', 'srv'], { policy: '/p.json', policyIndex: 0, serverCommand: 4 }],
    ['no policy (discovered)', 'mcp-guard', ['--', 'srv'], { policy: undefined, policyIndex: undefined, serverCommand: 1 }],
    ['the Windows shim through cmd', 'cmd', ['/c', 'mcp-guard', '--policy', 'C:\\p.json', '--', 'cmd', '/c', 'npx', 'srv'], { launcher: 'command', optionsStart: 2, policy: 'C:\\p.json', serverCommand: 5, shellAdded: false }],
    ['npx mcp-guard (an old snippet)', 'npx', ['-y', 'mcp-guard', '--policy', '/p.json', '--', 'srv'], { launcher: 'npx', optionsStart: 2, serverCommand: 5 }],
    ['no server after --', 'mcp-guard', ['--policy', '/p.json', '--'], { separator: 2, serverCommand: undefined }],
  ] as const)('reads %s', (_name, command, args, expected) => {
    expect(readGuardForm(command, args)).toMatchObject(expected);
  });

  it.each([
    ['npx', ['-y', '@modelcontextprotocol/server-memory']],
    ['node', ['server.js', 'mcp-guard.js']],
    ['cmd', ['/c', 'npx', '-y', 'srv']],
    ['npx', ['-y', 'mcp-guardian']],
    ['uvx', ['mcp-guard']],
  ] as const)('does not take %s %j for mcp-guard', (command, args) => {
    expect(readGuardForm(command, args)).toBeUndefined();
  });
});

describe('Windows commands', () => {
  it('names programs without folder, extension or case', () => {
    expect(programName('C:\\Program Files\\nodejs\\NPX.CMD')).toBe('npx');
    expect(programName('/usr/bin/node')).toBe('node');
  });
  it.each([
    ['npx', true],
    ['C:\\Program Files\\nodejs\\npx.cmd', true],
    ['pnpm', true],
    ['tool.bat', true],
    ['node', false],
    ['uvx', false],
    ['cmd', false],
    ['C:\\Python312\\python.exe', false],
  ])('%s needs a shell: %s', (command, expected) => {
    expect(needsWindowsShell(command)).toBe(expected);
  });
});
