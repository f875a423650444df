/** The practitioner's upcoming slots on /praticien, by week and day, with "Retirer" for free ones. */
import { useState } from 'preact/hooks'
import type { Booking, Slot } from '../../shared/schemas/slots.js'
import { api } from '../lib/api.js'
import { requestFailure } from './praticien-fields.js'
import { STATUS_FR, formatDay, formatRange, groupBy, localDateOf, mondayOf, slotsCount, weekLabel, whereText } from './praticien-format.js'
import { Collapsible } from './praticien-publish.js'

export function UpcomingSlots (props: { slots: Slot[] | null, bookings: Map<string, Booking>, zone: string, onChanged: () => void, manyPlaces: boolean }) {
  const [showWithdrawn, setShowWithdrawn] = useState(true)
  const all = props.slots
  const withdrawn = all?.filter((s) => s.status === 'withdrawn').length ?? 0
  const list = (all ?? []).filter((s) => showWithdrawn || s.status !== 'withdrawn')
  const weeks = groupBy(list, (s) => mondayOf(localDateOf(s.start, props.zone)))
  const active = (all ?? []).filter((s) => s.status !== 'withdrawn')
  return (
    <section class='card' id='creneaux' aria-labelledby='creneaux-title'>
      <h2 id='creneaux-title'>Créneaux à venir</h2>
      {all === null
        ? <p class='hint'>Chargement…</p>
        : (
          <>
            <p class='pr-muted'>
              {active.length === 0 ? 'Aucun créneau à venir.' : summary(active)}
            </p>
            {withdrawn > 0 && (
              <label class='pr-check'>
                <input type='checkbox' checked={showWithdrawn} onChange={(e) => setShowWithdrawn(e.currentTarget.checked)} />
                <span>Afficher les créneaux retirés ({withdrawn})</span>
              </label>
            )}
            <div class='pr-weeks'>
              {weeks.map(([monday, ws], i) => (
                <Collapsible key={monday} open={i < 2}
                  summary={<>{weekLabel(monday)} <span class='pr-muted'>· {slotsCount(ws.filter((s) => s.status !== 'withdrawn').length)}</span></>}>
                  {groupBy(ws, (s) => localDateOf(s.start, props.zone)).map(([day, ds]) => (
                    <div key={day} class='pr-day-block'>
                      <h3 class='pr-day-title'>{formatDay(day)}</h3>
                      <ul class='pr-slots'>
                        {ds.map((s) => <SlotRow key={s.id} slot={s} booking={s.bookingId !== undefined ? props.bookings.get(s.bookingId) : undefined} zone={props.zone} onChanged={props.onChanged} manyPlaces={props.manyPlaces} />)}
                      </ul>
                    </div>
                  ))}
                </Collapsible>
              ))}
            </div>
          </>
          )}
    </section>
  )
}

/** '87 créneaux : 85 libres, 1 en cours de réservation, 1 réservé.' */
function summary (active: Slot[]): string {
  const n = (st: Slot['status']): number => active.filter((s) => s.status === st).length
  const parts = [[n('free'), 'libre', 'libres'], [n('held'), 'en cours de réservation', 'en cours de réservation'], [n('booked'), 'réservé', 'réservés']] as const
  const text = parts.filter(([k]) => k > 0).map(([k, one, many]) => `${k} ${k > 1 ? many : one}`).join(', ')
  return `${slotsCount(active.length)} : ${text}.`
}

function SlotRow (props: { slot: Slot, booking: Booking | undefined, zone: string, onChanged: () => void, manyPlaces: boolean }) {
  const { slot: s } = props
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>()
  const label = `${formatDay(localDateOf(s.start, props.zone))} ${formatRange(s.start, s.end, props.zone)}`

  async function withdraw (): Promise<void> {
    setBusy(true)
    setError(undefined)
    try {
      await api('DELETE', `/api/slots/${encodeURIComponent(s.id)}`)
      setConfirming(false)
      props.onChanged()
    } catch (err) {
      setError(requestFailure(err).form ?? 'Ce créneau n\u2019a pas pu être retiré.')
      setConfirming(false)
      props.onChanged()
    } finally {
      setBusy(false)
    }
  }

  const patient = props.booking?.patient
  return (
    <li class={'pr-slot pr-slot-' + s.status}>
      <div class='pr-slot-main'>
        <span class='pr-slot-time'>{formatRange(s.start, s.end, props.zone)}</span>
        <span class='pr-muted'>{whereText(s, props.manyPlaces)}</span>
        <span class={'pr-badge pr-badge-' + s.status}>{STATUS_FR[s.status]}</span>
        {patient !== undefined && props.booking !== undefined && (
          <a href={'#booking-' + props.booking.id}>{patient.lastName.toUpperCase()} {patient.firstName}</a>
        )}
      </div>
      {s.status === 'free' && (
        confirming
          ? (
            <div class='pr-actions'>
              <button type='button' class='danger' disabled={busy} onClick={() => { void withdraw() }} aria-label={`Confirmer le retrait du créneau du ${label}`}>
                {busy ? 'Retrait…' : 'Oui, retirer'}
              </button>
              <button type='button' disabled={busy} onClick={() => setConfirming(false)}>Garder</button>
            </div>
            )
          : (
            <div class='pr-actions'>
              <button type='button' onClick={() => { setConfirming(true); setError(undefined) }} aria-label={`Retirer le créneau du ${label}`}>Retirer</button>
            </div>
            )
      )}
      {error !== undefined && <p class='error pr-row-error' role='alert'>{error}</p>}
    </li>
  )
}
