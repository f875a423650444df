/** Form pieces shared by the two publishing forms of /praticien. */
import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import type { CreateSeriesBody, SlotMode } from '../../shared/schemas/slots.js'
import { SLOT_DURATIONS, SLOT_MODES } from '../../shared/schemas/slots.js'
import { api, ApiError } from '../lib/api.js'
import { frenchFieldErrors, type IssueLike } from '../lib/fr-errors.js'
import { MODE_FR, WEEKDAYS, type SeriesAnswer } from './praticien-format.js'

export type Errors = Record<string, string | undefined>

export const REQUIRED = 'Champ obligatoire.'

/** ARIA attributes of an input with an optional hint and error (ids `<id>-hint`, `<id>-error`). */
export function aria (id: string, error: string | undefined, hint = false): Record<string, string | boolean> {
  const described = [hint ? id + '-hint' : '', error !== undefined ? id + '-error' : ''].filter((s) => s !== '').join(' ')
  return { 'aria-invalid': error !== undefined, ...(described !== '' ? { 'aria-describedby': described } : {}) }
}

export function FieldError (props: { id: string, error: string | undefined }) {
  return props.error === undefined ? null : <small id={props.id + '-error'} class='error' role='alert'>{props.error}</small>
}

/** zod issues (from the shared schemas or a 400 `details`) to French sentences by field path. */
export function frenchErrors (issues: ReadonlyArray<{ path: PropertyKey[], code?: string, message: string }>): Record<string, string> {
  const plain: IssueLike[] = issues.map((i) => ({ ...i, path: i.path.map((p) => typeof p === 'number' ? p : String(p)) }))
  return frenchFieldErrors(plain)
}

/** A whole number typed in a field, NaN when empty or not whole. */
export function toInt (s: string): number {
  return /^\s*\d+\s*$/.test(s) ? Number(s) : Number.NaN
}

const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'))
const MINUTES = Array.from({ length: 12 }, (_, m) => String(m * 5).padStart(2, '0'))

/**
 * Hour and minutes as two selects: always a 24-hour clock, whatever the browser's locale
 * (a native time input shows AM/PM in an English browser), and easy to use with a thumb.
 */
export function TimeSelect (props: { id: string, label: string, value: string, error: string | undefined, onChange: (v: string) => void }) {
  const [h, m] = props.value.split(':') as [string, string]
  return (
    <div class={'field' + (props.error !== undefined ? ' field-invalid' : '')}>
      <label for={props.id}>{props.label}</label>
      <div class='pr-time'>
        <select id={props.id} value={h} {...aria(props.id, props.error)} onChange={(e) => props.onChange(`${e.currentTarget.value}:${m}`)}>
          {HOURS.map((x) => <option key={x} value={x}>{x}</option>)}
        </select>
        <span aria-hidden='true'>h</span>
        <select id={props.id + '-min'} aria-label={props.label + ', minutes'} value={m} onChange={(e) => props.onChange(`${h}:${e.currentTarget.value}`)}>
          {MINUTES.map((x) => <option key={x} value={x}>{x}</option>)}
        </select>
      </div>
      <FieldError id={props.id} error={props.error} />
    </div>
  )
}

/** The length of a slot, from the short list of SLOT_DURATIONS (10 to 60 minutes). */
export function DurationSelect (props: { id: string, value: string, error: string | undefined, onChange: (v: string) => void }) {
  // A value typed elsewhere (an older form) stays choosable rather than silently changed.
  const options = (SLOT_DURATIONS as readonly number[]).includes(Number(props.value)) || props.value === ''
    ? [...SLOT_DURATIONS]
    : [...SLOT_DURATIONS, Number(props.value)].sort((a, b) => a - b)
  return (
    <div class={'field' + (props.error !== undefined ? ' field-invalid' : '')}>
      <label for={props.id}>Durée</label>
      <select id={props.id} value={props.value} {...aria(props.id, props.error)} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {options.map((m) => <option key={m} value={String(m)}>{m} min</option>)}
      </select>
      <FieldError id={props.id} error={props.error} />
    </div>
  )
}

/** Cabinet / Téléconsultation / Visite à domicile, as large radio buttons. */
export function ModeRadios (props: { name: string, value: SlotMode, onChange: (m: SlotMode) => void }) {
  return (
    <fieldset class='pr-fieldset'>
      <legend>Mode de consultation</legend>
      <div class='pr-choices'>
        {SLOT_MODES.map((m) => (
          <label key={m} class='pr-choice'>
            <input type='radio' name={props.name} value={m} checked={props.value === m} onChange={() => props.onChange(m)} />
            <span>{MODE_FR[m]}</span>
          </label>
        ))}
      </div>
    </fieldset>
  )
}

/** Seven checkboxes, Monday first. */
export function WeekdayChecks (props: { id: string, value: number[], error: string | undefined, onChange: (v: number[]) => void }) {
  const toggle = (n: number, on: boolean): void => {
    props.onChange(on ? [...props.value, n].sort((a, b) => a - b) : props.value.filter((x) => x !== n))
  }
  return (
    <fieldset class={'pr-fieldset' + (props.error !== undefined ? ' field-invalid' : '')} id={props.id} {...aria(props.id, props.error)}>
      <legend>Jours de la semaine</legend>
      <div class='pr-weekdays'>
        {WEEKDAYS.map((d) => (
          <label key={d.n} class='pr-day'>
            <input type='checkbox' checked={props.value.includes(d.n)} onChange={(e) => toggle(d.n, e.currentTarget.checked)} />
            <span aria-hidden='true'>{d.short}</span>
            <span class='sr-only'>{d.long}</span>
          </label>
        ))}
      </div>
      <div class='pr-presets'>
        <button type='button' class='link' onClick={() => props.onChange([1, 2, 3, 4, 5])}>du lundi au vendredi</button>
        <button type='button' class='link' onClick={() => props.onChange([1, 2, 3, 4, 5, 6, 7])}>tous les jours</button>
      </div>
      <FieldError id={props.id} error={props.error} />
    </fieldset>
  )
}

export function Labelled (props: { id: string, label: string, error: string | undefined, hint?: string | undefined, children: ComponentChildren }) {
  return (
    <div class={'field' + (props.error !== undefined ? ' field-invalid' : '')}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint !== undefined && <small id={props.id + '-hint'} class='hint'>{props.hint}</small>}
      <FieldError id={props.id} error={props.error} />
    </div>
  )
}

export interface DryRun {
  /** A request for the current form is under way (or waiting for the debounce). */
  loading: boolean
  answer: SeriesAnswer | undefined
  error: unknown
}

/**
 * The series endpoint's dry run for `body`, 300 ms after the form last changed, and again when
 * `version` changes (the practitioner's slots changed, so overlaps may have too). Answers to
 * an older form are dropped.
 */
export function useDryRun (body: CreateSeriesBody | null, version: number): DryRun {
  const key = body === null ? '' : JSON.stringify(body)
  const [state, setState] = useState<{ key: string, answer?: SeriesAnswer, error?: unknown } | null>(null)
  const seq = useRef(0)
  useEffect(() => {
    const mine = ++seq.current
    if (body === null) return
    const timer = setTimeout(() => {
      api<SeriesAnswer>('POST', '/api/slots/series', { ...body, dryRun: true }).then(
        (answer) => { if (seq.current === mine) setState({ key, answer }) },
        (error: unknown) => { if (seq.current === mine) setState({ key, error }) })
    }, 300)
    return () => clearTimeout(timer)
  }, [key, version])
  const current = state !== null && state.key === key ? state : null
  return { loading: body !== null && current === null, answer: current?.answer, error: current?.error }
}

/**
 * A refused request: 400 VALIDATION details in French by field path (through
 * frenchFieldErrors), anything else as one French sentence for the form.
 */
export function requestFailure (err: unknown): { fields: Record<string, string>, form?: string } {
  if (!(err instanceof ApiError)) return { fields: {}, form: 'Serveur injoignable. Vérifiez la connexion puis réessayez.' }
  if (err.code === 'UNAUTHENTICATED') return { fields: {}, form: 'Votre session a expiré : reconnectez-vous, puis réessayez.' }
  if (err.code === 'VALIDATION' && err.details.length > 0) return { fields: frenchErrors(err.details) }
  return { fields: {}, form: err.french }
}
