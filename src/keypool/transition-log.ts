import type { KeyTransition } from './key.js';
import type { Logger } from '../log/logger.js';

/**
 * The one log line per key state change. A change the provider caused is written once its
 * error message is known (its failed body is read in the background, bounded to about a
 * second), so the line carries the status and the provider's reason, redacted.
 */
export function logKeyTransition(
  logger: Logger,
  provider: string,
  transition: KeyTransition,
  recheckOn: boolean,
): void {
  const fields = { provider, index: transition.key.index, key: transition.key.hint };
  const { cause } = transition;
  switch (cause.source) {
    case 'upstream':
      void cause.message.then((message) => {
        const detail = {
          ...fields,
          status: cause.status,
          message,
          upstream_request_id: cause.upstreamRequestId,
        };
        if (transition.to === 'temporary') {
          logger.warn(
            { ...detail, cooldown_ms: transition.cooldownMs },
            `key rate-limited (${cause.status}): cooling down`,
          );
        } else {
          logger.error(
            detail,
            recheckOn
              ? `key rejected by the provider (${cause.status}): disabled until an operator re-enables it or a re-check finds it working`
              : `key rejected by the provider (${cause.status}): disabled until an operator re-enables it`,
          );
        }
      });
      return;
    case 'operator':
      logger.info(fields, 'key re-enabled by an operator');
      return;
    case 'shared':
      // The process that made the mark logged it with its cause; here it is one line per
      // process, so a cooldown is a detail while a key leaving or rejoining service is not.
      if (transition.to === 'temporary') {
        logger.debug(
          { ...fields, cooldown_ms: transition.cooldownMs },
          'key cooling down (shared key state)',
        );
      } else if (transition.to === 'permanent') {
        logger.info(fields, 'key disabled (shared key state)');
      } else logger.info(fields, 'key back in service (shared key state)');
      return;
    case 'recheck':
      logger.info(
        { ...fields, status: cause.status },
        'key re-enabled: a re-check found it working',
      );
      return;
  }
}
