/**
 * The practitioner's agenda, first on /praticien: one day (today by default) or one week of
 * their own slots, with the patient of each booked one, and the withdrawals of a series, a day
 * of a series or a whole day in one action.
 */
import { useState } from 'preact/hooks'
import type { Booking, Slot } from '../../shared/schemas/slots.js'
import { plural } from '../lib/french.js'
import {
  STATUS_FR, addDays, formatDay, formatPhone, formatRange, formatTime, groupBy, localDateOf, mondayOf, shortDay, todayIn, whereText
} from './praticien-format.js'
import { WithdrawButton, WithdrawReport, type WithdrawOutcome } from './praticien-withdraw.js'

interface AgendaProps {
  /** The practitioner's slots from today on (withdrawn ones included), in start order. */
  slots: Slot[] | null
  bookings: Map<string, Booking>
  zone: string
  now: number
  onChanged: () => void
  /** The practitioner has several places: office slots name theirs. */
  manyPlaces: boolean
}

/** '3 créneaux : 2 libres, 1 réservé' for the live slots of a day. */
export function daySummary (slots: Slot[]): string {
  const n = (st: Slot['status']): number => slots.filter((s) => s.status === st).length
  const parts = ([['free', 'libre', 'libres'], ['held', 'en cours de réservation', 'en cours de réservation'], ['booked', 'réservé', 'réservés']] as const)
    .filter(([st]) => n(st) > 0).map(([st, one, many]) => plural(n(st), one, many))
  return slots.length === 0 ? 'aucun créneau' : `${plural(slots.length, 'créneau', 'créneaux')} : ${parts.join(', ')}`
}

/** A sentence's first letter in capital: 'Aucun créneau'. */
const capitalized = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

/** 'de 18:00 à 18:15': a slot's hours as a sentence says them. */
const fromTo = (start: string, end: string, zone: string): string => `de ${formatTime(start, zone)} à ${formatTime(end, zone)}`

/** 'Série de 12:00 à 12:30, du lun. 13 juil. au ven. 7 août' from the series' live slots. */
function seriesLabel (slots: Slot[], zone: string): string {
  const first = slots[0]!
  const days = [...new Set(slots.map((s) => localDateOf(s.start, zone)))]
  const times = slots.map((s) => formatTime(s.start, zone)).sort()
  const ends = slots.map((s) => formatTime(s.end, zone)).sort()
  const span = days.length === 1 ? `le ${shortDay(days[0]!)}` : `du ${shortDay(days[0]!)} au ${shortDay(days[days.length - 1]!)}`
  const hours = times[0] === times[times.length - 1] && slots.length === days.length ? fromTo(first.start, first.end, zone) : `de ${times[0]} à ${ends[ends.length - 1]}`
  return `Série ${hours}, ${span}`
}

export function Agenda (props: AgendaProps) {
  const today = todayIn(props.zone, props.now)
  const [view, setView] = useState<'day' | 'week'>('day')
  const [day, setDay] = useState(today)
  const [outcome, setOutcome] = useState<WithdrawOutcome | null>(null)
  const live = (props.slots ?? []).filter((s) => s.status !== 'withdrawn')
  const byDate = new Map(groupBy(live, (s) => localDateOf(s.start, props.zone)))
  const done = (o: WithdrawOutcome): void => { setOutcome(o); props.onChanged() }

  return (
    <section class='card pr-agenda' id='agenda' aria-labelledby='agenda-title'>
      <div class='pr-agenda-head'>
        <h2 id='agenda-title'>Mon agenda</h2>
        <div class='pr-tabs pr-tabs-small' role='group' aria-label='Affichage'>
          <button type='button' aria-pressed={view === 'day'} onClick={() => setView('day')}>Jour</button>
          <button type='button' aria-pressed={view === 'week'} onClick={() => setView('week')}>Semaine</button>
        </div>
      </div>
      {outcome !== null && <WithdrawReport outcome={outcome} bookings={props.bookings} zone={props.zone} onClose={() => setOutcome(null)} />}
      {props.slots === null
        ? <p class='hint'>Chargement…</p>
        : view === 'day'
          ? <DayView {...props} day={day} today={today} byDate={byDate} setDay={setDay} onWithdrawn={done} />
          : <WeekView {...props} day={day} today={today} byDate={byDate} open={(d) => { setDay(d); setView('day') }} setDay={setDay} />}
    </section>
  )
}

interface ViewProps extends AgendaProps {
  day: string
  today: string
  byDate: Map<string, Slot[]>
  setDay: (d: string) => void
}

function dayTitle (day: string, today: string): string {
  const name = formatDay(day)
  if (day === today) return `Aujourd’hui, ${name}`
  if (day === addDays(today, 1)) return `Demain, ${name}`
  return name.charAt(0).toUpperCase() + name.slice(1)
}

function DayView (props: ViewProps & { onWithdrawn: (o: WithdrawOutcome) => void }) {
  const { day, today, zone } = props
  const slots = props.byDate.get(day) ?? []
  const next = [...props.byDate.keys()].filter((d) => d > day).sort()[0]
  const allLive = (props.slots ?? []).filter((s) => s.status !== 'withdrawn')
  const groups = groupBy(slots, (s) => s.seriesId ?? '')
  const common = { bookings: props.bookings, zone, now: props.now, onDone: props.onWithdrawn }
  return (
    <div class='pr-day-view'>
      <div class='pr-nav'>
        <button type='button' aria-label='Jour précédent' disabled={day <= today} onClick={() => props.setDay(addDays(day, -1))}>‹</button>
        <h3 class='pr-nav-title' aria-live='polite'>{dayTitle(day, today)}</h3>
        <button type='button' aria-label='Jour suivant' onClick={() => props.setDay(addDays(day, 1))}>›</button>
      </div>
      {day !== today && <button type='button' class='link pr-today' onClick={() => props.setDay(today)}>Revenir à aujourd’hui</button>}
      <p class='pr-muted'>{capitalized(daySummary(slots))}.</p>
      {slots.length === 0
        ? next !== undefined && <button type='button' onClick={() => props.setDay(next)}>Prochain jour avec des créneaux : {shortDay(next)}</button>
        : (
          <ul class='pr-agenda-slots'>
            {slots.map((s) => <AgendaRow key={s.id} slot={s} booking={s.bookingId !== undefined ? props.bookings.get(s.bookingId) : undefined} zone={zone} now={props.now} manyPlaces={props.manyPlaces} />)}
          </ul>
          )}
      {slots.length > 0 && (
        <div class='pr-withdraws'>
          {groups.map(([seriesId, list]) => {
            if (seriesId === '') return <p key='' class='pr-withdraw-what'>Créneaux publiés un par un : {plural(list.length, 'créneau', 'créneaux')}</p>
            const whole = allLive.filter((s) => s.seriesId === seriesId)
            if (whole.length <= 1) {
              return (
                <div key={seriesId} class='pr-withdraw-group'>
                  <p class='pr-withdraw-what'>Créneau {fromTo(list[0]!.start, list[0]!.end, zone)}</p>
                  <WithdrawButton id={`wd-${seriesId}`} label='Retirer ce créneau' what={`le créneau ${fromTo(list[0]!.start, list[0]!.end, zone)}`} scope={{ seriesId }} slots={whole} {...common} />
                </div>
              )
            }
            return (
              <div key={seriesId} class='pr-withdraw-group'>
                <p class='pr-withdraw-what'>{seriesLabel(whole, zone)}</p>
                <div class='pr-actions'>
                  <WithdrawButton id={`wd-${seriesId}-${day}`} label='Retirer ce jour de la série' what={`ce jour de la série (${shortDay(day)})`}
                    scope={{ seriesId, date: day }} slots={list} {...common} />
                  {whole.length > list.length && (
                    <WithdrawButton id={`wd-${seriesId}`} label='Retirer toute la série' what='toute la série' scope={{ seriesId }} slots={whole} {...common} />
                  )}
                </div>
              </div>
            )
          })}
          {(groups.length > 1 || groups[0]?.[0] === '') && (
            <WithdrawButton id={`wd-day-${day}`} label='Retirer toute la journée' what={`toute la journée du ${shortDay(day)}`} scope={{ date: day }} slots={slots} {...common} />
          )}
        </div>
      )}
    </div>
  )
}

function AgendaRow (props: { slot: Slot, booking: Booking | undefined, zone: string, now: number, manyPlaces: boolean }) {
  const { slot: s, booking: b } = props
  const p = b?.patient
  const started = new Date(s.start).getTime() <= props.now
  const toRecord = b !== undefined && b.status === 'booked' && started
  return (
    <li class={'pr-agenda-slot pr-slot-' + s.status}>
      <span class='pr-slot-time'>{formatRange(s.start, s.end, props.zone)}</span>
      <span class={'pr-badge pr-badge-' + s.status}>{STATUS_FR[s.status]}</span>
      <span class='pr-muted'>{whereText(s, props.manyPlaces)}</span>
      {b !== undefined && (
        <span class='pr-agenda-patient'>
          <a href={'#booking-' + b.id}>{p !== undefined ? `${p.lastName.toUpperCase()} ${p.firstName}` : 'Réservation'}</a>
          {p !== undefined && <a class='pr-tel' href={'tel:' + p.phone.replace(/[\s.-]/g, '')}>{formatPhone(p.phone)}</a>}
          {b.reason !== null && b.reason !== '' && <span class='pr-muted'>{b.reason}</span>}
          {toRecord && <a class='pr-badge pr-badge-held' href={'#booking-' + b.id}>venu ? à renseigner</a>}
        </span>
      )}
    </li>
  )
}

function WeekView (props: ViewProps & { open: (d: string) => void }) {
  const { today, zone } = props
  const monday = mondayOf(props.day)
  const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i))
  const weekSlots = days.flatMap((d) => props.byDate.get(d) ?? [])
  return (
    <div class='pr-week-view'>
      <div class='pr-nav'>
        <button type='button' aria-label='Semaine précédente' disabled={monday <= mondayOf(today)} onClick={() => props.setDay(addDays(monday, -7))}>‹</button>
        <h3 class='pr-nav-title' aria-live='polite'>Semaine du {formatDay(monday)}</h3>
        <button type='button' aria-label='Semaine suivante' onClick={() => props.setDay(addDays(monday, 7))}>›</button>
      </div>
      <p class='pr-muted'>{capitalized(daySummary(weekSlots))}.</p>
      <ul class='pr-week'>
        {days.map((d) => {
          const list = props.byDate.get(d) ?? []
          const booked = list.filter((s) => s.status === 'booked').length
          const free = list.filter((s) => s.status === 'free').length
          return (
            <li key={d} class={d < today ? 'pr-past' : ''}>
              <button type='button' class='pr-week-day' onClick={() => props.open(d)}>
                <span class='pr-dayname'>{shortDay(d)}{d === today && ' (aujourd’hui)'}</span>
                <span class='sr-only'>: {daySummary(list)}.</span>
                <span class='pr-week-times'>
                  {list.length === 0
                    ? <span class='pr-muted'>—</span>
                    : list.map((s) => <span key={s.id} class={'pr-chip pr-chip-' + s.status}>{formatTime(s.start, zone)}</span>)}
                </span>
                {booked > 0 && <span class='pr-badge pr-badge-booked'>{plural(booked, 'réservé', 'réservés')}</span>}
                {free > 0 && <span class='pr-muted'>{plural(free, 'libre', 'libres')}</span>}
              </button>
            </li>
          )
        })}
      </ul>
      <p class='hint'>Touchez un jour pour le voir en détail, et retirer ses créneaux.</p>
    </div>
  )
}
