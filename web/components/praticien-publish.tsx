/** Publishing on /praticien: one slot, or a weekly series with a live preview of what it creates. */
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import type { Place } from '../../shared/schemas/places.js'
import { CreateSeriesBody, type SlotKind, type SlotMode } from '../../shared/schemas/slots.js'
import { api } from '../lib/api.js'
import { frenchIssue } from '../lib/fr-errors.js'
import {
  DurationSelect, FieldError, Labelled, ModeRadios, REQUIRED, TimeSelect, WeekdayChecks, aria, frenchErrors, requestFailure, toInt, useDryRun, type Errors
} from './praticien-fields.js'
import {
  MODE_FR, SKIP_FR, addDays, daysBetween, formatDay, formatRange, groupBy, isoWeekday, localDateOf, localParts, mondayOf,
  shortDay, skippedAt, slotsCount, todayIn, weekLabel, type Holiday, type SeriesAnswer, type SkipReason
} from './praticien-format.js'
import { plural } from '../lib/french.js'
import { KIND_LONG_FR } from '../lib/format.js'
import { DateInput, isDate } from './date-input.js'

const MAX_DAYS_AHEAD = 180

export interface PanelProps {
  zone: string
  kind: SlotKind
  /** Bumped whenever the practitioner's slots changed: previews are computed again. */
  version: number
  onPublished: () => void
  /** The practitioner's active places, the home place first. */
  places: Place[]
  /** The CPTS they are a member of, the home one first. */
  cpts: Array<{ id: string, name: string }>
}

/** Where the slots are held and the CPTS they are offered to (the same for both forms). */
export interface Where { placeId: string, cptsIds: string[] }

interface PublishProps extends PanelProps {
  where: Where
  onWhere: (w: Where) => void
}

export function PublishPanel (props: PanelProps) {
  const [tab, setTab] = useState<'series' | 'one'>('series')
  // The home place, and every CPTS (a slot is offered to all of them unless unticked).
  const [where, setWhere] = useState<Where>(() => ({ placeId: props.places[0]?.id ?? '', cptsIds: props.cpts.map((c) => c.id) }))
  const all = { ...props, where, onWhere: setWhere }
  return (
    <section class='card pr-publish' id='publier' aria-labelledby='publier-title'>
      <h2 id='publier-title'>Publier des créneaux</h2>
      <p class='hint pr-kind'>Type : {KIND_LONG_FR[props.kind]}. Heures de la CPTS ({props.zone}).</p>
      <div class='pr-tabs' role='group' aria-label='Que publier ?'>
        <button type='button' aria-pressed={tab === 'series'} onClick={() => setTab('series')}>Une série</button>
        <button type='button' aria-pressed={tab === 'one'} onClick={() => setTab('one')}>Un créneau</button>
      </div>
      {tab === 'series' ? <SeriesForm {...all} /> : <OneSlotForm {...all} />}
    </section>
  )
}

// ------------------------------------------------------------------ place and CPTS

/**
 * The place and CPTS fields of a body: sent only when there is a choice (the server's defaults
 * are the home place and the home CPTS), the CPTS in the order of the list (home first, so it
 * stays the slots' own CPTS when ticked).
 */
function whereBody (props: PublishProps): { placeId?: string, cptsIds?: string[] } {
  const cptsIds = props.cpts.map((c) => c.id).filter((id) => props.where.cptsIds.includes(id))
  return { ...(props.places.length > 1 ? { placeId: props.where.placeId } : {}), ...(props.cpts.length > 1 ? { cptsIds } : {}) }
}

/** 'Maison de santé du port (Saint-Gilles-Croix-de-Vie)', or the commune alone when it is the label. */
function placeText (p: Place): string {
  return p.label === p.commune ? p.commune : `${p.label} (${p.commune})`
}

/** What the preview adds about the place and CPTS, when the practitioner has a choice. */
function whereText (props: PublishProps): string {
  const place = props.places.find((p) => p.id === props.where.placeId)
  const parts = [
    ...(props.places.length > 1 && place !== undefined ? [`Lieu : ${placeText(place)}`] : []),
    ...(props.cpts.length > 1 ? [`proposé à : ${props.cpts.filter((c) => props.where.cptsIds.includes(c.id)).map((c) => c.name).join(', ')}`] : [])
  ]
  return parts.join(' · ')
}

/** The error of the place or CPTS fields, whatever the path's index ('cptsIds.0'). */
const whereError = (errors: Errors, field: 'placeId' | 'cptsIds'): string | undefined =>
  Object.entries(errors).find(([k, v]) => v !== undefined && (k === field || k.startsWith(field + '.')))?.[1]

/**
 * The place picker (hidden with one place: radios up to three, a list beyond) and the CPTS
 * checkboxes (hidden with one CPTS; all ticked at first, one at least).
 */
function WhereFields (props: PublishProps & { idPrefix: string, errors: Errors, onChange: () => void }) {
  const { places, cpts, where } = props
  const set = (patch: Partial<Where>): void => { props.onWhere({ ...where, ...patch }); props.onChange() }
  const placeId = `${props.idPrefix}-place`
  const cptsId = `${props.idPrefix}-cpts`
  const placeError = whereError(props.errors, 'placeId')
  const cptsError = whereError(props.errors, 'cptsIds')
  return (
    <>
      {places.length > 1 && places.length <= 3 && (
        <fieldset class={'pr-fieldset' + (placeError !== undefined ? ' field-invalid' : '')} id={placeId} {...aria(placeId, placeError)}>
          <legend>Lieu de consultation</legend>
          <div class='pr-choices'>
            {places.map((p) => (
              <label key={p.id} class='pr-choice'>
                <input type='radio' name={placeId} value={p.id} checked={where.placeId === p.id} onChange={() => set({ placeId: p.id })} />
                <span>{placeText(p)}</span>
              </label>
            ))}
          </div>
          <FieldError id={placeId} error={placeError} />
        </fieldset>
      )}
      {places.length > 3 && (
        <div class={'field' + (placeError !== undefined ? ' field-invalid' : '')}>
          <label for={placeId}>Lieu de consultation</label>
          <select id={placeId} value={where.placeId} {...aria(placeId, placeError)} onChange={(e) => set({ placeId: e.currentTarget.value })}>
            {places.map((p) => <option key={p.id} value={p.id}>{placeText(p)}</option>)}
          </select>
          <FieldError id={placeId} error={placeError} />
        </div>
      )}
      {cpts.length > 1 && (
        <fieldset class={'pr-fieldset' + (cptsError !== undefined ? ' field-invalid' : '')} id={cptsId} {...aria(cptsId, cptsError)}>
          <legend>Proposer à la régulation de</legend>
          <div class='pr-choices'>
            {cpts.map((c) => (
              <label key={c.id} class='pr-choice'>
                <input type='checkbox' value={c.id} checked={where.cptsIds.includes(c.id)}
                  onChange={(e) => set({ cptsIds: e.currentTarget.checked ? [...where.cptsIds, c.id] : where.cptsIds.filter((x) => x !== c.id) })} />
                <span>{c.name}</span>
              </label>
            ))}
          </div>
          <FieldError id={cptsId} error={cptsError} />
        </fieldset>
      )}
    </>
  )
}

/** The form's own check of the CPTS ticked (the server says the same, in other words). */
const NO_CPTS = 'Cochez au moins une CPTS.'
const noCpts = (props: PublishProps): boolean => props.cpts.length > 1 && props.where.cptsIds.length === 0

// ------------------------------------------------------------------ one slot

/** Today at 12:00 before noon, else the next full hour, else tomorrow at 12:00 (CPTS time). */
function defaultStart (zone: string): { date: string, time: string } {
  const now = localParts(new Date(), zone)
  const hour = Number(now.time.slice(0, 2))
  if (hour < 12) return { date: now.date, time: '12:00' }
  if (hour < 23) return { date: now.date, time: `${String(hour + 1).padStart(2, '0')}:00` }
  return { date: addDays(now.date, 1), time: '12:00' }
}

/** The fields of the one-slot form an issue of the series body belongs to. */
const ONE_FIELD: Record<string, string> = { from: 'date', to: 'date', weekdays: 'date', startTime: 'time', slotMinutes: 'duration', placeId: 'placeId', cptsIds: 'cptsIds' }

/** Where each skip reason of the one-slot form is shown, and how. */
const ONE_SKIP: Record<SkipReason, { field: string, message: string }> = {
  in_the_past: { field: 'time', message: 'Ce créneau est déjà passé : choisissez une heure à venir.' },
  too_far_ahead: { field: 'date', message: `Au plus ${MAX_DAYS_AHEAD} jours à l\u2019avance.` },
  nonexistent_local_time: { field: 'time', message: 'Cette heure n\u2019existe pas ce jour-là (passage à l\u2019heure d\u2019été).' },
  overlaps_previous: { field: 'time', message: 'Ce créneau chevauche un de vos créneaux.' },
  overlap: { field: 'time', message: 'Ce créneau chevauche un de vos créneaux.' },
  public_holiday: { field: 'date', message: 'Ce jour est férié.' }
}

function remap (fields: Record<string, string>): { fields: Errors, form?: string } {
  const out: Errors = {}
  const other: string[] = []
  for (const [path, sentence] of Object.entries(fields)) {
    const f = ONE_FIELD[path.split('.')[0] ?? '']
    if (f !== undefined) out[f] ??= sentence; else other.push(sentence)
  }
  return other.length > 0 ? { fields: out, form: other.join(' ') } : { fields: out }
}

/**
 * One slot. The form sends the series endpoint with count 1 (from = to = the date, its
 * weekday, startTime, slotMinutes = the duration) instead of POST /api/slots: the server then
 * turns the local date and time into an instant in the CPTS's zone with the same tested code
 * as series (daylight-saving gaps and repeated hours included), so the browser never computes
 * an offset, and the same dry run shows the exact slot (or why it cannot be published) before
 * the click.
 */
function OneSlotForm (props: PublishProps) {
  const [v, setV] = useState(() => ({ ...defaultStart(props.zone), duration: '15', mode: 'office' as SlotMode }))
  const [sent, setSent] = useState<{ errors: Errors, form?: string | undefined, done?: string } | null>(null)
  const [publishedKey, setPublishedKey] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const today = todayIn(props.zone)

  const errors: Errors = {}
  const minutes = toInt(v.duration)
  if (v.date === '') errors.date = REQUIRED
  else if (!isDate(v.date)) errors.date = 'Date invalide (jj/mm/aaaa).'
  else if (v.date < today) errors.date = 'Cette date est passée.'
  else if (daysBetween(today, v.date) > MAX_DAYS_AHEAD) errors.date = ONE_SKIP.too_far_ahead.message
  if (v.duration.trim() === '') errors.duration = REQUIRED
  else if (!(minutes >= 5 && minutes <= 240)) errors.duration = frenchIssue({ code: 'custom', path: ['slotMinutes'], message: '' })
  if (noCpts(props)) errors.cptsIds = NO_CPTS
  let body: CreateSeriesBody | null = null
  if (Object.keys(errors).length === 0) {
    const parsed = CreateSeriesBody.safeParse({
      from: v.date, to: v.date, weekdays: [isoWeekday(v.date)], startTime: v.time, slotMinutes: minutes, count: 1, kind: props.kind, mode: v.mode, ...whereBody(props)
    })
    if (parsed.success) body = parsed.data
    else Object.assign(errors, remap(frenchErrors(parsed.error.issues)).fields)
  }
  // Once published, the same form would only overlap the new slot: no dry run until it changes.
  const justPublished = body !== null && publishedKey === JSON.stringify(body)
  const dry = useDryRun(justPublished ? null : body, props.version)
  const skip = dry.answer?.skipped[0]
  if (skip !== undefined) errors[ONE_SKIP[skip.reason].field] ??= ONE_SKIP[skip.reason].message
  const dryFailure = dry.error !== undefined ? requestFailure(dry.error) : null
  if (dryFailure !== null) Object.assign(errors, remap(dryFailure.fields).fields)
  const shown: Errors = { ...errors, ...(sent?.errors ?? {}) }
  const planned = dry.answer?.preview?.[0]

  const change = (patch: Partial<typeof v>): void => { setV({ ...v, ...patch }); setSent(null) }

  async function submit (e: Event): Promise<void> {
    e.preventDefault()
    if (body === null || Object.keys(errors).length > 0) {
      setSent({ errors: {}, form: 'Corrigez les champs signalés.' })
      return
    }
    setBusy(true)
    try {
      const r = await api<SeriesAnswer>('POST', '/api/slots/series', body)
      const made = r.created[0]
      const refused = r.skipped[0]
      if (made !== undefined) {
        setPublishedKey(JSON.stringify(body))
        setSent({ errors: {}, done: `Créneau publié : ${formatDay(localDateOf(made.start, props.zone))}, ${formatRange(made.start, made.end, props.zone)}.` })
        props.onPublished()
      } else if (refused !== undefined) {
        setSent({ errors: { [ONE_SKIP[refused.reason].field]: ONE_SKIP[refused.reason].message } })
      }
    } catch (err) {
      const f = requestFailure(err)
      const m = remap(f.fields)
      setSent({ errors: m.fields, form: f.form ?? m.form })
    } finally {
      setBusy(false)
    }
  }

  const where = whereText(props)
  return (
    <form class='pr-form' noValidate onSubmit={(e) => { void submit(e) }}>
      <WhereFields {...props} idPrefix='one' errors={shown} onChange={() => setSent(null)} />
      <div class='pr-fields'>
        <Labelled id='one-date' label='Date' error={shown.date} hint={isDate(v.date) ? formatDay(v.date) : 'jj/mm/aaaa'}>
          <DateInput id='one-date' value={v.date} required {...aria('one-date', shown.date, true)} onValue={(date) => change({ date })} />
        </Labelled>
        <TimeSelect id='one-time' label='Heure de début' value={v.time} error={shown.time} onChange={(time) => change({ time })} />
        <DurationSelect id='one-duration' value={v.duration} error={shown.duration} onChange={(duration) => change({ duration })} />
      </div>
      <ModeRadios name='one-mode' value={v.mode} onChange={(mode) => change({ mode })} />
      <p class='pr-summary' aria-live='polite'>
        {!justPublished && planned !== undefined && Object.keys(shown).length === 0
          ? <>Sera publié : <strong>{formatDay(localDateOf(planned.start, props.zone))}, {formatRange(planned.start, planned.end, props.zone)}</strong> · {MODE_FR[v.mode]}{where !== '' && <> · {where}</>}</>
          : dry.loading ? 'Vérification…' : ''}
      </p>
      {(sent?.form ?? dryFailure?.form) !== undefined && <p class='banner banner-error' role='alert'>{sent?.form ?? dryFailure?.form}</p>}
      {sent?.done !== undefined && <p class='banner banner-ok' role='status'>{sent.done}</p>}
      <button type='submit' class='primary' disabled={busy}>{busy ? 'Publication…' : 'Publier ce créneau'}</button>
    </form>
  )
}

// ------------------------------------------------------------------ series

interface SeriesValues {
  from: string
  to: string
  weekdays: number[]
  startTime: string
  slotMinutes: string
  count: string
  mode: SlotMode
  /** Leave the public holidays out of the series. */
  skipHolidays: boolean
}

/** The body the series form would send, or the French errors by field that prevent it. */
function checkSeries (v: SeriesValues, kind: SlotKind, today: string, where: { placeId?: string, cptsIds?: string[] }, cptsMissing: boolean): { body: CreateSeriesBody | null, errors: Errors } {
  const errors: Errors = {}
  const parsed = CreateSeriesBody.safeParse({
    from: v.from, to: v.to, weekdays: v.weekdays, startTime: v.startTime,
    slotMinutes: toInt(v.slotMinutes), count: toInt(v.count), kind, mode: v.mode, ...(v.skipHolidays ? { skipHolidays: true } : {}), ...where
  })
  if (!parsed.success) Object.assign(errors, frenchErrors(parsed.error.issues))
  if (cptsMissing) errors.cptsIds = NO_CPTS
  for (const f of ['from', 'to', 'slotMinutes', 'count'] as const) if (v[f].trim() === '') errors[f] = REQUIRED
  // The server's own limits (server/features/slots/slot-times.ts), checked here to say so next to the field.
  const minutes = toInt(v.slotMinutes)
  const count = toInt(v.count)
  if (errors.slotMinutes === undefined && !(minutes >= 5 && minutes <= 240)) errors.slotMinutes = frenchIssue({ code: 'custom', path: ['slotMinutes'], message: '' })
  if (errors.count === undefined && !(count >= 1 && count <= 48)) errors.count = frenchIssue({ code: 'custom', path: ['count'], message: '' })
  if (errors.count === undefined && errors.slotMinutes === undefined && minutes * count > 24 * 60) {
    errors.count = 'Les créneaux d\u2019une journée (nombre × durée) doivent tenir en 24 heures.'
  }
  if (errors.from === undefined && errors.to === undefined) {
    if (v.to < v.from) errors.to = 'La date de fin doit être le même jour que la date de début, ou après.'
    else if (v.to < today) errors.to = 'Cette période est passée.'
    else if (daysBetween(v.from, v.to) > MAX_DAYS_AHEAD) errors.to = `Une série couvre au plus ${MAX_DAYS_AHEAD + 1} jours.`
  }
  const clean = Object.fromEntries(Object.entries(errors).filter(([, s]) => s !== undefined)) as Errors
  return { body: parsed.success && Object.keys(clean).length === 0 ? parsed.data : null, errors: clean }
}

function SeriesForm (props: PublishProps) {
  const [v, setV] = useState<SeriesValues>(() => {
    const from = addDays(todayIn(props.zone), 1)
    return { from, to: addDays(from, 27), weekdays: [1, 2, 3, 4, 5], startTime: '12:00', slotMinutes: '15', count: '2', mode: 'office', skipHolidays: false }
  })
  const [result, setResult] = useState<{ key: string, answer: SeriesAnswer } | null>(null)
  const [sent, setSent] = useState<{ errors: Errors, form?: string | undefined } | null>(null)
  const [busy, setBusy] = useState(false)
  const today = todayIn(props.zone)

  const { body, errors } = checkSeries(v, props.kind, today, whereBody(props), noCpts(props))
  const key = body === null ? '' : JSON.stringify(body)
  const justPublished = result !== null && result.key === key
  const dry = useDryRun(justPublished ? null : body, props.version)
  const dryFailure = dry.error !== undefined ? requestFailure(dry.error) : null
  const shown: Errors = { ...errors, ...(dryFailure?.fields ?? {}), ...(sent?.errors ?? {}) }
  const count = dry.answer?.preview?.length ?? 0

  const change = (patch: Partial<SeriesValues>): void => { setV({ ...v, ...patch }); setSent(null) }

  async function submit (e: Event): Promise<void> {
    e.preventDefault()
    if (body === null) { setSent({ errors: {}, form: 'Corrigez les champs signalés.' }); return }
    setBusy(true)
    try {
      const answer = await api<SeriesAnswer>('POST', '/api/slots/series', body)
      setResult({ key, answer })
      setSent(null)
      props.onPublished()
    } catch (err) {
      const f = requestFailure(err)
      setSent({ errors: f.fields, form: f.form })
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class='pr-form' noValidate onSubmit={(e) => { void submit(e) }}>
      <WhereFields {...props} idPrefix='series' errors={shown} onChange={() => setSent(null)} />
      <div class='pr-fields'>
        <Labelled id='series-from' label='Du' error={shown.from} hint={isDate(v.from) && shown.from === undefined ? formatDay(v.from) : 'jj/mm/aaaa'}>
          <DateInput id='series-from' value={v.from} required {...aria('series-from', shown.from, true)} onValue={(from) => change({ from })} />
        </Labelled>
        <Labelled id='series-to' label='Au (inclus)' error={shown.to} hint={isDate(v.to) && shown.to === undefined ? formatDay(v.to) : 'jj/mm/aaaa'}>
          <DateInput id='series-to' value={v.to} required {...aria('series-to', shown.to, true)} onValue={(to) => change({ to })} />
        </Labelled>
      </div>
      <WeekdayChecks id='series-weekdays' value={v.weekdays} error={shown.weekdays} onChange={(weekdays) => change({ weekdays })} />
      <div class='pr-fields pr-fields-3'>
        <TimeSelect id='series-time' label='1er créneau à' value={v.startTime} error={shown.startTime} onChange={(startTime) => change({ startTime })} />
        <DurationSelect id='series-minutes' value={v.slotMinutes} error={shown.slotMinutes} onChange={(slotMinutes) => change({ slotMinutes })} />
        <Labelled id='series-count' label='Nombre par jour' error={shown.count} hint='créneaux à la suite'>
          <input id='series-count' type='number' inputMode='numeric' min={1} max={48} value={v.count} required
            {...aria('series-count', shown.count, true)} onInput={(e) => change({ count: e.currentTarget.value })} />
        </Labelled>
      </div>
      <ModeRadios name='series-mode' value={v.mode} onChange={(mode) => change({ mode })} />

      {justPublished
        ? <PublishedReport answer={result.answer} zone={props.zone} />
        : <SeriesPreview zone={props.zone} where={whereText(props)} loading={dry.loading} answer={body !== null ? dry.answer : undefined} invalid={body === null}
            skipHolidays={v.skipHolidays} onSkipHolidays={(skipHolidays) => change({ skipHolidays })} />}
      {(sent?.form ?? dryFailure?.form) !== undefined && <p class='banner banner-error' role='alert'>{sent?.form ?? dryFailure?.form}</p>}
      {!justPublished && (
        <button type='submit' class='primary' disabled={busy || body === null || dry.loading || count === 0}>
          {busy ? 'Publication…' : count > 0 ? `Publier ${slotsCount(count)}` : 'Publier'}
        </button>
      )}
    </form>
  )
}

function sentence (n: number, future: boolean): string {
  if (future) return n === 0 ? 'Aucun créneau ne sera créé' : n === 1 ? '1 créneau sera créé' : `${n} créneaux seront créés`
  return n === 0 ? 'Aucun créneau publié' : n === 1 ? '1 créneau publié' : `${n} créneaux publiés`
}

/** The holidays the series touches: days with a slot in the preview, or left out as holidays. */
function holidaysHit (answer: SeriesAnswer, zone: string): Holiday[] {
  const days = new Set([
    ...(answer.preview ?? []).map((s) => localDateOf(s.start, zone)),
    ...answer.skipped.filter((s) => s.reason === 'public_holiday').map((s) => skippedAt(s.start, zone).date)
  ])
  return (answer.holidays ?? []).filter((h) => days.has(h.date))
}

function SeriesPreview (props: {
  zone: string, where: string, loading: boolean, answer: SeriesAnswer | undefined, invalid: boolean
  skipHolidays: boolean, onSkipHolidays: (on: boolean) => void
}) {
  const { answer } = props
  const slots = answer?.preview ?? []
  const hit = answer !== undefined ? holidaysHit(answer, props.zone) : []
  return (
    <div class={'pr-preview' + (props.loading ? ' pr-stale' : '')}>
      <h3>Aperçu</h3>
      <p class='pr-count' aria-live='polite'>
        {props.invalid
          ? 'Complétez le formulaire pour voir les créneaux.'
          : answer === undefined ? 'Calcul de l\u2019aperçu…' : <strong>{sentence(slots.length, true)}</strong>}
      </p>
      {props.where !== '' && <p class='pr-where'>{props.where}</p>}
      {hit.length > 0 && (
        <div class='pr-holidays' role='note'>
          <p><strong>{plural(hit.length, 'jour férié', 'jours fériés')} dans cette série :</strong> {hit.map((h) => `${formatDay(h.date)} (${h.name})`).join(', ')}.</p>
          <label class='pr-check'>
            <input type='checkbox' checked={props.skipHolidays} onChange={(e) => props.onSkipHolidays(e.currentTarget.checked)} />
            <span>Ne pas publier les jours fériés</span>
          </label>
        </div>
      )}
      {answer !== undefined && <SlotWeeks slots={slots} zone={props.zone} holidays={answer.holidays ?? []} />}
      {answer !== undefined && <Skipped skipped={answer.skipped} zone={props.zone} future />}
    </div>
  )
}

function PublishedReport (props: { answer: SeriesAnswer, zone: string }) {
  const { created, skipped } = props.answer
  return (
    <div class='pr-preview' role='status'>
      <p class={'banner ' + (created.length > 0 ? 'banner-ok' : 'banner-warn')}>
        <strong>{sentence(created.length, false)}.</strong>
        {skipped.length > 0 && ` ${plural(skipped.length, 'non publié', 'non publiés')} (voir ci-dessous).`}
        {' '}Modifiez le formulaire pour publier une autre série.
      </p>
      <Skipped skipped={skipped} zone={props.zone} future={false} />
    </div>
  )
}

/** Slots grouped by week (collapsed when the list is long), then by day. */
function SlotWeeks (props: { slots: Array<{ start: string, end: string }>, zone: string, holidays: Holiday[] }) {
  const holiday = new Map(props.holidays.map((h) => [h.date, h.name]))
  const weeks = groupBy(props.slots, (s) => mondayOf(localDateOf(s.start, props.zone)))
  const long = props.slots.length > 12
  return (
    <div class='pr-weeks'>
      {weeks.map(([monday, list], i) => (
        <Collapsible key={monday} open={!long || i === 0}
          summary={<>{weekLabel(monday)} <span class='pr-muted'>· {slotsCount(list.length)}</span></>}>
          <ul class='pr-days'>
            {groupBy(list, (s) => localDateOf(s.start, props.zone)).map(([day, ds]) => (
              <li key={day} class={holiday.has(day) ? 'pr-holiday' : undefined}>
                <span class='pr-dayname'>{shortDay(day)}</span>
                <span>{ds.map((s) => formatRange(s.start, s.end, props.zone)).join(', ')}</span>
                {holiday.has(day) && <span class='pr-badge pr-badge-held'>férié : {holiday.get(day)}</span>}
              </li>
            ))}
          </ul>
        </Collapsible>
      ))}
    </div>
  )
}

/** What the series leaves out, by reason. */
function Skipped (props: { skipped: SeriesAnswer['skipped'], zone: string, future: boolean }) {
  if (props.skipped.length === 0) return null
  const byReason = groupBy(props.skipped, (s) => s.reason)
  return (
    <div class='pr-skipped'>
      <p><strong>{props.skipped.length === 1 ? '1 créneau' : `${props.skipped.length} créneaux`} {props.future ? (props.skipped.length === 1 ? 'ne sera pas créé' : 'ne seront pas créés') : (props.skipped.length === 1 ? 'n\u2019a pas été créé' : 'n\u2019ont pas été créés')} :</strong></p>
      {byReason.map(([reason, list]) => (
        <Collapsible key={reason} open={list.length <= 5}
          summary={<>{SKIP_FR[reason as SkipReason]} <span class='pr-muted'>· {list.length}</span></>}>
          <ul class='pr-days'>
            {list.map((s) => {
              const at = skippedAt(s.start, props.zone)
              return <li key={s.start}><span class='pr-dayname'>{shortDay(at.date)}</span> <span>{at.time}</span></li>
            })}
          </ul>
        </Collapsible>
      ))}
    </div>
  )
}

/** A <details> whose content is rendered only once opened (long previews stay light). */
export function Collapsible (props: { open: boolean, summary: ComponentChildren, children: ComponentChildren }) {
  const [open, setOpen] = useState(props.open)
  return (
    <details class='pr-details' open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary><span>{props.summary}</span></summary>
      {open && props.children}
    </details>
  )
}
