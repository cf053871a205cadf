import type { Worker } from 'node:cluster';
import type { IpcPort } from '../../keypool/key-state/primary-protocol.js';

/** The primary's end of one worker's IPC channel. */
export function workerPort(worker: Worker): IpcPort {
  return {
    send(message) {
      if (worker.isConnected()) worker.send(message as object);
    },
    onMessage(listener) {
      worker.on('message', listener);
      return () => worker.off('message', listener);
    },
    onDisconnect(listener) {
      worker.on('disconnect', listener);
      return () => worker.off('disconnect', listener);
    },
  };
}

/** A worker's end of the IPC channel to its primary. */
export function primaryPort(): IpcPort {
  return {
    send(message) {
      if (process.connected) process.send?.(message);
    },
    onMessage(listener) {
      process.on('message', listener);
      return () => process.off('message', listener);
    },
    onDisconnect(listener) {
      process.on('disconnect', listener);
      return () => process.off('disconnect', listener);
    },
  };
}
