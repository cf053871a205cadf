/**
 * A hint that lets an operator tell secrets apart without revealing them: a short prefix
 * (provider keys announce their kind there, e.g. `sk-`) and the last four characters.
 * Short secrets give away less, because four characters of an eight-character token is half of it.
 */
export function maskedHint(secret: string): string {
  if (secret.length >= 20) return `${secret.slice(0, 3)}…${secret.slice(-4)}`;
  if (secret.length >= 10) return `…${secret.slice(-2)}`;
  return '…';
}
