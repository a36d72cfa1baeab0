import { describe, expect, it } from 'vitest';
import { displayCommand, shellWord } from '../../../src/init/command-line.js';

describe('displayCommand', () => {
  it.each([
    [['npx', '-y', '@modelcontextprotocol/server-filesystem', '/home/me/projects'], 'npx -y @modelcontextprotocol/server-filesystem /home/me/projects'],
    [['node', 'server.js', '--token', 'ghp_abc123'], 'node server.js --token <redacted>'],
    [['node', 'server.js', '--api-key=sk-123', '--port', '3000'], 'node server.js --api-key=<redacted> --port 3000'],
    [['python', '-m', 'srv', '--db-password', 'hunter2', '--verbose'], 'python -m srv --db-password <redacted> --verbose'],
    [['srv', '--GITHUB_TOKEN', 'x'], 'srv --GITHUB_TOKEN <redacted>'],
    [['srv', '--token'], 'srv --token'],
    [['node', 'my server.js', "it's"], "node 'my server.js' 'it'\\''s'"],
  ])('%j → %s', (words, shown) => {
    expect(displayCommand(words)).toBe(shown);
  });

  it('shows everything when asked not to redact', () => {
    expect(displayCommand(['node', 's.js', '--token', 'ghp_abc'], false)).toBe('node s.js --token ghp_abc');
  });

  it('quotes only what a shell would split or expand', () => {
    expect(shellWord('a-b_c/d.e:f@g=h,i+j%k')).toBe('a-b_c/d.e:f@g=h,i+j%k');
    expect(shellWord('$HOME')).toBe("'$HOME'");
    expect(shellWord('')).toBe("''");
  });
});
