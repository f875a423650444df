/**
 * After a booking on /regulation: what to read to the patient (day, time, practitioner,
 * address, phone, mode), then "Nouvel appel".
 */
import type { Ref } from 'preact'
import type { Booking, Slot } from '../../shared/schemas/slots.js'
import { doctorName, fold, formatDayOf, formatDuration, formatPhone, formatTime, MODE_FR, PROFESSION_FR } from '../lib/format.js'
import { bookingReference } from '../../shared/booking-reference.js'
import type { CallLogState } from './regulation-call.js'

const MODE_SENTENCE: Record<Slot['mode'], string> = {
  office: 'au cabinet',
  video: 'en téléconsultation',
  home: 'en visite à domicile : le médecin viendra chez vous'
}

export function Confirmation (props: {
  slot: Slot
  booking: Booking
  zone: string
  cptsName: string
  patientName: string
  callLog: CallLogState
  onRetryLog: () => void
  onNewCall: () => void
  newCallRef: Ref<HTMLButtonElement>
  /** The booking this one replaces (a move): its reference is named, the patient told of the change. */
  movedFrom?: string | undefined
}) {
  const { slot, zone } = props
  const p = slot.practitioner
  const day = formatDayOf(slot.start, zone)
  const time = formatTime(slot.start, zone)
  // The slot's place: a practitioner may consult at several.
  const place = slot.place
  const address = `${place.address}, ${place.postalCode} ${place.commune}`
  const phone = formatPhone(p.phone)
  return (
    <section class='rg-panel-card card rg-confirm' aria-labelledby='confirm-title'>
      <h2 id='confirm-title'>{props.movedFrom !== undefined ? 'Rendez-vous déplacé' : 'Rendez-vous réservé'}</h2>
      {props.movedFrom !== undefined && (
        <p class='banner banner-ok'>L’ancien rendez-vous (réf. <code>{bookingReference(props.movedFrom)}</code>) est annulé et son créneau libéré.</p>
      )}
      <p class='rg-read' role='status'>
        <span class='rg-read-label'>À lire au patient :</span>{' '}
        « {props.movedFrom !== undefined ? 'Votre nouveau rendez-vous' : 'Votre rendez-vous'} est le <strong>{day} à {time}</strong> avec le {doctorName(p.name)}, {PROFESSION_FR[p.profession].toLowerCase()}, {MODE_SENTENCE[slot.mode]}
        {slot.mode === 'office' ? <>, <strong>{address}</strong></> : ''}. Téléphone du cabinet : <strong>{phone}</strong>. »
      </p>
      <dl class='rg-dl'>
        <dt>Jour</dt><dd>{day}</dd>
        <dt>Heure</dt><dd>{time} ({formatDuration(slot.start, slot.end)})</dd>
        <dt>Praticien</dt><dd>{doctorName(p.name)} · {PROFESSION_FR[p.profession]}</dd>
        <dt>{slot.mode === 'office' ? 'Adresse' : 'Cabinet'}</dt><dd>{fold(place.label) === fold(place.commune) ? address : `${place.label}, ${address}`}</dd>
        <dt>Téléphone</dt><dd><a href={`tel:${p.phone.replace(/[\s.-]/g, '')}`}>{phone}</a></dd>
        <dt>Mode</dt><dd>{MODE_FR[slot.mode]}</dd>
        <dt>Patient</dt><dd>{props.patientName}</dd>
        <dt>CPTS</dt><dd>{props.cptsName}</dd>
        <dt>Référence</dt><dd><code>{bookingReference(props.booking.id)}</code></dd>
      </dl>
      {props.callLog === 'error' && (
        <p class='banner banner-warn' role='alert'>
          L’appel n’a pas pu être noté dans le journal.{' '}
          <button type='button' class='link' onClick={props.onRetryLog}>Réessayer</button>
        </p>
      )}
      <div class='rg-form-actions'>
        <button type='button' id='new-call' class='primary' ref={props.newCallRef} onClick={props.onNewCall}>Nouvel appel</button>
      </div>
    </section>
  )
}
