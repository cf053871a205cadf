import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { captureLogger } from '../../../test/support/capture-logger.js';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { Pool } from '../pool.js';
import { keyFingerprinter } from './fingerprint.js';
import { KeyStateStore } from './key-state-store.js';
import { MemoryKeyStateHub } from './memory-hub.js';
import { PrimaryKeyStateChannel } from './primary-channel.js';
import { PrimaryKeyStateHost } from './primary-host.js';
import type { IpcPort } from './primary-protocol.js';

/**
 * The worker's channel and the primary's host over an in-memory link that, like IPC,
 * delivers each message asynchronously and as a structured copy.
 */
function link(): { worker: IpcPort; primary: IpcPort; cut: () => void } {
  const toWorker = new EventEmitter();
  const toPrimary = new EventEmitter();
  const side = (inbox: EventEmitter, outbox: EventEmitter): IpcPort => ({
    send(message) {
      const copy = structuredClone(message);
      setImmediate(() => outbox.emit('message', copy));
    },
    onMessage(listener) {
      inbox.on('message', listener);
      return () => inbox.off('message', listener);
    },
    onDisconnect(listener) {
      inbox.on('disconnect', listener);
      return () => inbox.off('disconnect', listener);
    },
  });
  return {
    worker: side(toWorker, toPrimary),
    primary: side(toPrimary, toWorker),
    cut: () => {
      toWorker.emit('disconnect');
      toPrimary.emit('disconnect');
    },
  };
}

const SECRETS = ['sk-worker-key-0-aaaa', 'sk-worker-key-1-bbbb'];
const fingerprint = keyFingerprinter('a-test-deployment-secret');
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

async function worker(host: PrimaryKeyStateHost, clock: FakeClock) {
  const { worker: port, primary, cut } = link();
  host.serve(primary);
  const pool = new Pool(SECRETS, clock);
  const { logger, lines } = captureLogger();
  const store = new KeyStateStore({
    channel: new PrimaryKeyStateChannel(port),
    fingerprint,
    clock,
    logger,
  });
  store.attach([pool]);
  await store.start(1000);
  return { pool, store, cut, lines };
}

describe('key state shared through the primary (IPC)', () => {
  it("marks reach the other worker under the hub's rules; a new worker loads the state", async () => {
    const clock = new FakeClock();
    const host = new PrimaryKeyStateHost(new MemoryKeyStateHub(clock));
    const a = await worker(host, clock);
    const b = await worker(host, clock);
    expect(a.store.status()).toMatchObject({ backend: 'primary', state: 'ok' });

    a.pool.keys[0]?.markTemporary(60_000, { source: 'operator' });
    b.pool.keys[0]?.markTemporary(10_000, { source: 'operator' });
    await settle();
    // The longer cooldown wins in both.
    for (const w of [a, b]) expect(w.pool.keys[0]?.cooldownRemainingMs()).toBe(60_000);

    b.pool.keys[1]?.markPermanent({ source: 'operator' });
    await settle();
    expect(a.pool.keys.map((k) => k.state())).toEqual(['temporary', 'permanent']);

    const c = await worker(host, clock);
    expect(c.pool.keys.map((k) => k.state())).toEqual(['temporary', 'permanent']);

    c.pool.keys[1]?.enable();
    await settle();
    for (const w of [a, b, c]) expect(w.pool.keys[1]?.state()).toBe('valid');
  });

  it('the primary gone: the worker keeps its own state, says degraded once', async () => {
    const clock = new FakeClock();
    const host = new PrimaryKeyStateHost(new MemoryKeyStateHub(clock));
    const a = await worker(host, clock);
    a.cut();
    expect(a.store.status()).toMatchObject({ state: 'degraded', connection: 'down' });
    a.pool.keys[0]?.markPermanent({ source: 'operator' });
    expect(a.pool.keys[0]?.state()).toBe('permanent');
    expect(a.lines.filter((l) => l.includes('primary unavailable'))).toHaveLength(1);
  });
});
