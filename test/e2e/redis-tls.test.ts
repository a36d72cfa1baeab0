/**
 * rediss:// URLs: TLS to a real redis-server with a certificate from a test CA, verified by
 * Node's defaults (the CA given through NODE_EXTRA_CA_CERTS, as a user with a private CA would).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type RedisServer, startRedis } from '../support/redis-server.js';
import { BIN } from './support/guard.js';

let redis: RedisServer;
let tlsPort: number;
let certs: string;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: certs, stdio: 'ignore' });
}

beforeAll(async () => {
  certs = mkdtempSync(join(tmpdir(), 'mcp-guard-tls-'));
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=mcp-guard test CA']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(certs, 'ext.cnf'), 'subjectAltName=DNS:localhost\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf']);
  tlsPort = await freePort();
  redis = await startRedis({
    args: ['--tls-port', String(tlsPort), '--tls-cert-file', join(certs, 'server.crt'), '--tls-key-file', join(certs, 'server.key'), '--tls-ca-cert-file', join(certs, 'ca.crt'), '--tls-auth-clients', 'no'],
  });
});
afterAll(async () => {
  await redis?.stop();
});

function approvals(state: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, 'approvals', '--json', '--state', state], { encoding: 'utf8', env: { ...process.env, ...env } });
}

describe('rediss://', () => {
  it('talks TLS, checking the server certificate against the trusted CAs', () => {
    const ok = approvals(`rediss://localhost:${tlsPort}/0`, { NODE_EXTRA_CA_CERTS: join(certs, 'ca.crt') });
    expect(ok.stderr).toContain(`rediss://localhost:${tlsPort}/0`);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual([]);
  });

  it('refuses a server whose certificate it cannot verify', () => {
    const r = approvals(`rediss://localhost:${tlsPort}/0`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^mcp-guard: the state store rediss:\/\/localhost:\d+\/0 cannot be used: .*certificate/);
  });

  it('refuses a certificate issued to another name', () => {
    const r = approvals(`rediss://127.0.0.1:${tlsPort}/0`, { NODE_EXTRA_CA_CERTS: join(certs, 'ca.crt') });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot be used: .*(altnames|IP: 127\.0\.0\.1)/);
  });
});
