/** Token counts of one upstream call or of a whole interception, in the gateway's own names. */
export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
  reasoning: number;
}

export const emptyUsage = (): TokenUsage => ({
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheCreation: 0,
  reasoning: 0,
});
