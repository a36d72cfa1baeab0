#!/usr/bin/env node
// The naive proxy the issue compares against: the MCP SDK's own stdio transports on both sides,
// forwarding every parsed message unchanged. Usage: node naive-proxy.mjs <command> [args...]
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

const [command, ...args] = process.argv.slice(2);
const upstream = new StdioClientTransport({ command, args, stderr: 'inherit' });
const downstream = new StdioServerTransport();
downstream.onmessage = (message) => void upstream.send(message);
upstream.onmessage = (message) => void downstream.send(message);
downstream.onclose = () => void upstream.close();
upstream.onclose = () => void downstream.close();
await upstream.start();
await downstream.start();
process.stdin.on('end', () => void upstream.close());
