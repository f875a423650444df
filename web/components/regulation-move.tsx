/**
 * Two short panels of /regulation: moving a booking to the slot just held (the old slot is freed
 * only when "Déplacer ici" commits), and the confirmation asked before holding a slot of another
 * kind than the call's (an ordinary SNP call must not land in a 45-minute psychiatric slot unseen).
 */
import type { Ref } from 'preact'
import { bookingReference } from '../../shared/booking-reference.js'
import type { Booking, Slot, SlotKind } from '../../shared/schemas/slots.js'
import { formatCountdown, secondsLeft } from '../lib/format.js'
import { SlotSummary } from './regulation-booking.js'
import { bookingWhen, patientLine } from './regulation-callback.js'
import type { HoldBusy } from './regulation-call.js'

export function MovePanel (props: {
  booking: Booking
  slot: Slot
  zone: string
  zoneOf: (cptsId: string) => string
  cptsName: string
  expiresAt: string
  now: number
  busy: HoldBusy
  formError: string | null
  onMove: () => void
  onExtend: () => void
  onCancel: () => void
  firstFieldRef: Ref<HTMLButtonElement>
}) {
  const left = secondsLeft(props.expiresAt, props.now)
  return (
    <section class='rg-panel-card card' aria-labelledby='move-title'>
      <h2 id='move-title'>Déplacer le rendez-vous</h2>
      <p><strong>{patientLine(props.booking)}</strong> · Réf. <code>{bookingReference(props.booking.id)}</code></p>
      <p class='rg-muted'>Ancien rendez-vous : {bookingWhen(props.booking, props.zoneOf)}, libéré une fois le déplacement validé.</p>
      <p>Nouveau créneau :</p>
      <SlotSummary slot={props.slot} zone={props.zone} cptsName={props.cptsName} />
      <div class={'rg-timer' + (left === 0 ? ' is-expired' : left <= 30 ? ' is-urgent' : '')}>
        <p>
          {left === 0
            ? <>Délai écoulé : <strong>Prolongez</strong> pour reprendre ce créneau s’il est encore libre.</>
            : <>Créneau bloqué pour vous encore <strong role='timer' class='rg-countdown-big'>{formatCountdown(props.expiresAt, props.now)}</strong></>}
        </p>
        <button type='button' onClick={props.onExtend} disabled={props.busy !== null}>{props.busy === 'extend' ? 'Prolongation…' : 'Prolonger'}</button>
      </div>
      {props.formError !== null && <p class='banner banner-error' role='alert'>{props.formError}</p>}
      <div class='rg-form-actions'>
        <button type='button' id='move-confirm' class='primary' ref={props.firstFieldRef} disabled={props.busy !== null} onClick={props.onMove}>
          {props.busy === 'book' ? 'Déplacement…' : 'Déplacer ici'} <kbd class='rg-kbd' aria-hidden='true'>Ctrl+Entrée</kbd>
        </button>
        <button type='button' onClick={props.onCancel} disabled={props.busy === 'book' || props.busy === 'release'}>
          Autre créneau <kbd class='rg-kbd' aria-hidden='true'>Échap</kbd>
        </button>
      </div>
    </section>
  )
}

/** The sentence of the kind check: what the slot is, and what the call asked for. */
export const kindMismatch = (slotKind: SlotKind, callKind: SlotKind): string =>
  `Ce créneau est ${KIND_PHRASE[slotKind].slot} ; la demande porte sur ${KIND_PHRASE[callKind].call}.`

const KIND_PHRASE: Record<SlotKind, { slot: string, call: string }> = {
  snp: { slot: 'un créneau de soins non programmés', call: 'des soins non programmés' },
  psy: { slot: 'une consultation psychiatrique rapide', call: 'une consultation psychiatrique rapide' }
}

export function KindCheckPanel (props: {
  slot: Slot
  callKind: SlotKind
  zone: string
  cptsName: string
  onConfirm: () => void
  onClose: () => void
  confirmRef: Ref<HTMLButtonElement>
}) {
  return (
    <section class='rg-panel-card card' role='alertdialog' aria-labelledby='kind-title' aria-describedby='kind-text'>
      <h2 id='kind-title'>Autre type de créneau</h2>
      <p id='kind-text' class='banner banner-warn'>{kindMismatch(props.slot.kind, props.callKind)} Le bloquer quand même ?</p>
      <SlotSummary slot={props.slot} zone={props.zone} cptsName={props.cptsName} />
      <div class='rg-form-actions'>
        <button type='button' id='kind-confirm' class='primary' ref={props.confirmRef} onClick={props.onConfirm}>Bloquer ce créneau quand même</button>
        <button type='button' onClick={props.onClose}>Choisir un autre créneau <kbd class='rg-kbd' aria-hidden='true'>Échap</kbd></button>
      </div>
    </section>
  )
}
