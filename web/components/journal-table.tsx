/** The entries of one page of the audit journal, and the buttons that page through it. */
import type { AuditEntry } from '../../shared/schemas/audit.js'
import { actionLabel, detailText, ROLE_LABEL, subjectLabel } from '../lib/audit-labels.js'
import { formatDateShort } from '../lib/format.js'

/** `2026-06-01T10:00:00+02:00` → `01/06/2026 10:00:00` (the journal's zone, Europe/Paris, as the API gives it). */
const when = (at: string): string => `${formatDateShort(at.slice(0, 10))} ${at.slice(11, 19)}`

/** `cptsNames`: CPTS id → name, to show a membership change by name (ids until loaded, or for a CPTS gone). */
export function JournalTable (props: { entries: AuditEntry[], caption: string, cptsNames?: ReadonlyMap<string, string> }) {
  return (
    <div class='table-wrap' role='region' aria-labelledby='jr-table-caption' tabIndex={0}>
      <table class='jr-table'>
        <caption id='jr-table-caption' class='sr-only'>{props.caption}</caption>
        <thead>
          <tr>
            <th scope='col'>N°</th><th scope='col'>Date et heure</th><th scope='col'>Compte</th><th scope='col'>Action</th>
            <th scope='col'>Objet</th><th scope='col'>Adresse IP</th><th scope='col'>Détail</th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((e) => (
            <tr key={e.id} data-id={e.id}>
              <td class='jr-num'>{e.id}</td>
              <td class='nowrap'>{when(e.at)}</td>
              <td>
                {e.user === null
                  ? <span class='jr-system'>Système (tâche automatique)</span>
                  : <>{e.user.name}<br /><small>{ROLE_LABEL[e.user.role] ?? e.user.role} · {e.user.email}</small></>}
              </td>
              <td data-action={e.action}>{actionLabel(e.action)}</td>
              <td>{subjectLabel(e.subjectType)}{e.subjectId !== null && <><br /><small class='jr-id'>{e.subjectId}</small></>}</td>
              <td class='nowrap'>{e.ip ?? '—'}</td>
              <td class='jr-detail'>{detailText(e.detail, props.cptsNames) || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/**
 * Newer and older pages. The buttons stay in the tab order at the ends (aria-disabled, not
 * disabled), so that the focus does not drop to the page when the last page is reached.
 */
export function JournalPager (props: { page: number, hasNewer: boolean, hasOlder: boolean, busy: boolean, onNewer: () => void, onOlder: () => void, onFirst: () => void }) {
  return (
    <nav class='jr-pager' aria-label='Pages du journal'>
      <button type='button' aria-disabled={!props.hasNewer || props.busy} onClick={() => { if (props.hasNewer && !props.busy) props.onFirst() }}>
        <span aria-hidden='true'>« </span>Première page
      </button>
      <button type='button' aria-disabled={!props.hasNewer || props.busy} onClick={() => { if (props.hasNewer && !props.busy) props.onNewer() }}>
        <span aria-hidden='true'>‹ </span>Page précédente
      </button>
      <span class='jr-page' aria-current='page'>Page {props.page}</span>
      <button type='button' aria-disabled={!props.hasOlder || props.busy} onClick={() => { if (props.hasOlder && !props.busy) props.onOlder() }}>
        Page suivante<span aria-hidden='true'> ›</span>
      </button>
    </nav>
  )
}
