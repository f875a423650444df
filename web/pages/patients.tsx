/**
 * /admin/patients: the CPTS coordinator answers a patient's rights. Find every booking and
 * waiting-list request the instance still holds for one patient (last name and birth date), export them (right of
 * access) or erase their identity now (right to erasure). The server audits each step; the
 * patient is sent in request bodies only, never in an address.
 */
import { render } from 'preact'
import { useRef, useState } from 'preact/hooks'
import { PAGES } from '../../shared/pages.js'
import type { PatientBooking, PatientBookings as Found, PatientErasure, PatientLookup, PatientRequest } from '../../shared/schemas/patients.js'
import { PatientBookings, recordsText } from '../components/patient-bookings.js'
import { PatientSearchForm } from '../components/patient-search.js'
import { api, ApiError } from '../lib/api.js'
import { saveFile } from '../lib/download.js'
import { Layout, useMe } from '../lib/ui.js'

const frenchOf = (err: unknown): string => err instanceof ApiError
  ? err.french
  : 'Serveur injoignable. Vérifiez la connexion puis réessayez.'

/** POSTs `body` and saves the answer as the file the server names (content-disposition). */
async function downloadPost (path: string, body: unknown, fallbackName: string): Promise<void> {
  const res = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (!res.ok) {
    const text = await res.text()
    throw new ApiError(res.status, text === '' ? null : JSON.parse(text))
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName
  saveFile(name, await res.blob())
}

interface Shown { lookup: PatientLookup, bookings: PatientBooking[], requests: PatientRequest[] }

function Page () {
  const me = useMe()
  const [shown, setShown] = useState<Shown | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const doneRef = useRef<HTMLParagraphElement>(null)

  async function run (fn: () => Promise<void>): Promise<void> {
    setBusy(true)
    setError(null)
    try {
      await fn()
    } catch (err) {
      setError(frenchOf(err))
    } finally {
      setBusy(false)
    }
  }

  const search = (lookup: PatientLookup): Promise<void> => run(async () => {
    setDone(null)
    const found = await api<Found>('POST', '/api/admin/patients/search', lookup)
    setShown({ lookup, bookings: found.bookings, requests: found.requests })
  })

  const exportAs = (format: 'csv' | 'json'): Promise<void> => run(async () => {
    if (shown === null) return
    await downloadPost('/api/admin/patients/export', { ...shown.lookup, format }, `droit-d-acces.${format}`)
    setDone(`Export ${format.toUpperCase()} téléchargé : ${recordsText(shown.bookings.length, shown.requests.length)}.`)
  })

  const erase = (): Promise<void> => run(async () => {
    if (shown === null) return
    const r = await api<PatientErasure>('POST', '/api/admin/patients/erase', {
      ...shown.lookup, bookingIds: shown.bookings.map((b) => b.id), requestIds: shown.requests.map((q) => q.id)
    })
    const found = await api<Found>('POST', '/api/admin/patients/search', shown.lookup)
    setShown({ lookup: shown.lookup, bookings: found.bookings, requests: found.requests })
    const ended = r.requestsEnded.length
    setDone(`Données du patient effacées pour ${recordsText(r.erased, r.requestsErased)}.` +
      (ended > 0 ? ` ${ended > 1 ? `${ended} demandes en attente ont été retirées` : 'Une demande en attente a été retirée'} de la liste d’attente.` : '') +
      ' Les créneaux et le bilan de saison sont inchangés.')
    setTimeout(() => doneRef.current?.focus(), 0)
  })

  return (
    <Layout me={me} title={PAGES.patients.title}>
      <p class='pt-intro'>
        Pour répondre à la demande d’un patient : retrouver toutes ses réservations et ses demandes de liste d’attente, les lui transmettre (droit d’accès)
        ou effacer son identité (droit à l’effacement). Chaque recherche, export et effacement est inscrit au journal d’audit,
        sans le nom du patient.
      </p>
      {me !== null && <PatientSearchForm busy={busy} onSearch={(k) => { void search(k) }} />}
      {error !== null && <p class='banner banner-error' role='alert'>{error}</p>}
      <div role='status' class='admin-status'>
        {done !== null && <p class='banner banner-ok' ref={doneRef} tabIndex={-1}>{done}</p>}
      </div>
      {shown !== null && (
        <PatientBookings lookup={shown.lookup} bookings={shown.bookings} requests={shown.requests} busy={busy}
          onExport={(f) => { void exportAs(f) }} onErase={() => { void erase() }} />
      )}
    </Layout>
  )
}

render(<Page />, document.getElementById('app')!)
