import { Logger } from '@aws-lambda-powertools/logger';

let containerLogger: Logger | undefined;

/**
 * The container's one Powertools Logger (service name from POWERTOOLS_SERVICE_NAME, level from
 * POWERTOOLS_LOG_LEVEL): handlers and adapters share it, so keys such as the subscriber id reach every line.
 */
export function serviceLogger(): Logger {
  containerLogger ??= new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ics-google-sync' });
  return containerLogger;
}
