/**
 * About the shape of a Claude Code request (~76 KB, the largest body CLIENTS.md saw): a long
 * system prompt, 24 tools, a six-turn conversation.
 */
export function claudeCodeBody(): Buffer {
  const tools = Array.from({ length: 24 }, (_, i) => ({
    name: `Tool${i}`,
    description: 'Does something useful. '.repeat(40),
    input_schema: { type: 'object', properties: { path: { type: 'string' } } },
  }));
  const messages = [];
  for (let turn = 0; turn < 6; turn++) {
    messages.push({
      role: 'user',
      content: [{ type: 'text', text: `Question ${turn}: ${'words '.repeat(300)}` }],
    });
    messages.push({
      role: 'assistant',
      content: [{ type: 'text', text: 'An answer. '.repeat(200) }],
    });
  }
  messages.push({
    role: 'user',
    content: [{ type: 'text', text: 'Fix the failing test in src/app.ts' }],
  });
  return Buffer.from(
    JSON.stringify({
      model: 'claude-sonnet-4-5',
      max_tokens: 64000,
      stream: true,
      system: [{ type: 'text', text: 'You are Claude Code. '.repeat(400) }],
      tools,
      messages,
    }),
  );
}
