/**
 * "Rappel d'un patient" on /regulation: a patient calls back about a booking. The regulator
 * finds it (reference, name, birth date: GET /api/bookings/search), then cancels it (with a
 * reason) or starts moving it to another slot, which the page then does from the list.
 *
 * From the keyboard: Entrée searches; ↓/↑ then Entrée pick a result, as in the commune field
 * (the field is a combobox over the results). Cancelling is two steps, like holding then
 * booking: « Annuler le rendez-vous » (or Ctrl+Entrée in its reason) asks to confirm, with what
 * will happen; « Confirmer l'annulation » (Entrée on it, or Ctrl+Entrée) cancels, Échap goes back.
 */
import type { Ref } from 'preact'
import { useState } from 'preact/hooks'
import { bookingReference } from '../../shared/booking-reference.js'
import type { Booking } from '../../shared/schemas/slots.js'
import { doctorName, formatDateShort, formatDayOf, formatTime, KIND_FR, MODE_FR } from '../lib/format.js'
import { agree, plural } from '../lib/french.js'
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
  return `${plural(n, 'rendez-vous', 'rendez-vous')} ${agree(n, 'trouvé', 'trouvés')}.`
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
  /** The results and the text they answer (once the text changes, Entrée searches again). */
  const [results, setResults] = useState<Booking[] | null>(null)
  const [searched, setSearched] = useState('')
  /** The result ↓/↑ point at (Entrée picks it). */
  const [active, setActive] = useState(-1)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [selected, setSelected] = useState<Booking | null>(null)
  const [reason, setReason] = useState('')
  const [reasonError, setReasonError] = useState<string | null>(null)
  /** « Annuler le rendez-vous » was asked: the confirmation shows. */
  const [confirming, setConfirming] = useState(false)
  const { zoneOf } = props
  const listed = results !== null && results.length > 0 ? results : []

  const focusSoon = (id: string): void => { requestAnimationFrame(() => document.getElementById(id)?.focus()) }

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
      setSearched(q.trim())
      setActive(found.length > 0 ? 0 : -1)
      setSelected(found.length === 1 ? found[0]! : null)
      setConfirming(false)
    } catch {
      setError('Recherche impossible pour le moment. Réessayez.')
    } finally {
      setBusy(false)
    }
  }

  /** A result chosen (Entrée on it from the field, or a click): its actions take the focus. */
  function pick (b: Booking): void {
    setSelected(b)
    setActive(listed.findIndex((x) => x.id === b.id))
    setReasonError(null)
    setConfirming(false)
    focusSoon('cb-move')
  }

  function onSearchKey (e: KeyboardEvent): void {
    if (listed.length === 0 || e.altKey) return
    if (e.key === 'ArrowDown') {
      e.preventDefault()
      setActive((i) => Math.min(listed.length - 1, i + 1))
    } else if (e.key === 'ArrowUp') {
      e.preventDefault()
      setActive((i) => Math.max(0, i - 1))
    } else if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey && q.trim() === searched) {
      // The text is the one searched: Entrée picks the result pointed at (a new text searches).
      const b = listed[active >= 0 && active < listed.length ? active : 0]
      if (b !== undefined) { e.preventDefault(); pick(b) }
    }
  }

  /** « Annuler le rendez-vous » (Entrée, a click, or Ctrl+Entrée in the reason): the reason checked, then the confirmation. */
  function askCancel (e: Event): void {
    e.preventDefault()
    if (selected === null || busy) return
    if (reason.trim() === '') { setReasonError(REQUIRED_FR); document.getElementById('cb-reason')?.focus(); return }
    setReasonError(null)
    setConfirming(true)
    focusSoon('cb-cancel-confirm')
  }

  async function cancel (): Promise<void> {
    if (selected === null || busy) return
    setBusy(true)
    const failed = await props.onCancel(selected, reason.trim())
    setBusy(false)
    if (failed !== null) { setError(failed); setConfirming(false); focusSoon('cb-reason') }
  }

  function backFromConfirm (): void {
    setConfirming(false)
    focusSoon('cb-reason')
  }

  return (
    <section class='rg-panel-card card' aria-labelledby='callback-title'>
      <h2 id='callback-title'>Rappel d’un patient</h2>
      <form class='rg-form' role='search' aria-label='Retrouver un rendez-vous' noValidate onSubmit={(e) => { void find(e) }}>
        <Field id='cb-q' label='Référence, nom ou date de naissance' error={qError ?? undefined}>
          <input id='cb-q' ref={props.firstFieldRef} type='text' autocomplete='off' spellcheck={false} value={q}
            placeholder='ex. 3f2a9c1b, Moreau 14/03/1987'
            role='combobox' aria-autocomplete='list' aria-expanded={listed.length > 0} aria-controls='cb-results'
            aria-activedescendant={listed.length > 0 && active >= 0 ? `cb-result-${active}` : undefined}
            aria-invalid={qError !== null} aria-describedby={qError !== null ? 'cb-q-error' : undefined}
            onInput={(e) => setQ(e.currentTarget.value)} onKeyDown={onSearchKey} />
        </Field>
        <div class='rg-form-actions'>
          <button type='submit' class='primary' disabled={busy}>{busy && results === null ? 'Recherche…' : 'Rechercher'}</button>
          <button type='button' onClick={props.onClose}>Retour <kbd class='rg-kbd' aria-hidden='true'>Échap</kbd></button>
        </div>
      </form>
      {error !== null && <p class='banner banner-error' role='alert'>{error}</p>}
      <p class='rg-muted' role='status'>
        {results !== null ? foundSentence(results.length) : ''}
        {listed.length > 1 ? ' ↓ ↑ puis Entrée pour en choisir un.' : ''}
      </p>
      <ul id='cb-results' class='rg-cb-results' role='listbox' aria-label='Rendez-vous trouvés' hidden={listed.length === 0}>
        {listed.map((b, i) => (
          <li key={b.id} id={`cb-result-${i}`} role='option' aria-selected={selected?.id === b.id}
            class={'rg-cb-result' + (selected?.id === b.id ? ' is-selected' : '') + (i === active ? ' is-active' : '')}
            onMouseDown={(e) => e.preventDefault()} onClick={() => pick(b)}>
            <strong>{patientLine(b)}</strong>
            <span>{bookingWhen(b, zoneOf)}</span>
            <small>Réf. {bookingReference(b.id)}{b.slot !== undefined ? ` · ${MODE_FR[b.slot.mode]} · ${KIND_FR[b.slot.kind]}` : ''}</small>
          </li>
        ))}
      </ul>
      {selected !== null && (
        <div class='rg-cb-selected' aria-labelledby='cb-selected-title'>
          <h3 id='cb-selected-title'>Rendez-vous du {bookingWhen(selected, zoneOf)}</h3>
          <p class='rg-muted'>{patientLine(selected)} · Réf. <code>{bookingReference(selected.id)}</code></p>
          <div class='rg-form-actions'>
            <button type='button' class='primary' id='cb-move' disabled={busy} onClick={() => props.onMove(selected)}>Déplacer vers un autre créneau</button>
          </div>
          <form class='rg-form' noValidate onSubmit={askCancel}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !confirming) { e.preventDefault(); e.currentTarget.requestSubmit() }
            }}>
            <Field id='cb-reason' label='Motif de l’annulation' error={reasonError ?? undefined}>
              <textarea id='cb-reason' rows={2} maxLength={500} value={reason}
                aria-invalid={reasonError !== null} aria-describedby={reasonError !== null ? 'cb-reason-error' : undefined}
                onInput={(e) => { setReason(e.currentTarget.value); setConfirming(false) }} />
            </Field>
            {!confirming && (
              <div class='rg-form-actions'>
                <button type='submit' class='danger' disabled={busy}>Annuler le rendez-vous <kbd class='rg-kbd' aria-hidden='true'>Ctrl+Entrée</kbd></button>
              </div>
            )}
          </form>
          {confirming && (
            <div class='rg-cb-confirm' role='alertdialog' aria-labelledby='cb-confirm-title' aria-describedby='cb-confirm-text'
              onKeyDown={(e) => {
                if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); backFromConfirm() }
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void cancel() }
              }}>
              <h3 id='cb-confirm-title'>Annuler ce rendez-vous ?</h3>
              <p id='cb-confirm-text' class='banner banner-warn'>
                {patientLine(selected)} n’aura plus de rendez-vous le {bookingWhen(selected, zoneOf)} ; le créneau sera de nouveau libre.
              </p>
              <div class='rg-form-actions'>
                <button type='button' id='cb-cancel-confirm' class='primary danger' disabled={busy} onClick={() => { void cancel() }}>
                  {busy ? 'Annulation…' : 'Confirmer l’annulation'} <kbd class='rg-kbd' aria-hidden='true'>Ctrl+Entrée</kbd>
                </button>
                <button type='button' onClick={backFromConfirm}>Garder le rendez-vous <kbd class='rg-kbd' aria-hidden='true'>Échap</kbd></button>
              </div>
            </div>
          )}
        </div>
      )}
    </section>
  )
}
