import type { BlockingAssembler, IsInjected, ToolCall, Turn } from '../agentic.js';
import { asRecord, type JsonRecord } from '../json-access.js';
import type { JsonObjectText } from '../json-object.js';
import { emptyUsage, type TokenUsage } from '../token-usage.js';
import { usageReader } from '../usage-fields.js';
import { blockKind, replayMessage, toolCall } from './content-blocks.js';
import { addUsage, withLoopUsage } from './loop-usage.js';
import { ANTHROPIC_USAGE } from './usage.js';

const readUsage = usageReader(ANTHROPIC_USAGE);
const TOOL_USE = Buffer.from('"tool_use"');
const EMPTY = Buffer.alloc(0);

interface Answer {
  readonly body: JsonObjectText;
  readonly injectedCalls: readonly ToolCall[];
  /** The content blocks, decoded only when a block or the client's answer needs them. */
  content: JsonRecord[] | undefined;
}

function contentOf(body: JsonObjectText): JsonRecord[] {
  const content = body.value('content');
  if (!Array.isArray(content)) return [];
  return content.map((block) => asRecord(block) ?? {});
}

/**
 * Whether `content` may hold a tool call. A quote inside a JSON string is escaped, so the
 * bytes `"tool_use"` come only from a key or a whole string value: without them, the
 * answer has no tool call and its content need not be decoded.
 */
function mayCallTools(body: JsonObjectText): boolean {
  const content = body.member('content');
  if (content === undefined) return false;
  const at = body.raw.indexOf(TOOL_USE, content.valueStart);
  return at >= 0 && at < content.valueEnd;
}

/** Assembles the blocking answers of one loop into one Messages answer. */
export class AnthropicBlockingAssembler implements BlockingAssembler {
  private readonly answers: Answer[] = [];
  private readonly usage: TokenUsage = emptyUsage();

  constructor(private readonly isInjected: IsInjected) {}

  read(body: JsonObjectText): Turn {
    const usage = readUsage(body.value('usage'));
    addUsage(this.usage, usage);
    const injectedCalls: ToolCall[] = [];
    const clientCalls: ToolCall[] = [];
    let content: JsonRecord[] | undefined;
    let replay: Buffer = EMPTY;
    if (mayCallTools(body)) {
      content = contentOf(body);
      for (const block of content) {
        const kind = blockKind(block, this.isInjected);
        if (kind === 'visible') continue;
        const call = toolCall(block, JSON.stringify(block['input'] ?? {}));
        (kind === 'injected' ? injectedCalls : clientCalls).push(call);
      }
      if (injectedCalls.length > 0) {
        replay = replayMessage(
          content.filter((block) => blockKind(block, this.isInjected) !== 'client'),
        );
      }
    }
    this.answers.push({ body, injectedCalls, content });
    return { injectedCalls, clientCalls, usage, replay };
  }

  answer(): Buffer {
    const last = this.answers.at(-1);
    if (last === undefined) throw new Error('answer() before any read()');
    if (this.answers.length === 1 && last.injectedCalls.length === 0) return last.body.raw;
    const content: JsonRecord[] = [];
    for (const answer of this.answers) {
      answer.content ??= contentOf(answer.body);
      // A turn that called injected tools loses the client's calls too: the model asks
      // for them again once it has read the injected results.
      const keep = answer.injectedCalls.length === 0 ? 'client' : 'visible';
      for (const block of answer.content) {
        const kind = blockKind(block, this.isInjected);
        if (kind === 'visible' || kind === keep) content.push(block);
      }
    }
    const splices = [
      last.body.memberSplice('content', JSON.stringify(content)),
      last.body.memberSplice(
        'usage',
        JSON.stringify(withLoopUsage(asRecord(last.body.value('usage')), this.usage)),
      ),
    ];
    // One answer has one id: the first iteration's, as a stream's message_start gives it.
    const first = this.answers[0]?.body;
    const firstId = first?.member('id');
    if (first !== undefined && firstId !== undefined) {
      splices.push(
        last.body.memberSplice('id', first.raw.subarray(firstId.valueStart, firstId.valueEnd)),
      );
    }
    return last.body.spliced(splices);
  }
}
