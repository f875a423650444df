/**
 * The bookings and waiting-list requests found for one patient on /admin/patients, with the two
 * answers to their rights: export (right of access, a CSV or JSON file) and erasure (right to
 * erasure, after a confirmation that says what stays).
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { PatientBooking, PatientLookup, PatientRequest } from '../../shared/schemas/patients.js'
import { formatDateShort, formatPhone, KIND_FR, MODE_FR } from '../lib/format.js'
import { BOOKING_STATUS_FR } from './praticien-format.js'

/** `2026-06-02T12:00:00+02:00` → `02/06/2026 12:00` (the CPTS's wall time, as the API gives it). */
const when = (iso: string): string => `${formatDateShort(iso.slice(0, 10))} ${iso.slice(11, 16)}`

const plural = (n: number, one: string, many: string): string => `${n} ${n > 1 ? many : one}`

/** As the board's figures of the waiting list name them. */
export const REQUEST_STATUS_FR: Record<PatientRequest['status'], string> = {
  open: 'En attente', booked: 'Réservée depuis la liste', withdrawn: 'Retirée', expired: 'Expirée'
}

/** « 2 réservations et 1 demande de liste d’attente », the counts that are not zero (« rien » when both are). */
export function recordsText (bookings: number, requests: number): string {
  const parts = [
    ...(bookings > 0 ? [plural(bookings, 'réservation', 'réservations')] : []),
    ...(requests > 0 ? [plural(requests, 'demande de liste d’attente', 'demandes de liste d’attente')] : [])
  ]
  return parts.length === 0 ? 'rien' : parts.join(' et ')
}

export function PatientBookings (props: {
  lookup: PatientLookup
  bookings: PatientBooking[]
  requests: PatientRequest[]
  busy: boolean
  onExport: (format: 'csv' | 'json') => void
  onErase: () => void
}) {
  const { bookings, requests } = props
  const [confirming, setConfirming] = useState(false)
  const confirmTitle = useRef<HTMLHeadingElement>(null)
  const eraseButton = useRef<HTMLButtonElement>(null)
  // A new search closes the confirmation.
  useEffect(() => { setConfirming(false) }, [props.lookup, bookings, requests])
  useEffect(() => { if (confirming) confirmTitle.current?.focus() }, [confirming])

  const who = `${props.lookup.lastName}${props.lookup.firstName !== undefined ? ' ' + props.lookup.firstName : ''}, né(e) le ${formatDateShort(props.lookup.birthDate)}`
  const now = new Date().toISOString()
  const upcoming = bookings.filter((b) => b.status === 'booked' && new Date(b.slot.end).toISOString() > now).length
  const waiting = requests.filter((r) => r.status === 'open').length

  if (bookings.length === 0 && requests.length === 0) {
    return (
      <section aria-labelledby='pt-results-title' class='pt-results'>
        <h2 id='pt-results-title'>Réservations</h2>
        <p class='banner'>Aucune réservation ni demande de liste d’attente conservée pour {who}. Ses données ont pu être effacées (durée de conservation ou demande d’effacement).</p>
      </section>
    )
  }

  return (
    <section aria-labelledby='pt-results-title' class='pt-results'>
      <h2 id='pt-results-title'>Réservations</h2>
      <p>{recordsText(bookings.length, requests.length)} {bookings.length + requests.length > 1 ? 'conservées' : 'conservée'} pour {who}.</p>
      {bookings.length === 0 && <p>Aucune réservation conservée.</p>}
      {bookings.length > 0 && <div class='table-wrap' role='region' aria-labelledby='pt-table-caption' tabIndex={0}>
        <table class='pt-table'>
          <caption id='pt-table-caption' class='sr-only'>Réservations de {who}</caption>
          <thead>
            <tr>
              <th scope='col'>Créneau</th><th scope='col'>Praticien</th><th scope='col'>Statut</th>
              <th scope='col'>Patient</th><th scope='col'>Motif</th><th scope='col'>Journal</th>
            </tr>
          </thead>
          <tbody>
            {bookings.map((b) => (
              <tr key={b.id} data-id={b.id}>
                <td class='nowrap'>{when(b.slot.start)}<br /><small>{KIND_FR[b.slot.kind]} · {MODE_FR[b.slot.mode]}</small></td>
                <td>{b.slot.practitioner.name}<br /><small>{b.slot.cpts.name}</small></td>
                <td>{BOOKING_STATUS_FR[b.status]}{b.cancelledAt !== null && <><br /><small>le {when(b.cancelledAt)}</small></>}</td>
                <td>
                  {b.patient.lastName} {b.patient.firstName ?? ''}
                  {b.patient.phone !== null && <><br /><small class='nowrap'>{formatPhone(b.patient.phone)}</small></>}
                </td>
                <td>
                  {b.reason ?? '—'}
                  {b.cancelReason !== null && <><br /><small>Annulation : {b.cancelReason}</small></>}
                </td>
                <td><a href={`/admin/journal?bookingId=${encodeURIComponent(b.id)}`}>Voir<span class='sr-only'> le journal de la réservation du {when(b.slot.start)}</span></a></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>}

      <h2 id='pt-requests-title'>Demandes de liste d’attente</h2>
      {requests.length === 0 && <p>Aucune demande de liste d’attente conservée.</p>}
      {requests.length > 0 && (
        <div class='table-wrap' role='region' aria-labelledby='pt-req-caption' tabIndex={0}>
          <table class='pt-req-table'>
            <caption id='pt-req-caption' class='sr-only'>Demandes de liste d’attente de {who}</caption>
            <thead>
              <tr>
                <th scope='col'>Inscription</th><th scope='col'>Commune</th><th scope='col'>Statut</th>
                <th scope='col'>Patient</th><th scope='col'>Motif</th>
              </tr>
            </thead>
            <tbody>
              {requests.map((r) => (
                <tr key={r.id} data-id={r.id}>
                  <td class='nowrap'>
                    {when(r.createdAt)}
                    <br /><small>{KIND_FR[r.kind]} · {r.modes.map((m) => MODE_FR[m]).join(', ')}</small>
                    {r.createdBy !== null && <><br /><small>par {r.createdBy.name}</small></>}
                  </td>
                  <td>{r.place.commune}<br /><small>jusqu’au {when(r.notAfter)}</small></td>
                  <td>
                    {REQUEST_STATUS_FR[r.status]}
                    {r.endedAt !== null && <><br /><small>le {when(r.endedAt)}</small></>}
                  </td>
                  <td>
                    {r.patient.lastName} {r.patient.firstName ?? ''}
                    {r.patient.phone !== null && <><br /><small class='nowrap'>Rappel : {formatPhone(r.patient.phone)}</small></>}
                  </td>
                  <td>
                    {r.reason ?? '—'}
                    {r.endReason !== null && <><br /><small>Retrait : {r.endReason}</small></>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <div class='form-actions pt-actions'>
        <button type='button' aria-disabled={props.busy} onClick={() => { if (!props.busy) props.onExport('csv') }}>
          <span aria-hidden='true'>⤓ </span>Exporter (CSV)<span class='sr-only'> : droit d’accès</span>
        </button>
        <button type='button' aria-disabled={props.busy} onClick={() => { if (!props.busy) props.onExport('json') }}>
          <span aria-hidden='true'>⤓ </span>Exporter (JSON)<span class='sr-only'> : droit d’accès</span>
        </button>
        <button type='button' class='danger' ref={eraseButton} aria-expanded={confirming} aria-controls='pt-confirm'
          onClick={() => setConfirming(true)}>
          Effacer les données de ce patient…
        </button>
      </div>

      <div id='pt-confirm' class='pt-confirm' hidden={!confirming} role='group' aria-labelledby='pt-confirm-title'>
        <h3 id='pt-confirm-title' ref={confirmTitle} tabIndex={-1}>Effacer l’identité de ce patient ?</h3>
        <p>
          Le nom, le prénom, la date de naissance, le téléphone, le motif et le motif d’annulation ou de retrait
          de {recordsText(bookings.length, requests.length)} seront effacés définitivement.
          Les créneaux, les réservations et leur issue restent : le bilan de saison ne change pas.
          {requests.length > 0 && ' Les demandes restent comptées, sans patient, dans le bilan de la liste d’attente.'}
        </p>
        {waiting > 0 && (
          <p class='banner banner-warn'>
            {plural(waiting, 'demande est encore en attente', 'demandes sont encore en attente')} : {waiting > 1 ? 'elles seront retirées' : 'elle sera retirée'} de la liste d’attente et le patient ne sera pas rappelé.
          </p>
        )}
        {upcoming > 0 && (
          <p class='banner banner-warn'>
            {plural(upcoming, 'réservation est à venir', 'réservations sont à venir')} : le praticien ne verra plus qui il reçoit ni comment le joindre.
          </p>
        )}
        <div class='form-actions'>
          <button type='button' class='primary pt-erase' aria-disabled={props.busy} onClick={() => { if (!props.busy) props.onErase() }}>
            {props.busy ? 'Effacement…' : 'Effacer définitivement'}
          </button>
          <button type='button' onClick={() => { setConfirming(false); eraseButton.current?.focus() }}>Annuler</button>
        </div>
      </div>
    </section>
  )
}
