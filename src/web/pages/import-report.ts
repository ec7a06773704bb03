import type { ImportReport } from '../../import-export/index.js';
import { html } from '../html.js';
import { layout } from '../layout.js';
import type { SignedIn } from '../session.js';

export interface ImportView {
  who: SignedIn;
  /** The collection's name and the uploaded file's. */
  collection: string;
  file: string;
  /** Absent when the file as a whole was refused (then `error` says why). */
  report?: ImportReport;
  error?: string;
}

const OUTCOME_WORDS = { created: 'added', updated: 'updated', unchanged: 'unchanged', failed: 'failed' } as const;

/** What became of each item of an uploaded file. */
export function importReportPage(v: ImportView): string {
  const r = v.report;
  const summary = r && (['created', 'updated', 'unchanged', 'failed'] as const).map((o) => `${r.counts[o]} ${OUTCOME_WORDS[o]}`).join(', ');
  return layout({
    title: `Import into ${v.collection}`,
    who: v.who,
    current: 'collections',
    notice: r && r.counts.failed === 0 ? `Imported “${v.file}”: ${summary}.` : undefined,
    error: v.error ?? (r && r.counts.failed > 0 ? `Imported “${v.file}” with problems: ${summary}.` : undefined),
    body: html`${r && html`<section class="panel" aria-labelledby="items">
  <h2 id="items">Items</h2>
  ${r.items.length === 0 ? html`<p class="muted">The file holds no items.</p>` : html`<table class="report">
    <thead><tr><th scope="col">UID</th><th scope="col">Result</th><th scope="col">Why</th></tr></thead>
    <tbody>${r.items.map((item) => html`<tr>
      <td><code>${item.uid ?? '(none)'}</code></td>
      <td data-label="Result">${OUTCOME_WORDS[item.outcome]}</td>
      <td data-label="Why">${item.reason ?? ''}</td>
    </tr>`)}</tbody>
  </table>`}
</section>`}
<p><a class="button quiet" href="/">Back to calendars &amp; contacts</a></p>`,
  });
}
