/**
 * Withdrawing several slots in one action on /praticien: a whole series, one day of it, or a
 * whole day (POST /api/slots/withdrawals). The confirmation says what goes and what stays:
 * booked slots are kept, and listed with their patient.
 */
import { useState } from 'preact/hooks'
import type { Booking, Slot } from '../../shared/schemas/slots.js'
import { api } from '../lib/api.js'
import { agree, plural } from '../lib/french.js'
import { requestFailure } from './praticien-fields.js'
import { formatRange, localDateOf, shortDay } from './praticien-format.js'

/** What a withdrawal targets: a series, a local date, or both. */
export interface WithdrawScope { seriesId?: string, date?: string }

export interface WithdrawOutcome { label: string, withdrawn: Slot[], kept: Slot[] }

/** Free or held, not started: what a withdrawal takes away. */
export const withdrawable = (s: Slot, now: number): boolean => (s.status === 'free' || s.status === 'held') && new Date(s.start).getTime() > now
/** Booked, not started: what a withdrawal keeps. */
export const keptBooked = (s: Slot, now: number): boolean => s.status === 'booked' && new Date(s.start).getTime() > now

/** '12:00 – 12:15 · MOREAU Léa' (the day too when the list spans several). */
function keptLine (s: Slot, bookings: Map<string, Booking>, zone: string, withDay: boolean): string {
  const p = s.bookingId !== undefined ? bookings.get(s.bookingId)?.patient : undefined
  const when = `${withDay ? shortDay(localDateOf(s.start, zone)) + ' ' : ''}${formatRange(s.start, s.end, zone)}`
  return p !== undefined ? `${when} · ${p.lastName.toUpperCase()} ${p.firstName}` : when
}

export function KeptList (props: { slots: Slot[], bookings: Map<string, Booking>, zone: string }) {
  if (props.slots.length === 0) return null
  const days = new Set(props.slots.map((s) => localDateOf(s.start, props.zone)))
  return (
    <ul class='pr-kept'>
      {props.slots.map((s) => <li key={s.id}>{keptLine(s, props.bookings, props.zone, days.size > 1)}</li>)}
    </ul>
  )
}

/**
 * A button that asks, then withdraws every free slot of `slots` (the client's view of the
 * scope) in one request; `onDone` gets the server's answer, which is what counts.
 */
export function WithdrawButton (props: {
  id: string
  label: string
  /** What the button's confirmation calls the target: 'ce jour de la série', 'toute la série'. */
  what: string
  scope: WithdrawScope
  slots: Slot[]
  bookings: Map<string, Booking>
  zone: string
  now: number
  onDone: (o: WithdrawOutcome) => void
}) {
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>()
  const going = props.slots.filter((s) => withdrawable(s, props.now))
  const staying = props.slots.filter((s) => keptBooked(s, props.now))
  if (going.length === 0 && !asking) return null

  async function confirm (): Promise<void> {
    setBusy(true)
    setError(undefined)
    try {
      const r = await api<{ withdrawn: Slot[], kept: Slot[] }>('POST', '/api/slots/withdrawals', props.scope)
      setAsking(false)
      props.onDone({ label: props.what, withdrawn: r.withdrawn, kept: r.kept })
    } catch (err) {
      setError(requestFailure(err).form ?? 'Les créneaux n\u2019ont pas pu être retirés.')
    } finally {
      setBusy(false)
    }
  }

  if (!asking) {
    return (
      <button type='button' class='pr-withdraw-btn' onClick={() => { setAsking(true); setError(undefined) }}>
        {props.label} <span class='pr-muted'>({plural(going.length, 'libre', 'libres')})</span>
      </button>
    )
  }
  const titleId = props.id + '-title'
  return (
    <div class='pr-confirm' role='group' aria-labelledby={titleId}>
      <p id={titleId}><strong>Retirer {props.what} ?</strong> {plural(going.length, 'créneau libre sera retiré', 'créneaux libres seront retirés')} : les régulateurs ne les verront plus.</p>
      {staying.length > 0 && (
        <>
          <p>{plural(staying.length, 'créneau réservé reste', 'créneaux réservés restent')} {agree(staying.length, 'publié', 'publiés')} (le patient est attendu ; annulez la réservation d’abord si besoin) :</p>
          <KeptList slots={staying} bookings={props.bookings} zone={props.zone} />
        </>
      )}
      <div class='pr-actions'>
        <button type='button' class='danger' disabled={busy} onClick={() => { void confirm() }}>{busy ? 'Retrait…' : `Oui, retirer ${plural(going.length, 'créneau', 'créneaux')}`}</button>
        <button type='button' disabled={busy} onClick={() => setAsking(false)}>Garder</button>
      </div>
      {error !== undefined && <p class='error' role='alert'>{error}</p>}
    </div>
  )
}

/** What the last withdrawal did, as the server answered it. */
export function WithdrawReport (props: { outcome: WithdrawOutcome, bookings: Map<string, Booking>, zone: string, onClose: () => void }) {
  const { withdrawn, kept, label } = props.outcome
  return (
    <div class={'banner ' + (withdrawn.length > 0 ? 'banner-ok' : 'banner-warn')} role='status'>
      <p><strong>{withdrawn.length === 0 ? `Aucun créneau retiré (${label}).` : `${plural(withdrawn.length, 'créneau retiré', 'créneaux retirés')} (${label}).`}</strong></p>
      {kept.length > 0 && (
        <>
          <p>{plural(kept.length, 'créneau réservé gardé', 'créneaux réservés gardés')} :</p>
          <KeptList slots={kept} bookings={props.bookings} zone={props.zone} />
        </>
      )}
      <button type='button' class='link' onClick={props.onClose}>Fermer</button>
    </div>
  )
}
