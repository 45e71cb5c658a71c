/** The HTML of the authorization page: Google's consent screen, reduced to what a test needs to drive. */
import { escapeHtml } from '../http.ts';
import type { EmulatorUser } from '../types.ts';

export const CONSENT_PATH = '/o/oauth2/v2/auth/consent';

export function consentPage(input: {
  requestId: string;
  clientId: string;
  scopes: string[];
  /** Scopes shown unticked (a test set `grantNextScopes`). */
  unticked: string[];
  users: EmulatorUser[];
  loginHint?: string;
}): string {
  const userOptions = input.users
    .map((user) => {
      const selected = user.email === input.loginHint?.toLowerCase() ? ' selected' : '';
      return `<option value="${escapeHtml(user.email)}"${selected}>${escapeHtml(user.email)}</option>`;
    })
    .join('');
  const scopeBoxes = input.scopes
    .map((scope) => {
      const checked = input.unticked.includes(scope) ? '' : ' checked';
      return `<label><input type="checkbox" name="scope" value="${escapeHtml(scope)}"${checked}> ${escapeHtml(scope)}</label><br>`;
    })
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Sign in - Google Accounts (emulator)</title></head>
<body>
<h1>${escapeHtml(input.clientId)} wants to access your Google Account</h1>
<form method="post" action="${CONSENT_PATH}">
<input type="hidden" name="request" value="${escapeHtml(input.requestId)}">
<p><label>Account <select name="user">${userOptions}</select></label></p>
<p><label>or email <input type="email" name="email" value=""></label></p>
<fieldset><legend>Allow access to</legend>
${scopeBoxes}
</fieldset>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
</body></html>`;
}

/** Google shows errors of the authorization request on its own page, without redirecting. */
export function errorPage(error: string, description: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Error 400: ${escapeHtml(error)}</title></head>
<body><h1>Access blocked: this app's request is invalid</h1>
<p>Error: <code id="error">${escapeHtml(error)}</code></p>
<p id="error_description">${escapeHtml(description)}</p></body></html>`;
}
