/**
 * The filters of the audit journal (/admin/journal): account, action, patient (last name and
 * birth date), booking and period. Applied with the submit button or Enter in any field; checked
 * here with the API's rules so that a mistake is said next to its field.
 */
import { useEffect, useState } from 'preact/hooks'
import type { User } from '../../shared/schemas/accounts.js'
import { described as describe } from '../lib/aria.js'
import { ACTION_GROUPS, ROLE_LABEL } from '../lib/audit-labels.js'
import { formatDateShort, parseFrenchDate } from '../lib/format.js'
import { Field } from '../lib/ui.js'
import { DateInput, isDate } from './date-input.js'

export interface JournalFilters {
  userId: string
  action: string
  patientName: string
  /** As the API takes it, `YYYY-MM-DD`, or empty. */
  patientBirthDate: string
  bookingId: string
  from: string
  to: string
}

export const NO_FILTERS: JournalFilters = { userId: '', action: '', patientName: '', patientBirthDate: '', bookingId: '', from: '', to: '' }

/** The filters as a query of `/api/audit` and `/api/audit.csv` (empty ones left out). */
export function filterQuery (f: JournalFilters): URLSearchParams {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(f) as Array<[keyof JournalFilters, string]>) {
    if (v.trim() !== '') p.set(k, v.trim())
  }
  return p
}

/**
 * The filters a link may carry (`/admin/journal?bookingId=…`, from /admin/patients): never a
 * patient's name, which must stay out of addresses.
 */
export function filtersFromUrl (search: string): JournalFilters {
  const p = new URLSearchParams(search)
  const get = (k: string): string => p.get(k) ?? ''
  return { ...NO_FILTERS, userId: get('userId'), action: get('action'), bookingId: get('bookingId'), from: get('from'), to: get('to') }
}


type Errors = Partial<Record<keyof JournalFilters, string>>

function check (f: JournalFilters): Errors {
  const e: Errors = {}
  if (f.patientBirthDate !== '' && !isDate(f.patientBirthDate)) e.patientBirthDate = 'Date de naissance invalide : JJ/MM/AAAA (ex. 02/01/1980).'
  else if (f.patientBirthDate !== '' && f.patientName.trim() === '') e.patientBirthDate = 'Une date de naissance va avec le nom du patient : indiquez-le aussi.'
  if (f.from !== '' && !isDate(f.from)) e.from = 'Date de début invalide (jj/mm/aaaa).'
  if (f.to !== '' && !isDate(f.to)) e.to = 'Date de fin invalide (jj/mm/aaaa).'
  if (e.from === undefined && e.to === undefined && f.from !== '' && f.to !== '' && f.to < f.from) e.to = 'La fin de la période doit être le même jour ou après son début.'
  return e
}

export function JournalFiltersForm (props: { applied: JournalFilters, users: User[] | null, busy: boolean, onApply: (f: JournalFilters) => void }) {
  const [f, setF] = useState<JournalFilters>(props.applied)
  // The birth date as typed (JJ/MM/AAAA), read into `f.patientBirthDate` at submit.
  const [birth, setBirth] = useState(props.applied.patientBirthDate === '' ? '' : formatDateShort(props.applied.patientBirthDate))
  const [errors, setErrors] = useState<Errors>({})
  useEffect(() => {
    setF(props.applied)
    setBirth(props.applied.patientBirthDate === '' ? '' : formatDateShort(props.applied.patientBirthDate))
  }, [props.applied])

  const set = (k: keyof JournalFilters, v: string): void => {
    setF((old) => ({ ...old, [k]: v }))
    if (errors[k] !== undefined) setErrors((old) => ({ ...old, [k]: undefined }))
  }

  function submit (e: Event): void {
    e.preventDefault()
    const next = { ...f, patientBirthDate: birth.trim() === '' ? '' : parseFrenchDate(birth), bookingId: f.bookingId.trim(), patientName: f.patientName.trim() }
    const found = check(next)
    setErrors(found)
    const first = (Object.keys(found) as Array<keyof JournalFilters>).find((k) => found[k] !== undefined)
    if (first !== undefined) {
      document.getElementById('jr-' + first)?.focus()
      return
    }
    props.onApply(next)
  }

  function reset (): void {
    setF(NO_FILTERS)
    setBirth('')
    setErrors({})
    props.onApply(NO_FILTERS)
  }

  return (
    <form class='card jr-filters' aria-labelledby='jr-filters-title' noValidate onSubmit={submit}>
      <h2 id='jr-filters-title'>Filtres</h2>
      <div class='jr-grid'>
        <Field id='jr-userId' label='Personne (compte)'>
          <select {...describe('jr-userId', undefined)} value={f.userId} onChange={(e) => set('userId', e.currentTarget.value)}>
            <option value=''>Toutes les personnes</option>
            {(props.users ?? []).map((u) => <option key={u.id} value={u.id}>{u.name} — {ROLE_LABEL[u.role]} ({u.email})</option>)}
          </select>
        </Field>
        <Field id='jr-action' label='Action'>
          <select {...describe('jr-action', undefined)} value={f.action} onChange={(e) => set('action', e.currentTarget.value)}>
            <option value=''>Toutes les actions</option>
            {ACTION_GROUPS.map((g) => (
              <optgroup key={g.label} label={g.label}>
                {g.actions.map(([code, label]) => <option key={code} value={code}>{label}</option>)}
              </optgroup>
            ))}
            {f.action !== '' && !ACTION_GROUPS.some((g) => g.actions.some(([code]) => code === f.action)) && <option value={f.action}>{f.action}</option>}
          </select>
        </Field>
        <Field id='jr-patientName' label='Nom du patient' hint='Majuscules et accents ignorés. Les réservations et demandes de liste d’attente de ce patient encore conservées.'>
          <input {...describe('jr-patientName', errors.patientName, true)} type='text' autocomplete='off' spellcheck={false} maxLength={100}
            value={f.patientName} onInput={(e) => set('patientName', e.currentTarget.value)} />
        </Field>
        <Field id='jr-patientBirthDate' label='Date de naissance du patient (facultatif)' error={errors.patientBirthDate} hint='JJ/MM/AAAA, avec le nom.'>
          <input {...describe('jr-patientBirthDate', errors.patientBirthDate, true)} type='text' inputMode='numeric' autocomplete='off' maxLength={10}
            value={birth} onInput={(e) => { setBirth(e.currentTarget.value); if (errors.patientBirthDate !== undefined) setErrors((o) => ({ ...o, patientBirthDate: undefined })) }} />
        </Field>
        <Field id='jr-bookingId' label='Réservation (identifiant)'>
          <input {...describe('jr-bookingId', undefined)} type='text' autocomplete='off' spellcheck={false} maxLength={100}
            value={f.bookingId} onInput={(e) => set('bookingId', e.currentTarget.value)} />
        </Field>
        <fieldset class='jr-period'>
          <legend>Période</legend>
          <div class='jr-dates'>
            <Field id='jr-from' label='Du' hint='jj/mm/aaaa' error={errors.from}>
              <DateInput {...describe('jr-from', errors.from, true)} value={f.from} onValue={(v) => set('from', v)} />
            </Field>
            <Field id='jr-to' label='Au (inclus)' hint='jj/mm/aaaa' error={errors.to}>
              <DateInput {...describe('jr-to', errors.to, true)} value={f.to} onValue={(v) => set('to', v)} />
            </Field>
          </div>
        </fieldset>
      </div>
      <div class='form-actions'>
        <button type='submit' class='primary' aria-disabled={props.busy}>{props.busy ? 'Chargement…' : 'Filtrer le journal'}</button>
        <button type='button' onClick={reset}>Effacer les filtres</button>
      </div>
    </form>
  )
}
