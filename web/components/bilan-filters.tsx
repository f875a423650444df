/**
 * The season review's query (period, CPTS, kind): read from and written to the URL
 * (`?from=&to=&cptsId=&kind=`, so that a link reproduces the view), checked in the browser with
 * the API's own rules, and edited in the filter form.
 */
import { useEffect, useState } from 'preact/hooks'
import type { Cpts } from '../../shared/schemas/accounts.js'
import type { REPORT_MAX_DAYS as MAX_DAYS } from '../../shared/schemas/reports.js'
import type { SlotKind } from '../../shared/schemas/slots.js'
import { KIND_FR } from '../lib/format.js'
import { DateInput } from './date-input.js'
import { Field } from '../lib/ui.js'

// The page imports types only from shared/schemas: their values would pull zod (~450 kB) into
// this page's bundle. The two values it needs are restated here, checked by the compiler.
/** Longest period of a report, in days: typed as the schema's constant, so a change there fails here. */
const REPORT_MAX_DAYS: typeof MAX_DAYS = 731
/** Every kind of slot (the keys of a Record<SlotKind, …>, so none is missed). */
const SLOT_KINDS = Object.keys(KIND_FR) as SlotKind[]

export interface BilanQuery { from: string, to: string, cptsId: string | null, kind: SlotKind | null }

const DATE = /^\d{4}-\d{2}-\d{2}$/
function isDate (v: string): boolean {
  if (!DATE.test(v)) return false
  const d = new Date(v + 'T12:00:00Z')
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v
}

const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(to + 'T00:00:00Z') - Date.parse(from + 'T00:00:00Z')) / 86_400_000)

/** What is wrong with a period, in French, by field; empty when the API will take it. */

/** Short enough to show whole in the select, even at 1366 px beside the other filters. */
const KIND_SHORT_LABEL = { snp: 'SNP (soins non programmés)', psy: 'Psy (psychiatrie rapide)' } as const
export function periodErrors (from: string, to: string): { from?: string, to?: string } {
  const out: { from?: string, to?: string } = {}
  if (from.trim() === '') out.from = 'Champ obligatoire.'
  else if (!isDate(from)) out.from = 'Date de début invalide (JJ/MM/AAAA).'
  if (to.trim() === '') out.to = 'Champ obligatoire.'
  else if (!isDate(to)) out.to = 'Date de fin invalide (JJ/MM/AAAA).'
  if (out.from !== undefined || out.to !== undefined) return out
  const days = daysBetween(from, to)
  if (days < 0) out.to = 'La date de fin doit être le même jour ou après la date de début.'
  else if (days + 1 > REPORT_MAX_DAYS) out.to = `Un bilan couvre au plus ${REPORT_MAX_DAYS} jours (deux ans) : rapprochez les dates.`
  return out
}

/** The CPTS and kind of the URL (the CPTS is checked by the page against the list it may see). */
export function readFilters (search: string): Pick<BilanQuery, 'cptsId' | 'kind'> {
  const p = new URLSearchParams(search)
  const kind = p.get('kind')
  const cptsId = p.get('cptsId')
  return {
    cptsId: cptsId === null || cptsId === '' ? null : cptsId,
    kind: kind !== null && (SLOT_KINDS as readonly string[]).includes(kind) ? kind as SlotKind : null
  }
}

/** The query of the URL, when its period is usable. */
export function readQuery (search: string): BilanQuery | null {
  const p = new URLSearchParams(search)
  const from = p.get('from') ?? ''
  const to = p.get('to') ?? ''
  const errors = periodErrors(from, to)
  if (errors.from !== undefined || errors.to !== undefined) return null
  return { from, to, ...readFilters(search) }
}

/** `from=…&to=…[&cptsId=…][&kind=…]`, for the URL and the API alike. */
export function queryString (q: BilanQuery): string {
  const p = new URLSearchParams({ from: q.from, to: q.to })
  if (q.cptsId !== null) p.set('cptsId', q.cptsId)
  if (q.kind !== null) p.set('kind', q.kind)
  return p.toString()
}

export const sameQuery = (a: BilanQuery | null, b: BilanQuery | null): boolean =>
  a !== null && b !== null && a.from === b.from && a.to === b.to && a.cptsId === b.cptsId && a.kind === b.kind

export interface Preset { label: string, period: { from: string, to: string } }

/** Why the period of an address was refused, in French; null when it has none or is fine. */
export function urlPeriodProblem (search: string): string | null {
  const p = new URLSearchParams(search)
  const from = p.get('from')
  const to = p.get('to')
  if (from === null && to === null) return null
  const errors = periodErrors(from ?? '', to ?? '')
  const found = [errors.from !== undefined ? `début : ${errors.from}` : '', errors.to !== undefined ? `fin : ${errors.to}` : ''].filter((x) => x !== '')
  if (found.length === 0) return null
  return `La période demandée par l’adresse n’est pas valable (du\u00a0«\u202f${from ?? ''}\u202f» au\u00a0«\u202f${to ?? ''}\u202f» ; ${found.join(' ; ')}). Le bilan affiché est celui de la période choisie d’office : corrigez les dates ci-dessus si besoin.`
}

/**
 * The filter form. Dates are applied with "Afficher" (typing a date fires events at every
 * digit); a quick period, a CPTS or a kind applies at once.
 */
export function BilanFilters (props: {
  query: BilanQuery
  cpts: Cpts[]
  /** The CPTS a board account is attached to: the only one it may see. */
  fixedCptsId: string | null
  today: string
  /** The quick periods (those that hold slots, and the last twelve months). */
  presets: Preset[]
  busy: boolean
  onApply: (q: BilanQuery) => void
}) {
  const { query } = props
  const [from, setFrom] = useState(query.from)
  const [to, setTo] = useState(query.to)
  const [errors, setErrors] = useState<{ from?: string, to?: string }>({})
  // The form follows the query when it changes from elsewhere (quick period, back button).
  useEffect(() => { setFrom(query.from); setTo(query.to); setErrors({}) }, [query.from, query.to])

  const presets = props.presets

  /** Applies the form with `patch`; refuses a bad period and says why, next to the dates. */
  function apply (patch: Partial<BilanQuery>): void {
    const next: BilanQuery = { ...query, from, to, ...patch }
    const found = periodErrors(next.from, next.to)
    setErrors(found)
    if (found.from !== undefined || found.to !== undefined) {
      document.getElementById(found.from !== undefined ? 'bl-from' : 'bl-to')?.focus()
      return
    }
    props.onApply(next)
  }

  const fixed = props.fixedCptsId === null ? undefined : props.cpts.find((c) => c.id === props.fixedCptsId)
  const describe = (id: string, error: string | undefined): { 'aria-invalid': boolean, 'aria-describedby': string } =>
    error === undefined ? { 'aria-invalid': false, 'aria-describedby': id + '-hint' } : { 'aria-invalid': true, 'aria-describedby': `${id}-hint ${id}-error` }

  return (
    <form class='card bl-filters' aria-label='Filtres du bilan' noValidate onSubmit={(e) => { e.preventDefault(); apply({}) }}>
      <fieldset class='bl-period'>
        <legend>Période</legend>
        <div class='bl-dates'>
          <Field id='bl-from' label='Du' hint='jj/mm/aaaa' error={errors.from}>
            <DateInput id='bl-from' required value={from} {...describe('bl-from', errors.from)} onValue={setFrom} />
          </Field>
          <Field id='bl-to' label='Au (inclus)' hint='jj/mm/aaaa' error={errors.to}>
            <DateInput id='bl-to' required value={to} {...describe('bl-to', errors.to)} onValue={setTo} />
          </Field>
        </div>
        <div class='bl-presets' role='group' aria-label='Périodes rapides'>
          {presets.map((p) => (
            <button key={p.label} type='button' aria-pressed={p.period.from === query.from && p.period.to === query.to}
              onClick={() => { setFrom(p.period.from); setTo(p.period.to); apply(p.period) }}>
              {p.label}
            </button>
          ))}
        </div>
      </fieldset>
      <div class='bl-selects'>
        <Field id='bl-cpts' label='CPTS' hint={fixed !== undefined ? 'Votre compte voit uniquement cette CPTS.' : undefined}>
          {fixed !== undefined
            ? (
              <select id='bl-cpts' aria-describedby='bl-cpts-hint' value={fixed.id}>
                <option value={fixed.id}>{fixed.name}</option>
              </select>
              )
            : (
              <select id='bl-cpts' value={query.cptsId ?? ''} onChange={(e) => apply({ cptsId: e.currentTarget.value === '' ? null : e.currentTarget.value })}>
                <option value=''>Toutes les CPTS</option>
                {props.cpts.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
              </select>
              )}
        </Field>
        <Field id='bl-kind' label='Type de créneaux'>
          <select id='bl-kind' value={query.kind ?? ''} onChange={(e) => {
            const v = e.currentTarget.value
            apply({ kind: v === '' ? null : v as SlotKind })
          }}>
            <option value=''>Tous (SNP et psy)</option>
            {SLOT_KINDS.map((k) => <option key={k} value={k}>{KIND_SHORT_LABEL[k]}</option>)}
          </select>
        </Field>
        <div class='bl-apply'>
          <button type='submit' class='primary' aria-disabled={props.busy}>{props.busy ? 'Chargement…' : 'Afficher le bilan'}</button>
        </div>
      </div>
    </form>
  )
}
