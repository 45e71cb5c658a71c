/**
 * What of an error may go into a log line. Messages of the service's own typed errors are written never to
 * contain secrets; any other message might (a JSON parse error quotes its input, an HTTP library error its URL),
 * so only the name of those is logged. Stacks and causes are never logged.
 */
const ERRORS_WITH_SAFE_MESSAGES = new Set([
  'HttpRefusal',
  'ConfigError',
  'DecryptionError',
  'EncryptionError',
  'GoogleClientCredentialsError',
  'InvalidGrantError',
  'OAuthUnavailableError',
  'OAuthRequestError',
  'NeedsReauthError',
  'CalendarProvisioningError',
  'ConnectionConflictError',
  'FeedCheckError',
  'SyncQueueError',
  'UnprocessedWritesError',
  'TickIncompleteError',
  'HostKeysError',
]);

export type SafeErrorDescription = {
  errorName: string;
  errorMessage?: string;
};

export function describeError(error: unknown): SafeErrorDescription {
  const name = error instanceof Error ? error.name : typeof error;
  const safeName = /^[A-Za-z0-9_.]{1,80}$/.test(name) ? name : 'Error';
  if (error instanceof Error && ERRORS_WITH_SAFE_MESSAGES.has(error.name)) {
    return { errorName: safeName, errorMessage: error.message };
  }
  return { errorName: safeName };
}
