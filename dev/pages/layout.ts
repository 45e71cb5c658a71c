import { escapeHtml } from '../../lambdas/shared/adapters/http/responses.ts';

export { escapeHtml };

const STYLESHEET_PATH = '/demo/page.css';
const SCRIPT_PATH = '/demo/page.js';

export interface PageOptions {
  title: string;
  /** The body's main content (already HTML). */
  main: string;
  script?: boolean;
  /** data-* attributes of the body (the script reads them). */
  data?: Record<string, string>;
}

/** The demo host's page frame: its header, one main landmark, its stylesheet and (optionally) its script. */
export function page({ title, main, script = false, data = {} }: PageOptions): string {
  const attributes = Object.entries(data)
    .map(([name, value]) => ` data-${name}="${escapeHtml(value)}"`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - Demo ICS service</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
${script ? `<script src="${SCRIPT_PATH}" defer></script>\n` : ''}</head>
<body${attributes}>
<a class="skip" href="#main">Skip to content</a>
<header class="site"><p class="brand"><a href="/">Demo ICS service</a> <span class="tag">local run</span></p></header>
<main id="main" tabindex="-1">
${main}
</main>
</body>
</html>
`;
}

/** The Content-Security-Policy of the demo host's pages: its own files only; forms to itself and the consent page. */
export function contentSecurityPolicy(formTargets: string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self'",
    `form-action 'self' ${formTargets.join(' ')}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** A message at the top of the page: polite for news, assertive for a problem. */
export function flashHtml(flash: { kind: 'success' | 'error'; text: string } | undefined): string {
  if (!flash) return '';
  const role = flash.kind === 'error' ? 'alert' : 'status';
  return `<p class="flash ${flash.kind}" role="${role}">${escapeHtml(flash.text)}</p>`;
}

/** A time as the subscriber reads it: local date and time of this machine, with the instant in `datetime`. */
export function timeHtml(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return escapeHtml(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  const text = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `<time datetime="${escapeHtml(date.toISOString())}">${text}</time>`;
}
