import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { McpTransportSettings } from './settings.js';

/** A fresh SDK transport for one connection attempt; `onStderr` gets a stdio child's lines. */
export function createTransport(
  settings: McpTransportSettings,
  onStderr: (line: string) => void,
): Transport {
  if (settings.kind === 'http') {
    return new StreamableHTTPClientTransport(settings.url, {
      requestInit: { headers: { ...settings.headers } },
    });
  }
  const transport = new StdioClientTransport({
    command: settings.command,
    args: [...settings.args],
    env: { ...settings.env },
    // Piped, not inherited: a child's chatter goes through the gateway's logger.
    stderr: 'pipe',
  });
  const stderr = transport.stderr;
  if (stderr instanceof Readable) {
    createInterface({ input: stderr, crlfDelay: Infinity }).on('line', onStderr);
  }
  return transport;
}
