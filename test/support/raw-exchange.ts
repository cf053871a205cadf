import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: string;
  body: string;
}

/** One request as raw bytes on its own connection, so nothing a client library would refuse is off limits. */
export function exchange(
  port: number,
  bytes: Buffer,
  halfClose = false,
): Promise<RawResponse | 'closed'> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (match?.[1] === undefined) {
        resolve('closed');
        return;
      }
      const split = text.indexOf('\r\n\r\n');
      const headers = text.slice(0, split);
      let body = text.slice(split + 4);
      if (/transfer-encoding: chunked/i.test(headers)) body = dechunk(body);
      resolve({
        status: Number(match[1]),
        headers,
        body: Buffer.from(body, 'latin1').toString('utf8'),
      });
    });
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error(`no answer to ${bytes.subarray(0, 200).toString('latin1')}`));
    });
    // Not end() for requests: Node (like most proxies) takes a client's half-close for a hang-up.
    if (halfClose) socket.end(bytes);
    else socket.write(bytes);
  });
}

function dechunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd === -1) return out;
    const size = parseInt(text.slice(at, lineEnd), 16);
    if (!Number.isFinite(size) || size === 0) return out;
    out += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
