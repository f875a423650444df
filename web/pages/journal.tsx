/**
 * /admin/journal: the audit journal for the CPTS coordinator (the DPO's and the CNIL's
 * questions): who read or changed what, when, from where. Filtered, paged newest first, and
 * downloadable as CSV with the same filters (GET /api/audit.csv). Every reading is itself
 * audited by the server. Patient filters never go into the page's address.
 */
import { render } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { PAGES } from '../../shared/pages.js'
import type { Cpts, User } from '../../shared/schemas/accounts.js'
import type { AuditPage } from '../../shared/schemas/audit.js'
import { filterQuery, filtersFromUrl, JournalFiltersForm, type JournalFilters } from '../components/journal-filters.js'
import { JournalPager, JournalTable } from '../components/journal-table.js'
import { api, ApiError } from '../lib/api.js'
import { Field, Layout, useMe } from '../lib/ui.js'
import { JournalChain } from '../components/journal-chain.js'

const PAGE_SIZES = [25, 50, 100] as const

const frenchOf = (err: unknown): string => err instanceof ApiError
  ? err.french
  : 'Serveur injoignable. Vérifiez la connexion puis réessayez.'

const isFiltered = (f: JournalFilters): boolean => filterQuery(f).size > 0

interface Shown { page: AuditPage, number: number }

function Page () {
  const me = useMe()
  const [users, setUsers] = useState<User[] | null>(null)
  const [cptsNames, setCptsNames] = useState<ReadonlyMap<string, string>>(new Map())
  const [filters, setFilters] = useState<JournalFilters>(() => filtersFromUrl(location.search))
  const [size, setSize] = useState<number>(50)
  // `before` of each page shown so far: [undefined] on the first page, then the `next` of each.
  const [cursors, setCursors] = useState<Array<number | undefined>>([undefined])
  const [shown, setShown] = useState<Shown | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const seq = useRef(0)

  async function load (f: JournalFilters, limit: number, stack: Array<number | undefined>): Promise<void> {
    const n = ++seq.current
    setBusy(true)
    const q = filterQuery(f)
    q.set('limit', String(limit))
    const before = stack.at(-1)
    if (before !== undefined) q.set('before', String(before))
    try {
      const page = await api<AuditPage>('GET', '/api/audit?' + q.toString())
      if (n !== seq.current) return
      setShown({ page, number: stack.length })
      setCursors(stack)
      setError(null)
    } catch (err) {
      if (n === seq.current) setError(frenchOf(err))
    } finally {
      if (n === seq.current) setBusy(false)
    }
  }

  useEffect(() => {
    if (me === null) return
    void load(filters, size, [undefined])
    api<User[]>('GET', '/api/users').then(setUsers, (err: unknown) => { setError(frenchOf(err)) })
    // Names for the CPTS a membership change names by id; the ids stay shown if this fails.
    api<Cpts[]>('GET', '/api/cpts').then((list) => { setCptsNames(new Map(list.map((c) => [c.id, c.name]))) }, () => {})
  }, [me])

  function apply (f: JournalFilters): void {
    setFilters(f)
    void load(f, size, [undefined])
  }

  const csvHref = '/api/audit.csv' + (isFiltered(filters) ? '?' + filterQuery(filters).toString() : '')
  const entries = shown?.page.entries ?? []
  const first = shown === null ? 0 : (shown.number - 1) * size + 1
  const summary = shown === null
    ? ''
    : entries.length === 0
      ? (isFiltered(filters) ? 'Aucune entrée ne correspond à ces filtres.' : 'Le journal est vide.')
      : `Page ${shown.number} : entrées ${first} à ${first + entries.length - 1}${shown.page.next === null ? ' (les plus anciennes)' : ''}, des plus récentes aux plus anciennes.`

  return (
    <Layout me={me} title={PAGES.journal.title}>
      <p class='jr-intro'>
        Toutes les actions enregistrées : connexions, lectures et modifications des réservations, exports, effacements.
        Chaque consultation de ce journal y est elle-même inscrite.
      </p>
      {me !== null && <JournalChain />}
      {error !== null && (
        <p class='banner banner-error' role='alert'>
          {error}{' '}
          <button type='button' class='link' onClick={() => { void load(filters, size, cursors) }}>Réessayer</button>
        </p>
      )}
      <JournalFiltersForm applied={filters} users={users} busy={busy} onApply={apply} />
      <section aria-labelledby='jr-results-title' class='jr-results'>
        <div class='jr-results-head'>
          <h2 id='jr-results-title'>Entrées</h2>
          <div class='jr-results-actions'>
            <Field id='jr-size' label='Entrées par page'>
              <select id='jr-size' value={String(size)} onChange={(e) => {
                const s = Number(e.currentTarget.value)
                setSize(s)
                void load(filters, s, [undefined])
              }}>
                {PAGE_SIZES.map((s) => <option key={s} value={String(s)}>{s}</option>)}
              </select>
            </Field>
            <a class='button jr-csv' href={csvHref} download='journal.csv'>
              <span aria-hidden='true'>⤓ </span>Télécharger (CSV)<span class='sr-only'> : toutes les entrées de ces filtres</span>
            </a>
          </div>
        </div>
        <p class='jr-summary' role='status'>{busy ? 'Chargement du journal…' : summary}</p>
        {shown !== null && (
          <JournalPager page={shown.number} hasNewer={shown.number > 1} hasOlder={shown.page.next !== null} busy={busy}
            onFirst={() => { void load(filters, size, [undefined]) }}
            onNewer={() => { void load(filters, size, cursors.slice(0, -1)) }}
            onOlder={() => { if (shown.page.next !== null) void load(filters, size, [...cursors, shown.page.next]) }} />
        )}
        {entries.length > 0 && <JournalTable entries={entries} caption={`Journal d’audit, ${summary}`} cptsNames={cptsNames} />}
      </section>
    </Layout>
  )
}

render(<Page />, document.getElementById('app')!)
