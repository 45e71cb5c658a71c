import { escapeHtml, flashHtml, page } from './layout.ts';
import type { Flash } from './subscription-page.ts';

/** `/demo/edit`: the demo feed in a text box; saving replaces it and notifies the service, like a PUT. */
export function feedEditorPage(input: { feedText: string; feedUrl: string; flash?: Flash }): string {
  const main = `<h1>Edit the demo feed</h1>
${flashHtml(input.flash)}
<p>What you save here is what <code>${escapeHtml(input.feedUrl)}</code> serves from now on. The demo host then
sends the service a signed change notification, so a connected Google calendar follows within seconds.</p>
<form method="post" action="/demo/edit">
<label for="ics">The feed (iCalendar text)</label>
<textarea id="ics" name="ics" rows="28" spellcheck="false" autocapitalize="off">${escapeHtml(input.feedText)}</textarea>
<div class="actions">
<button type="submit" class="button primary">Save and notify</button>
<button type="submit" class="button" name="reset" value="true">Restore the original demo feed</button>
<a href="/">Back to the subscription page</a>
</div>
</form>
<p class="hint">The same from a terminal: <code>curl -X PUT --data-binary @feed.ics ${escapeHtml(input.feedUrl)}</code></p>`;
  return page({ title: 'Edit the demo feed', main });
}
