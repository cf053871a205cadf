import type { BlockingAssembler, IsInjected, Turn } from '../agentic.js';
import { asRecord } from '../json-access.js';
import type { JsonObjectText, Splice } from '../json-object.js';
import { usageReader } from '../usage-fields.js';
import { itemRole, outputTextOf, toolCallOf, type ItemRole } from './output-items.js';
import { RESPONSES_USAGE } from './usage.js';
import { summedUsage } from './usage-sum.js';

const usageOf = usageReader(RESPONSES_USAGE);

interface Answer {
  readonly body: JsonObjectText;
  readonly output: readonly unknown[];
  readonly roles: readonly ItemRole[];
  readonly usage: unknown;
}

/** The replay: the answer's items but the client's calls, as a JSON array of input items. */
function replayOf(answer: Answer): Buffer {
  const items = answer.output.filter((_, i) => answer.roles[i] !== 'client');
  return Buffer.from(JSON.stringify(items));
}

/**
 * Blocking Responses answers of one loop, made into one: the final answer's body (its id,
 * status and every other member as the provider wrote them) with `output` holding the
 * visible items of every answer in order, and `usage` summed.
 */
export class ResponsesBlockingAssembler implements BlockingAssembler {
  private readonly answers: Answer[] = [];

  constructor(private readonly isInjected: IsInjected) {}

  read(body: JsonObjectText): Turn {
    const value = body.value('output');
    const output: readonly unknown[] = Array.isArray(value) ? value : [];
    const roles = output.map((item) => itemRole(asRecord(item), this.isInjected));
    const status = body.value('status');
    // An incomplete or failed answer is the last one: its calls are not run.
    const continues = status === undefined || status === 'completed';
    const calls = (role: ItemRole) =>
      output.filter((_, i) => roles[i] === role).map((item) => toolCallOf(asRecord(item)));
    const answer: Answer = { body, output, roles, usage: body.value('usage') };
    this.answers.push(answer);
    let replay: Buffer | undefined;
    return {
      injectedCalls: continues ? calls('injected') : [],
      clientCalls: calls('client'),
      usage: usageOf(answer.usage),
      get replay() {
        return (replay ??= replayOf(answer));
      },
    };
  }

  answer(): Buffer {
    const final = this.answers.at(-1);
    if (final === undefined) return Buffer.alloc(0);
    if (this.answers.length === 1 && !final.roles.includes('injected')) return final.body.raw;
    const items: unknown[] = [];
    for (const answer of this.answers) {
      answer.output.forEach((item, i) => {
        const role = answer.roles[i];
        if (role === 'visible' || (role === 'client' && answer === final)) items.push(item);
      });
    }
    const body = final.body;
    const splices: Splice[] = [body.memberSplice('output', JSON.stringify(items))];
    const usage = summedUsage(this.answers.map((answer) => answer.usage));
    if (usage !== undefined) splices.push(body.memberSplice('usage', JSON.stringify(usage)));
    if (body.member('output_text') !== undefined) {
      splices.push(body.memberSplice('output_text', JSON.stringify(outputTextOf(items))));
    }
    return body.spliced(splices);
  }
}
