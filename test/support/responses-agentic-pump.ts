import { SseFramer, type SseEventHandler } from '../../src/sse/framer.js';

/**
 * Feeds an upstream event stream through a handler the way the gateway's event pump does
 * (the real framer, bytes arriving in chunks of `chunkSize`, each chunk a fresh buffer as
 * from a socket) and returns what the client is sent.
 */
export function pumpChunks(
  onEvent: SseEventHandler,
  events: readonly string[],
  chunkSize = 7,
): Buffer {
  const framer = new SseFramer(onEvent);
  const bytes = Buffer.from(events.join(''));
  const sent: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) {
    sent.push(framer.push(Buffer.from(bytes.subarray(at, at + chunkSize))));
  }
  return Buffer.concat(sent);
}

/** The same, one event per push: what the client is sent after each upstream event. */
export function pumpEach(onEvent: SseEventHandler, events: readonly string[]): Buffer[] {
  const framer = new SseFramer(onEvent);
  return events.map((event) => framer.push(Buffer.from(event)));
}
