/**
 * How the mock streams an answer: `events` text deltas, `intervalMs` apart. The plan travels
 * in the model name, the one request field every gateway forwards unchanged (headers and
 * query strings are dropped by some of them).
 */
export interface StreamPlan {
  readonly events: number;
  readonly intervalMs: number;
}

const SUFFIX = /-bench-e(\d+)-i(\d+)$/;

export function modelWithPlan(model: string, plan: StreamPlan): string {
  return `${model}-bench-e${plan.events}-i${plan.intervalMs}`;
}

export function planFromModel(model: unknown): StreamPlan | undefined {
  if (typeof model !== 'string') return undefined;
  const match = SUFFIX.exec(model);
  if (match === null) return undefined;
  return { events: Number(match[1]), intervalMs: Number(match[2]) };
}

/** What the delta text of every streamed event carries: its send time, as wall-clock ms. */
export const STAMP = /ts:(\d+\.\d+);/;

export function stampText(sentAt: number): string {
  return `ts:${sentAt.toFixed(3)}; token`;
}
