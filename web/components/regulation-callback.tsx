/**
 * "Rappel d'un patient" on /regulation: a patient calls back about a booking. The regulator
 * finds it (reference, name, birth date: GET /api/bookings/search), then cancels it (with a
 * reason) or starts moving it to another slot, which the page then does from the list.
 */
import type { Ref } from 'preact'
import { useState } from 'preact/hooks'
import { bookingReference } from '../../shared/booking-reference.js'
import type { Booking } from '../../shared/schemas/slots.js'
import { doctorName, formatDateShort, formatDayOf, formatTime, KIND_FR, MODE_FR } from '../lib/format.js'
import { Field } from '../lib/ui.js'
import { REQUIRED_FR } from './regulation-call.js'

/** 'mardi 14 juillet à 12:00 avec le Dr Claire Martin' for a booking (its slot in its territory's zone). */
export function bookingWhen (b: Booking, zoneOf: (cptsId: string) => string): string {
  if (b.slot === undefined) return 'créneau inconnu'
  const zone = zoneOf(b.slot.cptsId)
  return `${formatDayOf(b.slot.start, zone)} à ${formatTime(b.slot.start, zone)} avec le ${doctorName(b.slot.practitionerName)}`
}

/** 'MOREAU Léa, née le 14/03/1987' (no gender is known: « né(e) »). */
export const patientLine = (b: Booking): string =>
  b.patient === undefined ? 'patient inconnu' : `${b.patient.lastName.toUpperCase()} ${b.patient.firstName}, né(e) le ${formatDateShort(b.patient.birthDate)}`

/** '1 rendez-vous trouvé', '2 rendez-vous trouvés', 'Aucun rendez-vous à venir trouvé.' */
export function foundSentence (n: number): string {
  if (n === 0) return 'Aucun rendez-vous à venir ne correspond : vérifiez la référence, le nom ou la date de naissance.'
  return `${n} rendez-vous trouvé${n > 1 ? 's' : ''}.`
}

export function CallbackPanel (props: {
  zoneOf: (cptsId: string) => string
  search: (q: string) => Promise<Booking[]>
  onCancel: (b: Booking, reason: string) => Promise<string | null>
  onMove: (b: Booking) => void
  onClose: () => void
  firstFieldRef: Ref<HTMLInputElement>
}) {
  const [q, setQ] = useState('')
  const [qError, setQError] = useState<string | null>(null)
  const [results, setResults] = useState<Booking[] | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [selected, setSelected] = useState<Booking | null>(null)
  const [reason, setReason] = useState('')
  const [reasonError, setReasonError] = useState<string | null>(null)
  const { zoneOf } = props

  async function find (e: Event): Promise<void> {
    e.preventDefault()
    if (q.trim() === '') { setQError(REQUIRED_FR); return }
    if (q.trim().length < 2) { setQError('Au moins 2 caractères : la référence, le nom ou la date de naissance (JJ/MM/AAAA).'); return }
    setQError(null)
    setBusy(true)
    setError(null)
    try {
      const found = await props.search(q.trim())
      setResults(found)
      setSelected(found.length === 1 ? found[0]! : null)
    } catch {
      setError('Recherche impossible pour le moment. Réessayez.')
    } finally {
      setBusy(false)
    }
  }

  async function cancel (e: Event): Promise<void> {
    e.preventDefault()
    if (selected === null) return
    if (reason.trim() === '') { setReasonError(REQUIRED_FR); document.getElementById('cb-reason')?.focus(); return }
    setReasonError(null)
    setBusy(true)
    const failed = await props.onCancel(selected, reason.trim())
    setBusy(false)
    if (failed !== null) setError(failed)
  }

  return (
    <section class='rg-panel-card card' aria-labelledby='callback-title'>
      <h2 id='callback-title'>Rappel d’un patient</h2>
      <form class='rg-form' role='search' aria-label='Retrouver un rendez-vous' noValidate onSubmit={(e) => { void find(e) }}>
        <Field id='cb-q' label='Référence, nom ou date de naissance' error={qError ?? undefined}>
          <input id='cb-q' ref={props.firstFieldRef} type='text' autocomplete='off' spellcheck={false} value={q}
            placeholder='ex. 3f2a9c1b, Moreau 14/03/1987'
            aria-invalid={qError !== null} aria-describedby={qError !== null ? 'cb-q-error' : undefined}
            onInput={(e) => setQ(e.currentTarget.value)} />
        </Field>
        <div class='rg-form-actions'>
          <button type='submit' class='primary' disabled={busy}>{busy && results === null ? 'Recherche…' : 'Rechercher'}</button>
          <button type='button' onClick={props.onClose}>Retour <kbd class='rg-kbd' aria-hidden='true'>Échap</kbd></button>
        </div>
      </form>
      {error !== null && <p class='banner banner-error' role='alert'>{error}</p>}
      <p class='rg-muted' role='status'>{results !== null ? foundSentence(results.length) : ''}</p>
      {results !== null && results.length > 0 && (
        <ul class='rg-cb-results'>
          {results.map((b) => (
            <li key={b.id}>
              <button type='button' class={'rg-cb-result' + (selected?.id === b.id ? ' is-selected' : '')} aria-pressed={selected?.id === b.id}
                onClick={() => { setSelected(b); setReasonError(null) }}>
                <strong>{patientLine(b)}</strong>
                <span>{bookingWhen(b, zoneOf)}</span>
                <small>Réf. {bookingReference(b.id)}{b.slot !== undefined ? ` · ${MODE_FR[b.slot.mode]} · ${KIND_FR[b.slot.kind]}` : ''}</small>
              </button>
            </li>
          ))}
        </ul>
      )}
      {selected !== null && (
        <div class='rg-cb-selected' aria-labelledby='cb-selected-title'>
          <h3 id='cb-selected-title'>Rendez-vous du {bookingWhen(selected, zoneOf)}</h3>
          <p class='rg-muted'>{patientLine(selected)} · Réf. <code>{bookingReference(selected.id)}</code></p>
          <div class='rg-form-actions'>
            <button type='button' class='primary' id='cb-move' disabled={busy} onClick={() => props.onMove(selected)}>Déplacer vers un autre créneau</button>
          </div>
          <form class='rg-form' noValidate onSubmit={(e) => { void cancel(e) }}>
            <Field id='cb-reason' label='Motif de l’annulation' error={reasonError ?? undefined}>
              <textarea id='cb-reason' rows={2} maxLength={500} value={reason}
                aria-invalid={reasonError !== null} aria-describedby={reasonError !== null ? 'cb-reason-error' : undefined}
                onInput={(e) => setReason(e.currentTarget.value)} />
            </Field>
            <div class='rg-form-actions'>
              <button type='submit' class='danger' disabled={busy}>Annuler le rendez-vous</button>
            </div>
          </form>
        </div>
      )}
    </section>
  )
}
