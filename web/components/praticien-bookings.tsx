/** The practitioner's bookings on /praticien: patient identity, cancel, honored / no-show. */
import { useState } from 'preact/hooks'
import { CancelBody, type Booking } from '../../shared/schemas/slots.js'
import { api } from '../lib/api.js'
import { FieldError, aria, requestFailure } from './praticien-fields.js'
import {
  BOOKING_STATUS_FR, MODE_FR, TREATING_GP_FR, formatBirthDate, formatDay, formatPhone, formatRange, formatTime, localDateOf, shortDay, todayIn
} from './praticien-format.js'
import { Collapsible } from './praticien-publish.js'

const started = (b: Booking, now: number): boolean => b.slot !== undefined && new Date(b.slot.start).getTime() <= now
const startOf = (b: Booking): number => b.slot !== undefined ? new Date(b.slot.start).getTime() : 0

export function Bookings (props: { bookings: Booking[] | null, zone: string, now: number, onChanged: () => void }) {
  const all = props.bookings
  const { now } = props
  const toRecord = (all ?? []).filter((b) => b.status === 'booked' && started(b, now)).sort((a, b) => startOf(a) - startOf(b))
  const upcoming = (all ?? []).filter((b) => b.status === 'booked' && !started(b, now)).sort((a, b) => startOf(a) - startOf(b))
  const recent = (all ?? []).filter((b) => b.status !== 'booked').sort((a, b) => startOf(b) - startOf(a))
  const card = (b: Booking) => <BookingCard key={b.id} booking={b} zone={props.zone} now={now} onChanged={props.onChanged} />
  return (
    <section class='card' id='reservations' aria-labelledby='reservations-title'>
      <h2 id='reservations-title'>Réservations</h2>
      {all === null && <p class='hint'>Chargement…</p>}
      {all !== null && all.length === 0 && <p class='pr-muted'>Aucune réservation à venir ni dans les 30 derniers jours.</p>}
      {toRecord.length > 0 && (
        <>
          <h3 class='pr-subtitle'>À renseigner : le patient est-il venu ? ({toRecord.length})</h3>
          <div class='pr-bookings'>{toRecord.map(card)}</div>
        </>
      )}
      {all !== null && all.length > 0 && (
        <>
          <h3 class='pr-subtitle'>À venir ({upcoming.length})</h3>
          {upcoming.length === 0 ? <p class='pr-muted'>Aucune réservation à venir.</p> : <div class='pr-bookings'>{upcoming.map(card)}</div>}
        </>
      )}
      {recent.length > 0 && (
        <Collapsible open={recent.length <= 3} summary={<>Récentes : annulées ou clôturées <span class='pr-muted'>· {recent.length}</span></>}>
          <div class='pr-bookings'>{recent.map(card)}</div>
        </Collapsible>
      )}
    </section>
  )
}

/** French sentence for a refused cancel or outcome (BOOKING_ALREADY_CANCELLED, BOOKING_CLOSED…: by code). */
function refusal (err: unknown): string {
  return requestFailure(err).form ?? 'Action refusée.'
}

function BookingCard (props: { booking: Booking, zone: string, now: number, onChanged: () => void }) {
  const b = props.booking
  const [cancelling, setCancelling] = useState(false)
  const [reason, setReason] = useState('')
  const [reasonError, setReasonError] = useState<string | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  const id = b.id
  const p = b.patient
  const when = b.slot !== undefined
    ? `${formatDay(localDateOf(b.slot.start, props.zone))} · ${formatRange(b.slot.start, b.slot.end, props.zone)}`
    : 'Créneau inconnu'
  const isStarted = started(b, props.now)

  async function run (fn: () => Promise<unknown>): Promise<void> {
    setBusy(true)
    setError(undefined)
    try {
      await fn()
      setCancelling(false)
    } catch (err) {
      setError(refusal(err))
    } finally {
      setBusy(false)
      props.onChanged()
    }
  }

  async function cancel (e: Event): Promise<void> {
    e.preventDefault()
    const parsed = CancelBody.safeParse({ reason })
    if (!parsed.success) {
      setReasonError(reason.trim() === '' ? 'Indiquez le motif de l\u2019annulation.' : 'Motif trop long : 500 caractères au plus.')
      return
    }
    setReasonError(undefined)
    setBusy(true)
    setError(undefined)
    try {
      await api('POST', `/api/bookings/${encodeURIComponent(id)}/cancel`, parsed.data)
      setCancelling(false)
      props.onChanged()
    } catch (err) {
      const f = requestFailure(err)
      if (f.fields.reason !== undefined) setReasonError(f.fields.reason)
      else { setError(refusal(err)); props.onChanged() }
    } finally {
      setBusy(false)
    }
  }

  const outcome = (o: 'honored' | 'no_show'): void => {
    void run(() => api('POST', `/api/bookings/${encodeURIComponent(id)}/outcome`, { outcome: o }))
  }

  return (
    <article class={'pr-booking pr-booking-' + b.status} id={'booking-' + id} aria-labelledby={'booking-' + id + '-title'}>
      <header class='pr-booking-head'>
        <h4 id={'booking-' + id + '-title'}>{when}</h4>
        <span class={'pr-badge pr-badge-b-' + b.status}>{BOOKING_STATUS_FR[b.status]}</span>
      </header>
      {p !== undefined
        ? <p class='pr-patient'>{p.lastName.toUpperCase()} {p.firstName}</p>
        : <p class='pr-muted'>Identité du patient non communiquée.</p>}
      <dl class='pr-facts'>
        {p !== undefined && <><dt>Naissance</dt><dd>{formatBirthDate(p.birthDate, todayIn(props.zone))}</dd></>}
        {p !== undefined && <><dt>Téléphone</dt><dd><a class='pr-tel' href={'tel:' + p.phone.replace(/[\s.-]/g, '')}>{formatPhone(p.phone)}</a></dd></>}
        <dt>Motif</dt><dd>{b.reason !== null && b.reason !== '' ? b.reason : <span class='pr-muted'>non précisé</span>}</dd>
        <dt>Médecin traitant</dt><dd>{TREATING_GP_FR[b.hasTreatingGp]}</dd>
        {b.slot !== undefined && <><dt>Mode</dt><dd>{MODE_FR[b.slot.mode]}</dd></>}
        <dt>Réservé par</dt><dd>{b.bookedBy.name}, {shortDay(localDateOf(b.bookedAt, props.zone))} à {formatTime(b.bookedAt, props.zone)}</dd>
        {b.status === 'cancelled' && b.cancelReason !== undefined && <><dt>Annulation</dt><dd>{b.cancelReason}</dd></>}
      </dl>

      {cancelling
        ? (
          <form class='pr-cancel' noValidate onSubmit={(e) => { void cancel(e) }}>
            <div class={'field' + (reasonError !== undefined ? ' field-invalid' : '')}>
              <label for={'cancel-' + id}>Motif de l’annulation</label>
              <textarea id={'cancel-' + id} rows={2} maxLength={500} value={reason} {...aria('cancel-' + id, reasonError)}
                onInput={(e) => setReason(e.currentTarget.value)} autoFocus />
              <FieldError id={'cancel-' + id} error={reasonError} />
            </div>
            <div class='pr-actions'>
              <button type='submit' class='danger' disabled={busy}>{busy ? 'Annulation…' : 'Confirmer l’annulation'}</button>
              <button type='button' disabled={busy} onClick={() => { setCancelling(false); setReasonError(undefined) }}>Retour</button>
            </div>
          </form>
          )
        : (
          <div class='pr-actions'>
            {b.status !== 'cancelled' && isStarted && (
              <>
                <button type='button' class={b.status === 'honored' ? 'primary' : ''} aria-pressed={b.status === 'honored'} disabled={busy} onClick={() => outcome('honored')}>Honoré</button>
                <button type='button' class={b.status === 'no_show' ? 'primary' : ''} aria-pressed={b.status === 'no_show'} disabled={busy} onClick={() => outcome('no_show')}>Non honoré</button>
              </>
            )}
            {b.status === 'booked' && <button type='button' class='danger' disabled={busy} onClick={() => setCancelling(true)}>Annuler</button>}
          </div>
          )}
      {error !== undefined && <p class='error' role='alert'>{error}</p>}
    </article>
  )
}
