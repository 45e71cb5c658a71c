import { HOST_REQUEST_REFUSALS } from '../../shared/adapters/http/host-signature.ts';
import { RATE_LIMITED, type RefusalAnswers } from '../../shared/adapters/http/refusal.ts';
import { invalidInputMessage } from '../../shared/adapters/http/request.ts';
import { MAX_NOTIFY_ENTRIES, type NotifyRefusalCode } from '../use-cases/notify-changes.ts';

/** How the notify route answers each refusal of notifyChanges. */
export const NOTIFY_REFUSALS = {
  rate_limited: RATE_LIMITED,
  ...HOST_REQUEST_REFUSALS,
  body_too_large: { status: 413, code: 'too_large', message: 'The request body is larger than 80 KB.' },
  too_many_feeds: {
    status: 413,
    code: 'too_large',
    message: `At most ${MAX_NOTIFY_ENTRIES} feeds per notification.`,
  },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_request: { status: 400, message: ({ fields }) => invalidInputMessage(fields) },
  sync_unavailable: {
    status: 503,
    message: 'The syncs could not be queued. Please try again.',
    headers: { 'Retry-After': '30' },
  },
} satisfies RefusalAnswers<NotifyRefusalCode>;
