import { messagesProfile } from './anthropic-profile.js';
import { chatProfile, responsesProfile } from './openai-profiles.js';
import type { DialectProfile } from './profile.js';

export { SUCCESS_TEXT, type DialectProfile } from './profile.js';

/** Every bridged API; the shared scenario tables run against each. */
export const dialectProfiles: readonly DialectProfile[] = [
  messagesProfile,
  chatProfile,
  responsesProfile,
];
