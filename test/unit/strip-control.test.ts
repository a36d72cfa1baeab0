import { describe, expect, it } from 'vitest';
import { stripControl } from '../../src/terminal/strip-control.js';

describe('stripControl', () => {
  it('removes escape sequences and control characters but keeps text, tabs and newlines', () => {
    expect(stripControl('a\u001b[31mred\u001b[0m b')).toBe('ared b');
    expect(stripControl('\u001b]0;evil title\u0007ok')).toBe('ok');
    expect(stripControl('x\ry\u0008z\u009b1m')).toBe('xyz1m');
    expect(stripControl('tab\tnew\nline ünïcode')).toBe('tab\tnew\nline ünïcode');
  });
});
