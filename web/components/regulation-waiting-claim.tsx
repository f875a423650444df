/**
 * A waiting-list request this regulator has taken in hand on /regulation: the patient and the
 * number to call back on screen, the slot held with it (its countdown), then « Réserver ce
 * créneau » (Ctrl+Entrée) and its confirmation (Entrée or Ctrl+Entrée; Échap goes back). Also:
 * « Libérer » (Échap) gives the request back, « Retirer de la liste » ends it with a reason.
 */
import { useState } from 'preact/hooks'
import type { Slot } from '../../shared/schemas/slots.js'
import type { WaitingRequestDetail } from '../../shared/schemas/waiting-list.js'
import { doctorName, formatCountdown, formatDateShort, formatDay, formatDayOf, formatPhone, formatTime, KIND_LONG_FR, MODE_FR, secondsLeft, TREATING_GP_FR } from '../lib/format.js'
import { Field } from '../lib/ui.js'
import { SlotSummary } from './regulation-booking.js'
import { REQUIRED_FR } from './regulation-call.js'
import { patientName } from './regulation-waiting-actions.js'
import { lastDayOf } from './regulation-waiting.js'

export function WaitingClaim (props: {
  request: WaitingRequestDetail
  /** The slot held with the claim, as the feed has it (null: a call back by hand). */
  slot: Slot | null
  zone: string
  cptsName: string
  expiresAt: string
  now: number
  busy: 'book' | 'release' | 'withdraw' | null
  error: string | null
  confirming: boolean
  onAskBook: () => void
  onConfirm: () => void
  onBack: () => void
  onRelease: () => void
  onExtend: () => void
  onWithdraw: (reason: string) => void
}) {
  const { request: r, slot } = props
  const p = r.patient
  const [reason, setReason] = useState('')
  const [reasonError, setReasonError] = useState<string | null>(null)
  const left = secondsLeft(props.expiresAt, props.now)
  const name = patientName(p)

  function withdraw (e: Event): void {
    e.preventDefault()
    if (reason.trim() === '') { setReasonError(REQUIRED_FR); document.getElementById('wl-withdraw-reason')?.focus(); return }
    setReasonError(null)
    props.onWithdraw(reason.trim())
  }

  return (
    <section class='rg-panel-card card' aria-labelledby='wl-claim-title'>
      <h2 id='wl-claim-title'>Demande de la liste d’attente</h2>
      <dl class='rg-dl'>
        <dt>Patient</dt><dd><strong>{name}</strong>{p !== null ? `, né(e) le ${formatDateShort(p.birthDate)}` : ''}</dd>
        <dt>Rappeler au</dt>
        <dd>{p !== null ? <a id='wl-phone' class='rg-wl-phone' href={`tel:${p.phone.replace(/[\s.-]/g, '')}`}>{formatPhone(p.phone)}</a> : '—'}</dd>
        <dt>Commune</dt><dd>{r.place.commune}</dd>
        <dt>Demande</dt><dd>{KIND_LONG_FR[r.kind]} · {r.modes.map((m) => MODE_FR[m]).join(', ')}</dd>
        <dt>Jusqu’au</dt><dd>{formatDay(lastDayOf(r.notAfter, props.zone))}</dd>
        <dt>Médecin traitant</dt><dd>{TREATING_GP_FR[r.hasTreatingGp]}</dd>
        {r.reason !== null && <><dt>Motif</dt><dd>{r.reason}</dd></>}
      </dl>

      {slot !== null && (
        <>
          <h3 class='rg-wl-sub'>Créneau proposé</h3>
          <SlotSummary slot={slot} zone={props.zone} cptsName={props.cptsName} />
          <div class={'rg-timer' + (left === 0 ? ' is-expired' : left <= 30 ? ' is-urgent' : '')}>
            <p>
              {left === 0
                ? <>Délai écoulé : le créneau n’est plus bloqué pour vous. <strong>Prolongez</strong> pour le reprendre s’il est encore libre.</>
                : <>Créneau bloqué pour vous encore <strong role='timer'>{formatCountdown(props.expiresAt, props.now)}</strong></>}
            </p>
            <button type='button' onClick={props.onExtend} disabled={props.busy !== null}>Prolonger</button>
          </div>
          {!props.confirming && (
            <div class='rg-form-actions'>
              <button type='button' id='wl-book' class='primary' onClick={props.onAskBook} disabled={props.busy !== null}>
                Réserver ce créneau pour le patient <kbd class='rg-kbd' aria-hidden='true'>Ctrl+Entrée</kbd>
              </button>
            </div>
          )}
          {props.confirming && (
            <div class='rg-cb-confirm banner banner-warn' role='alertdialog' aria-labelledby='wl-confirm-title' aria-describedby='wl-confirm-text'>
              <h3 id='wl-confirm-title'>Réserver ce créneau ?</h3>
              <p id='wl-confirm-text'>
                {name} aura rendez-vous le {formatDayOf(slot.start, props.zone)} à {formatTime(slot.start, props.zone)} avec le {doctorName(slot.practitioner.name)} ; la demande sort de la liste d’attente.
              </p>
              <div class='rg-form-actions'>
                <button type='button' id='wl-book-confirm' class='primary' onClick={props.onConfirm} disabled={props.busy !== null}>
                  {props.busy === 'book' ? 'Réservation…' : 'Confirmer la réservation'} <kbd class='rg-kbd' aria-hidden='true'>Ctrl+Entrée</kbd>
                </button>
                <button type='button' onClick={props.onBack} disabled={props.busy !== null}>Retour <kbd class='rg-kbd' aria-hidden='true'>Échap</kbd></button>
              </div>
            </div>
          )}
        </>
      )}
      {slot === null && <p class='rg-muted'>Aucun créneau bloqué : rappelez le patient pour faire le point.</p>}

      {props.error !== null && <p class='banner banner-error' role='alert'>{props.error}</p>}

      <form class='rg-form rg-wl-withdraw' noValidate onSubmit={withdraw}>
        <Field id='wl-withdraw-reason' label='Motif du retrait (le patient n’en a plus besoin…)' error={reasonError ?? undefined}>
          <textarea id='wl-withdraw-reason' rows={2} maxLength={500} value={reason}
            aria-invalid={reasonError !== null} aria-describedby={reasonError !== null ? 'wl-withdraw-reason-error' : undefined}
            onInput={(e) => setReason(e.currentTarget.value)} />
        </Field>
        <div class='rg-form-actions'>
          <button type='submit' class='danger' disabled={props.busy !== null}>
            {props.busy === 'withdraw' ? 'Retrait…' : 'Retirer de la liste'}
          </button>
          <button type='button' id='wl-release' onClick={props.onRelease} disabled={props.busy !== null}>
            Libérer la demande <kbd class='rg-kbd' aria-hidden='true'>Échap</kbd>
          </button>
        </div>
      </form>
    </section>
  )
}
