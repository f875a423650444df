/**
 * The bookings found for one patient on /admin/patients, with the two answers to their rights:
 * export (right of access, a CSV or JSON file) and erasure (right to erasure, after a
 * confirmation that says what stays).
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { PatientBooking, PatientLookup } from '../../shared/schemas/patients.js'
import { formatDateShort, formatPhone, KIND_FR, MODE_FR } from '../lib/format.js'
import { BOOKING_STATUS_FR } from './praticien-format.js'

/** `2026-06-02T12:00:00+02:00` → `02/06/2026 12:00` (the CPTS's wall time, as the API gives it). */
const when = (iso: string): string => `${formatDateShort(iso.slice(0, 10))} ${iso.slice(11, 16)}`

const plural = (n: number, one: string, many: string): string => `${n} ${n > 1 ? many : one}`

export function PatientBookings (props: {
  lookup: PatientLookup
  bookings: PatientBooking[]
  busy: boolean
  onExport: (format: 'csv' | 'json') => void
  onErase: () => void
}) {
  const { bookings } = props
  const [confirming, setConfirming] = useState(false)
  const confirmTitle = useRef<HTMLHeadingElement>(null)
  const eraseButton = useRef<HTMLButtonElement>(null)
  // A new search closes the confirmation.
  useEffect(() => { setConfirming(false) }, [props.lookup, bookings])
  useEffect(() => { if (confirming) confirmTitle.current?.focus() }, [confirming])

  const who = `${props.lookup.lastName}${props.lookup.firstName !== undefined ? ' ' + props.lookup.firstName : ''}, né(e) le ${formatDateShort(props.lookup.birthDate)}`
  const now = new Date().toISOString()
  const upcoming = bookings.filter((b) => b.status === 'booked' && new Date(b.slot.end).toISOString() > now).length

  if (bookings.length === 0) {
    return (
      <section aria-labelledby='pt-results-title' class='pt-results'>
        <h2 id='pt-results-title'>Réservations</h2>
        <p class='banner'>Aucune réservation conservée pour {who}. Ses données ont pu être effacées (durée de conservation ou demande d’effacement).</p>
      </section>
    )
  }

  return (
    <section aria-labelledby='pt-results-title' class='pt-results'>
      <h2 id='pt-results-title'>Réservations</h2>
      <p>{plural(bookings.length, 'réservation conservée', 'réservations conservées')} pour {who}.</p>
      <div class='table-wrap' role='region' aria-labelledby='pt-table-caption' tabIndex={0}>
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
      </div>

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
          Le nom, le prénom, la date de naissance, le téléphone, le motif et le motif d’annulation
          de {plural(bookings.length, 'réservation', 'réservations')} seront effacés définitivement.
          Les créneaux, les réservations et leur issue restent : le bilan de saison ne change pas.
        </p>
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
