import { describe, expect, it } from 'vitest';
import { addUsage } from './usage-sum.js';

describe('addUsage', () => {
  it('sums every count, nested ones too, and keeps the later value of anything else', () => {
    expect(
      addUsage(
        {
          prompt_tokens: 10,
          completion_tokens: 2,
          total_tokens: 12,
          prompt_tokens_details: { cached_tokens: 4 },
          cost: 0.5,
          is_byok: false,
        },
        {
          prompt_tokens: 20,
          completion_tokens: 3,
          total_tokens: 23,
          prompt_tokens_details: { cached_tokens: 6, audio_tokens: 1 },
          completion_tokens_details: { reasoning_tokens: 2 },
          cost: 0.25,
          is_byok: true,
        },
      ),
    ).toEqual({
      prompt_tokens: 30,
      completion_tokens: 5,
      total_tokens: 35,
      prompt_tokens_details: { cached_tokens: 10, audio_tokens: 1 },
      completion_tokens_details: { reasoning_tokens: 2 },
      cost: 0.75,
      is_byok: true,
    });
  });

  it('takes whichever side exists when the other has no usage', () => {
    expect(addUsage(undefined, { prompt_tokens: 1 })).toEqual({ prompt_tokens: 1 });
    expect(addUsage({ prompt_tokens: 1 }, null)).toEqual({ prompt_tokens: 1 });
    expect(addUsage({ details: { a: 1 } }, { details: null })).toEqual({ details: { a: 1 } });
  });
});
