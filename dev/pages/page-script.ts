/**
 * The subscription page's only script (served from the host's origin, so the page's CSP needs no inline code).
 * Every few seconds it asks the host for the status and replaces the status panel when it changed (the panel is
 * a polite live region: a screen reader hears the news once), keeps the connect intent fresh (an intent lasts
 * 10 minutes), and reloads the page when the connection's state changes (other buttons then apply). Without
 * script the page works the same, only without updates.
 */
export const PAGE_SCRIPT = `'use strict';
(() => {
  const panel = document.getElementById('sync-status');
  if (!panel) return;
  let version = panel.dataset.version;
  const state = document.body.dataset.status;
  const poll = async () => {
    try {
      const answer = await fetch('/demo/status', { headers: { accept: 'application/json' }, cache: 'no-store' });
      if (answer.ok) {
        const status = await answer.json();
        if (status.status !== state && status.status !== 'unknown') {
          window.location.replace('/');
          return;
        }
        if (status.version !== version) {
          panel.innerHTML = status.html;
          version = status.version;
        }
        for (const field of document.querySelectorAll('input[name="intent"]')) field.value = status.connectIntent;
      }
    } catch {
      // the local run stopped or restarts: try again later
    }
    window.setTimeout(poll, 3000);
  };
  window.setTimeout(poll, 1500);
})();
`;
