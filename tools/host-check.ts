/**
 * `npm run host-check -- --url <host page or endpoint> [--events-url <endpoint>]`: checks a host's side of the
 * protocols from outside, with the host's keys from the environment (HOST_KEYS, `kid:key,...`, as the service
 * reads them; HOST_EVENTS_KEY_ID picks the key events are signed with, else the first):
 *
 *   a page    every form carrying an `intent` holds a connect intent the service accepts (its own verifyIntent):
 *             a known key, a correct MAC, action connect, bound to the form's token and return_to, fresh
 *   endpoint  the host accepts an event signed as the service signs it (2xx), and refuses the same event
 *             tampered with (4xx) and delivered a second time (4xx)
 *
 * `--url` is taken as a page when it answers HTML with an intent form, else as an event endpoint.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IntentRejected, verifyIntent } from '../lambdas/oauth/rules/connect-intent.ts';
import { hostSignatureHeaders } from '../lambdas/shared/adapters/http/host-signature.ts';
import { StaticHostKeyRing } from '../lambdas/shared/adapters/secrets/host-keys.ts';
import { parseHostKeysText } from '../lambdas/shared/domain/host-keys.ts';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface HostCheckOptions {
  url?: string;
  eventsUrl?: string;
  /** HOST_KEYS text. */
  keysText: string;
  /** The key id events are signed with (default: the first of the ring). */
  eventsKeyId?: string;
  now?: () => Date;
}

const decodeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** Each form's hidden fields by name. */
function formsOf(html: string): { action: string; fields: Map<string, string> }[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map(([, attributes = '', inner = '']) => {
    const fields = new Map<string, string>();
    for (const [input] of inner.matchAll(/<input\b[^>]*>/gi)) {
      const name = /\bname="([^"]*)"/i.exec(input)?.[1];
      const value = /\bvalue="([^"]*)"/i.exec(input)?.[1];
      if (name !== undefined && value !== undefined) fields.set(decodeHtml(name), decodeHtml(value));
    }
    return { action: decodeHtml(/\baction="([^"]*)"/i.exec(attributes)?.[1] ?? ''), fields };
  });
}

async function checkPage(url: string, html: string, keys: StaticHostKeyRing, now: Date): Promise<Check[]> {
  const forms = formsOf(html).filter((form) => form.fields.has('intent'));
  const checks: Check[] = [];
  for (const [index, form] of forms.entries()) {
    const name = `form ${index + 1} (${form.action || url})`;
    const token = form.fields.get('token');
    if (!token) {
      checks.push({ name, ok: false, detail: 'carries an intent but no token field' });
      continue;
    }
    try {
      const payload = await verifyIntent(
        keys,
        form.fields.get('intent') as string,
        { action: 'connect', feedToken: token, returnTo: form.fields.get('return_to') ?? '' },
        now,
      );
      const left = payload.exp - Math.floor(now.getTime() / 1000);
      checks.push({
        name,
        ok: true,
        detail: `valid connect intent, bound to token and return_to, ${left} s left`,
      });
    } catch (error) {
      if (!(error instanceof IntentRejected)) throw error;
      checks.push({ name, ok: false, detail: `the service would refuse it: ${error.problem}` });
    }
  }
  return checks;
}

async function postEvent(url: string, body: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  await response.body?.cancel();
  return response.status;
}

async function checkEventsEndpoint(url: string, keyId: string, key: Buffer, now: Date): Promise<Check[]> {
  const path = new URL(url).pathname;
  // A harmless event: a feed digest no subscriber has.
  const event = { event: 'connected', feed: randomBytes(32).toString('hex'), at: now.toISOString() };
  const body = JSON.stringify(event);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const headers = hostSignatureHeaders(keyId, key, { method: 'POST', path, body, timestamp });
  const accepted = await postEvent(url, body, headers);
  const tamperedBody = JSON.stringify({ ...event, event: 'disconnected' });
  const fresh = hostSignatureHeaders(keyId, key, { method: 'POST', path, body, timestamp });
  const tampered = await postEvent(url, tamperedBody, fresh);
  const replayed = await postEvent(url, body, headers);
  const refused = (status: number) => status >= 400 && status < 500;
  return [
    {
      name: 'signed event',
      ok: accepted >= 200 && accepted < 300,
      detail: `answered ${accepted} (expected 2xx)`,
    },
    { name: 'tampered event', ok: refused(tampered), detail: `answered ${tampered} (expected 4xx, 401)` },
    { name: 'replayed event', ok: refused(replayed), detail: `answered ${replayed} (expected 4xx, 409)` },
  ];
}

export async function runHostCheck(options: HostCheckOptions): Promise<Check[]> {
  const { keys: keyMap, problems } = parseHostKeysText(options.keysText);
  if (problems.length > 0) throw new Error(`HOST_KEYS: ${problems.join('; ')}`);
  const keys = new StaticHostKeyRing(keyMap);
  const now = (options.now ?? (() => new Date()))();
  const eventsKeyId = options.eventsKeyId ?? [...keyMap.keys()][0];
  const eventsKey = eventsKeyId ? keyMap.get(eventsKeyId) : undefined;
  const checks: Check[] = [];
  const endpoints = options.eventsUrl ? [options.eventsUrl] : [];
  if (options.url) {
    const response = await fetch(options.url, { redirect: 'follow', signal: AbortSignal.timeout(10_000) });
    const html = /html/i.test(response.headers.get('content-type') ?? '') ? await response.text() : '';
    if (!html) await response.body?.cancel();
    if (formsOf(html).some((form) => form.fields.has('intent'))) {
      checks.push(...(await checkPage(options.url, html, keys, now)));
    } else endpoints.push(options.url);
  }
  for (const endpoint of endpoints) {
    if (!eventsKeyId || !eventsKey)
      throw new Error(`HOST_EVENTS_KEY_ID ${eventsKeyId ?? ''} is not in HOST_KEYS`);
    checks.push(...(await checkEventsEndpoint(endpoint, eventsKeyId, eventsKey, now)));
  }
  if (checks.length === 0)
    checks.push({ name: 'page', ok: false, detail: 'no form with an intent field found' });
  return checks;
}

function argument(argv: string[], name: string): string | undefined {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.length === 0) {
    process.stdout.write(
      'npm run host-check -- --url <host page or event endpoint> [--events-url <event endpoint>] [--json]\n' +
        'Keys from the environment: HOST_KEYS (kid:key,...), HOST_EVENTS_KEY_ID (the key events are signed with).\n',
    );
    return argv.length === 0 ? 2 : 0;
  }
  const keysText = process.env.HOST_KEYS;
  if (!keysText) {
    process.stderr.write('host-check: set HOST_KEYS to the host key ring (kid:key,...)\n');
    return 2;
  }
  const url = argument(argv, '--url');
  const eventsUrl = argument(argv, '--events-url');
  const checks = await runHostCheck({
    keysText,
    ...(url ? { url } : {}),
    ...(eventsUrl ? { eventsUrl } : {}),
    ...(process.env.HOST_EVENTS_KEY_ID ? { eventsKeyId: process.env.HOST_EVENTS_KEY_ID } : {}),
  });
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
  else
    for (const check of checks)
      process.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}\n`);
  return checks.every((check) => check.ok) ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`host-check: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
