/**
 * /regulation: the regulators' live board. A regulator on the phone with a patient narrows the
 * open slots (kind, mode, CPTS), ranks them by the patient's commune, puts the patient's own GP
 * first, holds a slot, books it with the patient's identity and reads the confirmation back;
 * or logs how the call ended without a booking. Everything works from the keyboard.
 */
import { render } from 'preact'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { frenchMessage } from '../../shared/errors.js'
import { PAGES } from '../../shared/pages.js'
import type { Cpts } from '../../shared/schemas/accounts.js'
import { BookingBody, type Booking, type CallBody, type HasTreatingGp, type Slot, type SlotKind } from '../../shared/schemas/slots.js'
import { EMPTY_PATIENT, FIELD_IDS, HoldPanel, type HoldBusy, type PatientDraft } from '../components/regulation-booking.js'
import { Combobox, type ComboOption } from '../components/regulation-combobox.js'
import { Confirmation, type CallLogState } from '../components/regulation-confirmation.js'
import { EndCallPanel, type EndCallValues, type EndOutcome } from '../components/regulation-endcall.js'
import { SlotGroups, type RowContext } from '../components/regulation-list.js'
import {
  filtersFromSearch, groupRows, isOpen, matchesFilters, practitionersOf, rankOf, searchPractitioners, slotLabel,
  type Commune, type Filters, type GhostReason, type PractitionerRef, type Row
} from '../components/regulation-model.js'
import { api, ApiError } from '../lib/api.js'
import { DEFAULT_ZONE, doctorName, formatTime, KIND_FR, MODE_FR, parseFrenchDate, PROFESSION_FR, secondsLeft, todayIn, CALL_OUTCOME_FR } from '../lib/format.js'
import { frenchFieldErrors, type IssueLike } from '../lib/fr-errors.js'
import { LiveSlots, liveStatusLabel, randomId, useLive, type LiveChange } from '../lib/live.js'
import { Layout, useMe } from '../lib/ui.js'

const live = new LiveSlots()

/** How long a slot that left the feed stays on screen, faded, before its row goes. */
const GHOST_MS = 2000
/** How long a new slot's row is highlighted. */
const FRESH_MS = 6000

type Phase =
  | { name: 'list' }
  | { name: 'hold', slot: Slot, expiresAt: string, key: string, busy: HoldBusy }
  | { name: 'booked', slot: Slot, booking: Booking, patientName: string, hasTreatingGp: Booking['hasTreatingGp'], callLog: CallLogState }
  | { name: 'endcall', busy: boolean, error: string | null }

interface Notice { kind: 'ok' | 'error' | 'warn', text: string }
interface Ghost { slot: Slot, reason: GhostReason, until: number }

const frenchOf = (err: unknown): string => err instanceof ApiError ? err.french : 'Erreur inattendue. Réessayez.'

/** Focuses an element once the render that creates it has happened. */
function focusSoon (selector: string): void {
  requestAnimationFrame(() => { focusNow(selector) })
}

/** Focuses an element already on screen (the next keystroke must find it there). */
function focusNow (selector: string): boolean {
  const el = document.querySelector<HTMLElement>(selector)
  if (el === null) return false
  el.focus({ preventScroll: true })
  el.scrollIntoView({ block: 'nearest' })
  return true
}
const rowSelector = (id: string): string => `[data-slot-id="${CSS.escape(id)}"]`

/**
 * After a hold: the first field of the form takes the focus; on a wide screen the page scrolls
 * just enough for the whole form (down to its buttons) to be visible in the side panel.
 */
function focusForm (): void {
  requestAnimationFrame(() => {
    const panel = document.querySelector('.rg-panel')
    if (panel !== null && getComputedStyle(panel).position === 'sticky') {
      document.querySelector('.rg-form-actions')?.scrollIntoView({ block: 'nearest' })
    }
    focusNow('#pt-last')
  })
}

/** After a booking: "Nouvel appel" takes the focus, with the whole confirmation in view. */
function focusConfirmation (): void {
  requestAnimationFrame(() => {
    const panel = document.querySelector('.rg-panel')
    if (panel !== null && getComputedStyle(panel).position !== 'sticky') {
      document.querySelector('.rg-confirm')?.scrollIntoView({ block: 'start' })
      document.querySelector<HTMLElement>('#new-call')?.focus({ preventScroll: true })
    } else {
      focusNow('#new-call')
    }
  })
}

function useNow (ms: number): number {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms)
    return () => clearInterval(t)
  }, [ms])
  return now
}

function Board () {
  const { status, slots, ready } = useLive(live)
  const now = useNow(1000)
  const [cptsList, setCptsList] = useState<Cpts[]>([])
  const [filters, setFilters] = useState<Filters>(() => filtersFromSearch(window.location.search))

  // The call in progress.
  const [communeText, setCommuneText] = useState('')
  const [commune, setCommune] = useState<Commune | null>(null)
  const [communeFound, setCommuneFound] = useState<Commune[] | null>(null)
  const [gpText, setGpText] = useState('')
  const [gp, setGp] = useState<PractitionerRef | null>(null)
  const [draft, setDraft] = useState<PatientDraft>(EMPTY_PATIENT)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string | null>(null)

  const [phase, setPhaseState] = useState<Phase>({ name: 'list' })
  const phaseRef = useRef<Phase>(phase)
  const setPhase = (p: Phase): void => { phaseRef.current = p; setPhaseState(p) }
  const bookingSlotRef = useRef<string | null>(null)
  const [pendingId, setPendingIdState] = useState<string | null>(null)
  const pendingRef = useRef<string | null>(null)
  const setPendingId = (id: string | null): void => { pendingRef.current = id; setPendingIdState(id) }
  const [notice, setNotice] = useState<Notice | null>(null)
  const [focusedId, setFocusedId] = useState<string | null>(null)

  // Keeping the list still: rows that left stay a moment; new rows wait while the mouse is on the list.
  const [ghosts, setGhosts] = useState<ReadonlyMap<string, Ghost>>(new Map())
  const [fresh, setFresh] = useState<ReadonlyMap<string, number>>(new Map())
  const [deferred, setDeferred] = useState<ReadonlySet<string>>(new Set())
  const hoverRef = useRef(false)

  // Announcements (polite live region), batched.
  const [announcement, setAnnouncement] = useState<{ text: string, at: number } | null>(null)
  const queueRef = useRef<string[]>([])
  const flushRef = useRef<ReturnType<typeof setTimeout> | null>(null)

  const communeRef = useRef<HTMLInputElement>(null)
  const gpRef = useRef<HTMLInputElement>(null)
  const firstFieldRef = useRef<HTMLInputElement>(null)
  const newCallRef = useRef<HTMLButtonElement>(null)

  useEffect(() => {
    api<Cpts[]>('GET', '/api/cpts').then(setCptsList, () => setNotice({ kind: 'warn', text: 'Liste des CPTS indisponible : heures affichées en heure de Paris.' }))
  }, [])

  const cptsById = useMemo(() => new Map(cptsList.map((c) => [c.id, c])), [cptsList])
  const zoneOf = (s: Slot): string => cptsById.get(s.cptsId)?.timezone ?? DEFAULT_ZONE
  const cptsName = (id: string): string => cptsById.get(id)?.name ?? 'CPTS'

  function announce (text: string): void {
    queueRef.current.push(text)
    if (flushRef.current !== null) return
    flushRef.current = setTimeout(() => {
      flushRef.current = null
      const q = queueRef.current
      queueRef.current = []
      const text = q.length <= 3 ? q.join(' ') : `${q.slice(0, 2).join(' ')} Et ${q.length - 2} autres changements.`
      setAnnouncement({ text, at: Date.now() })
    }, 800)
  }

  // ---- the live feed: rows that come and go, announcements, the hold of this page --------
  const onLive = (c: LiveChange): void => {
    const t = Date.now()
    if (c.type === 'status') {
      if (c.status === 'reconnecting') announce('Connexion perdue : reconnexion…')
      if (c.status === 'live' && live.ready) announce('Connexion rétablie.')
      return
    }
    const p = phaseRef.current
    if (c.type === 'snapshot') {
      if (c.resync) {
        setGhosts((g) => {
          const next = new Map(g)
          for (const s of c.removed) next.set(s.id, { slot: s, reason: 'gone', until: t + GHOST_MS })
          return next
        })
        markNew(c.added.map((s) => s.id), t)
        announce(`Liste mise à jour : ${c.added.length} créneau${c.added.length > 1 ? 'x' : ''} apparu${c.added.length > 1 ? 's' : ''}, ${c.removed.length} parti${c.removed.length > 1 ? 's' : ''}.`)
      }
      if (p.name === 'hold' && bookingSlotRef.current === null) {
        const s = live.slots.get(p.slot.id)
        if (s === undefined) lostHold('SLOT_TAKEN')
        else if (s.hold?.by === 'other') lostHold('SLOT_HELD')
        else if (s.status === 'free' && p.busy === null) setPhase({ ...p, expiresAt: new Date(t).toISOString() })
      }
      return
    }
    const { slot, previous, kept, event } = c
    const ours = (p.name === 'hold' && p.slot.id === slot.id) || bookingSlotRef.current === slot.id ||
      (p.name === 'booked' && p.slot.id === slot.id)
    if (!kept && previous !== undefined) {
      const reason: GhostReason = event === 'slot.booked' ? 'booked' : event === 'slot.withdrawn' ? 'withdrawn' : 'gone'
      setGhosts((g) => new Map(g).set(slot.id, { slot: previous, reason, until: t + GHOST_MS }))
    }
    if (kept && previous === undefined) markNew([slot.id], t)

    // What this page holds.
    if (p.name === 'hold' && p.slot.id === slot.id && bookingSlotRef.current !== slot.id) {
      if (!kept) { lostHold('SLOT_TAKEN'); return }
      if (slot.status === 'held' && slot.hold?.by === 'other') { lostHold('SLOT_HELD'); return }
      if (slot.status === 'held' && slot.hold?.by === 'me' && slot.hold.expiresAt !== p.expiresAt) {
        setPhase({ ...p, expiresAt: slot.hold.expiresAt })
      } else if (slot.status === 'free' && p.busy === null) {
        // Released without us: the hold expired.
        setPhase({ ...p, expiresAt: new Date(t).toISOString() })
      }
    }

    if (ours || !matchesFilters(slot, filtersRef.current) || Date.parse(slot.start) <= t) return
    const label = slotLabel(slot, zoneOf(slot))
    switch (event) {
      case 'slot.published': announce(`Nouveau créneau : ${label}.`); break
      case 'slot.held': if (slot.hold?.by === 'other' && previous?.status !== 'held') announce(`Créneau en cours de réservation : ${label}.`); break
      case 'slot.released': if (previous?.hold?.by === 'other') announce(`Créneau de nouveau libre : ${label}.`); break
      case 'booking.cancelled': announce(`Créneau libéré par une annulation : ${label}.`); break
      case 'slot.booked': announce(`Créneau pris : ${label}.`); break
      case 'slot.withdrawn': if (previous !== undefined) announce(`Créneau retiré : ${label}.`); break
      default: break
    }
  }
  const onLiveRef = useRef(onLive)
  onLiveRef.current = onLive
  const filtersRef = useRef(filters)
  filtersRef.current = filters
  useEffect(() => live.subscribe((c) => onLiveRef.current(c)), [])

  function markNew (ids: string[], t: number): void {
    if (ids.length === 0) return
    setFresh((f) => {
      const next = new Map(f)
      for (const id of ids) next.set(id, t + FRESH_MS)
      return next
    })
    if (hoverRef.current) setDeferred((d) => new Set([...d, ...ids]))
  }

  function showDeferred (): void { setDeferred(new Set()) }

  // Every second: countdowns, and rows whose moment has passed.
  useEffect(() => {
    if (!hoverRef.current && [...ghosts.values()].some((g) => g.until <= now)) {
      const active = document.activeElement?.closest('[data-slot-id]')?.getAttribute('data-slot-id') ?? null
      const gone = [...ghosts.values()].filter((g) => g.until <= now).map((g) => g.slot.id)
      if (active !== null && gone.includes(active)) {
        const order = rowOrderRef.current
        const i = order.findIndex((r) => r.id === active)
        const next = order.slice(i + 1).find((r) => !r.ghost) ?? [...order.slice(0, i)].reverse().find((r) => !r.ghost)
        if (next !== undefined) { setFocusedId(next.id); focusSoon(rowSelector(next.id)) }
      }
      setGhosts((g) => new Map([...g].filter(([, v]) => v.until > now)))
    }
    if ([...fresh.values()].some((u) => u <= now)) setFresh((f) => new Map([...f].filter(([, u]) => u > now)))
    const p = phaseRef.current
    if (p.name === 'hold' && secondsLeft(p.expiresAt, now) === 30) announce('Plus que 30 secondes pour réserver ce créneau : prolongez si besoin.')
  }, [now])

  // Releases this page's hold when the tab closes (best effort; it would expire anyway).
  useEffect(() => {
    const bye = (): void => {
      const p = phaseRef.current
      if (p.name === 'hold') live.fire({ type: 'release', slotId: p.slot.id })
    }
    window.addEventListener('pagehide', bye)
    return () => window.removeEventListener('pagehide', bye)
  }, [])

  // ---- the patient's commune: autocomplete ------------------------------------------------
  useEffect(() => {
    if (commune !== null) return
    const q = communeText.trim()
    if (q.length < 2) { setCommuneFound(null); return }
    let stale = false
    const t = setTimeout(() => {
      api<Commune[]>('GET', `/api/communes?q=${encodeURIComponent(q)}&limit=8`)
        .then((list) => { if (!stale) setCommuneFound(list) }, () => { if (!stale) setCommuneFound([]) })
    }, 150)
    return () => { stale = true; clearTimeout(t) }
  }, [communeText, commune])

  const communeOptions: ComboOption[] = useMemo(() => (communeFound ?? []).map((c) => ({
    id: c.code, label: `${c.name} (${c.postalCodes.length > 0 ? c.postalCodes.join(', ') : c.departement})`, detail: `département ${c.departement}`
  })), [communeFound])

  function chooseCommune (o: ComboOption): void {
    const c = communeFound?.find((x) => x.code === o.id)
    if (c === undefined) return
    setCommune(c)
    setCommuneText(`${c.name} (${c.postalCodes[0] ?? c.departement})`)
  }

  // ---- the treating GP: among the practitioners of the open slots --------------------------
  const practitioners = useMemo(() => practitionersOf([...slots.values()].filter((s) => isOpen(s, Date.now()))), [slots])
  const gpOptions: ComboOption[] = useMemo(() => gp !== null ? [] : searchPractitioners(practitioners, gpText).map((p) => ({
    id: p.id, label: doctorName(p.name), detail: `${PROFESSION_FR[p.profession]} · ${p.commune} · RPPS ${p.rpps}`
  })), [practitioners, gpText, gp])

  // ---- one practitioner's agenda (a link from the SAS platform) ------------------------------
  const onlyName = useMemo(() => {
    const p = filters.practitionerId === '' ? undefined : practitioners.find((x) => x.id === filters.practitionerId)
    return p === undefined ? null : doctorName(p.name)
  }, [practitioners, filters.practitionerId])

  function showEveryone (): void {
    setFilters({ ...filters, practitionerId: '' })
    const url = new URL(window.location.href)
    url.searchParams.delete('praticien')
    window.history.replaceState(null, '', url.pathname + url.search + url.hash)
  }

  function chooseGp (o: ComboOption): void {
    const p = practitioners.find((x) => x.id === o.id)
    if (p === undefined) return
    setGp(p)
    setGpText(doctorName(p.name))
    if (draft.hasTreatingGp === '') setDraft((d) => ({ ...d, hasTreatingGp: 'yes' }))
  }

  function onGpInput (text: string): void {
    setGpText(text)
    setGp(null)
    const digits = text.replace(/\s/g, '')
    if (/^\d{11}$/.test(digits)) {
      const p = practitioners.find((x) => x.rpps === digits)
      if (p !== undefined) chooseGp({ id: p.id, label: p.name })
    }
  }

  // ---- what the list shows ------------------------------------------------------------------
  const openSlots = [...slots.values()].filter((s) => isOpen(s, now))
  const shown = openSlots.filter((s) => matchesFilters(s, filters) && !deferred.has(s.id))
  const rows: Row[] = shown.map((s) => ({ slot: s, rank: rankOf(s, commune), fresh: (fresh.get(s.id) ?? 0) > now }))
  for (const g of ghosts.values()) {
    if (!slots.has(g.slot.id) && matchesFilters(g.slot, filters) && Date.parse(g.slot.start) > now) {
      rows.push({ slot: g.slot, ghost: g.reason, rank: rankOf(g.slot, commune) })
    }
  }
  const gpRows = gp === null ? [] : rows.filter((r) => r.slot.practitioner.id === gp.id)
  const gpFree = gpRows.filter((r) => r.ghost === undefined && r.slot.status === 'free').length
  const gpGroups = gpFree > 0 ? groupRows(gpRows, zoneOf, false) : []
  const mainRows = gpGroups.length > 0 ? rows.filter((r) => r.slot.practitioner.id !== gp?.id) : rows
  const groups = groupRows(mainRows, zoneOf)
  const rowOrder = [...gpGroups, ...groups].flatMap((g) => g.days.flatMap((d) => d.rows)).map((r) => ({ id: r.slot.id, ghost: r.ghost !== undefined }))
  const rowOrderRef = useRef(rowOrder)
  rowOrderRef.current = rowOrder
  const tabId = rowOrder.some((r) => r.id === focusedId && !r.ghost) ? focusedId : (rowOrder.find((r) => !r.ghost)?.id ?? null)
  const freeCount = shown.filter((s) => s.status === 'free').length
  const heldCount = shown.length - freeCount

  // ---- actions --------------------------------------------------------------------------------
  function lostHold (code: 'SLOT_TAKEN' | 'SLOT_HELD'): void {
    const p = phaseRef.current
    if (p.name !== 'hold') return
    setPhase({ name: 'list' })
    setNotice({ kind: 'error', text: `${frenchMessage(code)} Choisissez un autre créneau : les informations du patient sont conservées.` })
    announce(frenchMessage(code))
    setFocusedId(p.slot.id)
    focusSoon(rowSelector(p.slot.id))
  }

  async function hold (slot: Slot): Promise<void> {
    if (pendingRef.current !== null) return
    let p = phaseRef.current
    if (p.name === 'hold' && p.slot.id === slot.id) { firstFieldRef.current?.focus(); return }
    if (p.name === 'hold' && p.busy !== null) return
    if (p.name === 'booked' || p.name === 'endcall') { resetCall(); p = { name: 'list' } }
    setPendingId(slot.id)
    setNotice(null)
    setFocusedId(slot.id)
    try {
      const r = await live.hold(slot.id)
      if (p.name === 'hold') live.release(p.slot.id).catch(() => {})
      setPhase({ name: 'hold', slot: r.slot, expiresAt: r.expiresAt, key: randomId(), busy: null })
      setErrors({})
      setFormError(null)
      focusForm()
    } catch (err) {
      const code = err instanceof ApiError ? err.code : ''
      setNotice({ kind: 'error', text: code === 'SLOT_HELD' || code === 'SLOT_TAKEN' ? `${frenchOf(err)} Choisissez un autre créneau.` : frenchOf(err) })
    } finally {
      setPendingId(null)
    }
  }

  async function extend (): Promise<void> {
    const p = phaseRef.current
    if (p.name !== 'hold' || p.busy !== null) return
    setPhase({ ...p, busy: 'extend' })
    try {
      const r = await live.hold(p.slot.id)
      const cur = phaseRef.current
      if (cur.name === 'hold' && cur.slot.id === p.slot.id) setPhase({ ...cur, slot: r.slot, expiresAt: r.expiresAt, busy: null })
      announce('Délai prolongé.')
    } catch (err) {
      const code = err instanceof ApiError ? err.code : ''
      if (code === 'SLOT_HELD' || code === 'SLOT_TAKEN') { lostHold(code); return }
      const cur = phaseRef.current
      if (cur.name === 'hold') setPhase({ ...cur, busy: null })
      setFormError(frenchOf(err))
    }
  }

  async function release (): Promise<void> {
    const p = phaseRef.current
    if (p.name !== 'hold' || p.busy === 'book' || p.busy === 'release') return
    setPhase({ ...p, busy: 'release' })
    try {
      await live.release(p.slot.id)
    } catch (err) {
      // Already free, taken or expired: nothing left to release. Offline: it expires by itself.
      if (err instanceof ApiError && err.code === 'OFFLINE') setNotice({ kind: 'warn', text: 'Connexion interrompue : le créneau sera libéré de lui-même à la fin du délai.' })
    }
    setPhase({ name: 'list' })
    setErrors({})
    setFormError(null)
    setFocusedId(p.slot.id)
    focusSoon(rowSelector(p.slot.id))
  }

  async function book (): Promise<void> {
    const p = phaseRef.current
    if (p.name !== 'hold' || p.busy !== null) return
    const body = {
      patient: { lastName: draft.lastName, firstName: draft.firstName, birthDate: parseFrenchDate(draft.birthDate), phone: draft.phone },
      ...(draft.reason.trim() !== '' ? { reason: draft.reason } : {}),
      hasTreatingGp: draft.hasTreatingGp === '' ? undefined : draft.hasTreatingGp,
      idempotencyKey: p.key
    }
    const parsed = BookingBody.safeParse(body)
    const found = parsed.success ? {} : frenchFieldErrors(parsed.error.issues as unknown as IssueLike[])
    if (found['patient.birthDate'] === undefined && /^\d{4}-\d{2}-\d{2}$/.test(body.patient.birthDate)) {
      const today = todayIn(zoneOf(p.slot))
      if (body.patient.birthDate > today) found['patient.birthDate'] = 'La date de naissance est dans le futur : vérifiez-la (JJ/MM/AAAA).'
      else if (Number(body.patient.birthDate.slice(0, 4)) < Number(today.slice(0, 4)) - 125) found['patient.birthDate'] = 'Date de naissance improbable : vérifiez l’année (JJ/MM/AAAA).'
    }
    if (!parsed.success || Object.keys(found).length > 0) {
      setErrors(found)
      setFormError(null)
      const first = Object.keys(FIELD_IDS).find((k) => found[k] !== undefined)
      if (first !== undefined) focusSoon('#' + FIELD_IDS[first]!)
      return
    }
    setErrors({})
    setFormError(null)
    setPhase({ ...p, busy: 'book' })
    bookingSlotRef.current = p.slot.id
    try {
      const booking = await live.book(p.slot.id, parsed.data)
      const patientName = `${parsed.data.patient.lastName.toUpperCase()} ${parsed.data.patient.firstName}`
      const next: Phase = { name: 'booked', slot: p.slot, booking, patientName, hasTreatingGp: parsed.data.hasTreatingGp, callLog: 'pending' }
      setPhase(next)
      focusConfirmation()
      void logBooked(next)
    } catch (err) {
      const code = err instanceof ApiError ? err.code : ''
      if (code === 'SLOT_TAKEN' || code === 'SLOT_HELD') { bookingSlotRef.current = null; lostHold(code); return }
      const cur = phaseRef.current
      if (cur.name === 'hold') setPhase({ ...cur, busy: null })
      if (err instanceof ApiError && code === 'VALIDATION') {
        setErrors(frenchFieldErrors(err.details as IssueLike[]))
        setFormError(err.french)
      } else {
        setFormError(code === 'OFFLINE'
          ? `${frenchOf(err)} Un nouvel envoi ne réservera pas deux fois.`
          : frenchOf(err))
      }
    } finally {
      bookingSlotRef.current = null
    }
  }

  async function logBooked (p: Extract<Phase, { name: 'booked' }>): Promise<void> {
    const body: CallBody = {
      outcome: 'booked', kind: p.slot.kind, hasTreatingGp: p.hasTreatingGp, bookingId: p.booking.id, cptsId: p.slot.cptsId,
      ...(commune !== null ? { communeCode: commune.code } : {})
    }
    let state: CallLogState = 'ok'
    try { await api('POST', '/api/calls', body) } catch { state = 'error' }
    const cur = phaseRef.current
    if (cur.name === 'booked' && cur.booking.id === p.booking.id) setPhase({ ...cur, callLog: state })
  }

  function resetCall (): void {
    setCommune(null)
    setCommuneText('')
    setCommuneFound(null)
    setGp(null)
    setGpText('')
    setDraft(EMPTY_PATIENT)
    setErrors({})
    setFormError(null)
    setNotice(null)
    setPhase({ name: 'list' })
  }

  function newCall (): void {
    const p = phaseRef.current
    if (p.name === 'hold') live.release(p.slot.id).catch(() => {})
    resetCall()
    focusSoon('#patient-commune')
  }

  function openEndCall (): void {
    const p = phaseRef.current
    if (p.name === 'endcall') { focusSoon('#end-call-form input:checked, #end-call-form input'); return }
    if (p.name === 'hold') live.release(p.slot.id).catch(() => {})
    setPhase({ name: 'endcall', busy: false, error: null })
    focusSoon('#end-call-form input')
  }

  function closeEndCall (): void {
    setPhase({ name: 'list' })
    focusSoon('#end-call-open')
  }

  async function submitEndCall (v: EndCallValues): Promise<void> {
    const p = phaseRef.current
    if (p.name !== 'endcall' || p.busy) return
    setPhase({ ...p, busy: true, error: null })
    const body: CallBody = {
      outcome: v.outcome, kind: v.kind, hasTreatingGp: v.hasTreatingGp,
      ...(commune !== null ? { communeCode: commune.code } : {}),
      ...(filters.cptsId !== '' ? { cptsId: filters.cptsId } : {})
    }
    try {
      await api('POST', '/api/calls', body)
      resetCall()
      setNotice({ kind: 'ok', text: `Appel enregistré : ${CALL_OUTCOME_FR[v.outcome]}. Prêt pour l’appel suivant.` })
      focusSoon('#patient-commune')
    } catch (err) {
      setPhase({ name: 'endcall', busy: false, error: frenchOf(err) })
    }
  }

  const endInitial = (): { outcome: EndOutcome | null, kind: SlotKind, hasTreatingGp: HasTreatingGp } => ({
    outcome: gp !== null && gpFree === 0 ? 'redirected_treating_gp' : freeCount === 0 ? 'no_slot' : null,
    kind: filters.kind === '' ? 'snp' : filters.kind,
    hasTreatingGp: draft.hasTreatingGp !== '' ? draft.hasTreatingGp : gp !== null ? 'yes' : 'unknown'
  })

  // ---- keyboard -------------------------------------------------------------------------------
  function moveFocus (delta: number | 'first' | 'last'): void {
    const order = rowOrderRef.current
    const usable = order.filter((r) => !r.ghost)
    if (usable.length === 0) return
    let target: string | undefined
    if (delta === 'first') target = usable[0]!.id
    else if (delta === 'last') target = usable[usable.length - 1]!.id
    else {
      const current = document.activeElement?.closest('[data-slot-id]')?.getAttribute('data-slot-id') ?? null
      const i = current === null ? -1 : order.findIndex((r) => r.id === current)
      if (i < 0) target = (delta > 0 ? usable[0] : usable[usable.length - 1])!.id
      else {
        const rest = delta > 0 ? order.slice(i + 1) : order.slice(0, i).reverse()
        target = rest.find((r) => !r.ghost)?.id ?? order[i]!.id
      }
    }
    setFocusedId(target)
    if (!focusNow(rowSelector(target))) focusSoon(rowSelector(target))
  }

  const onKey = (e: KeyboardEvent): void => {
    if (e.defaultPrevented || e.isComposing) return
    const target = e.target instanceof HTMLElement ? e.target : null
    const typing = target?.closest('input, textarea, select, [contenteditable="true"]') != null
    const p = phaseRef.current
    if (e.key === 'Escape') {
      if (p.name === 'hold') { e.preventDefault(); void release() } else if (p.name === 'endcall') { e.preventDefault(); closeEndCall() }
      return
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      if (p.name === 'hold') { e.preventDefault(); void book() } else if (p.name === 'endcall') {
        e.preventDefault()
        document.querySelector<HTMLFormElement>('#end-call-form')?.requestSubmit()
      }
      return
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return
    // While a hold is on its way the next keystrokes are meant for the form, not for shortcuts.
    if (pendingRef.current !== null) return
    const inList = target?.closest('[data-slot-id]') != null
    switch (e.key) {
      case '/': e.preventDefault(); communeRef.current?.focus(); communeRef.current?.select(); break
      case 't': e.preventDefault(); gpRef.current?.focus(); gpRef.current?.select(); break
      case 'f': if (p.name !== 'booked') { e.preventDefault(); openEndCall() } break
      case 'n': if (p.name === 'booked') { e.preventDefault(); newCall() } break
      case 'j': e.preventDefault(); moveFocus(1); break
      case 'k': e.preventDefault(); moveFocus(-1); break
      case 'ArrowDown': if (inList) { e.preventDefault(); moveFocus(1) } break
      case 'ArrowUp': if (inList) { e.preventDefault(); moveFocus(-1) } break
      case 'Home': if (inList) { e.preventDefault(); moveFocus('first') } break
      case 'End': if (inList) { e.preventDefault(); moveFocus('last') } break
      default: break
    }
  }
  const onKeyRef = useRef(onKey)
  onKeyRef.current = onKey
  useEffect(() => {
    const h = (e: KeyboardEvent): void => onKeyRef.current(e)
    document.addEventListener('keydown', h)
    return () => document.removeEventListener('keydown', h)
  }, [])

  // ---- render ---------------------------------------------------------------------------------
  const ctx: RowContext = {
    now, zoneOf, cptsName, focusedId: tabId,
    activeId: phase.name === 'hold' ? phase.slot.id : null,
    activeExpired: phase.name === 'hold' && secondsLeft(phase.expiresAt, now) === 0,
    pendingId,
    onHold: (s) => { void hold(s) },
    onFocusRow: setFocusedId
  }
  const statusText = status === 'live' ? 'En direct' : status === 'connecting' ? 'connexion…' : status === 'ended' ? liveStatusLabel(status, live.endedMessage) : 'reconnexion…'
  const gpHint = gp === null
    ? (gpText.trim() !== '' && gpOptions.length === 0 ? 'Aucun créneau ouvert de ce médecin.' : 'Ses créneaux libres passent en tête.')
    : gpFree > 0
      ? `RPPS ${gp.rpps} · ${gpFree} créneau${gpFree > 1 ? 'x' : ''} libre${gpFree > 1 ? 's' : ''}, en tête de liste.`
      : `RPPS ${gp.rpps} · aucun créneau libre : réorientez vers son cabinet (fin d’appel).`
  const communeHint = commune !== null
    ? 'Classement : commune, intercommunalité, département.'
    : communeFound !== null && communeFound.length === 0 ? 'Aucune commune trouvée.' : 'Classe les créneaux par proximité.'
  const hasPanel = phase.name !== 'list'
  const heldPhase = phase.name === 'hold' ? phase : null

  return (
    <div class={'rg-board' + (hasPanel ? ' has-panel' : '')}>
      <div class='rg-toolbar'>
        <span class={`rg-status is-${status}`}>
          <span class='rg-dot' aria-hidden='true' />{statusText}
        </span>
        <p class='rg-activity' aria-live='polite' aria-atomic='true' title={announcement?.text}>
          {announcement !== null && <><span class='rg-muted'>{formatTime(announcement.at, DEFAULT_ZONE)} · </span>{announcement.text}</>}
        </p>
        <div class='rg-call-actions'>
          <button type='button' id='end-call-open' onClick={openEndCall} disabled={phase.name === 'booked'}>
            Fin d’appel sans réservation <kbd class='rg-kbd' aria-hidden='true'>f</kbd>
          </button>
          <button type='button' onClick={newCall}>Nouvel appel</button>
        </div>
      </div>

      <div class='rg-layout'>
        <div class={'rg-main' + (status === 'live' ? '' : ' is-stale')}>
          <section class='rg-call card' aria-label='Appel en cours'>
            <Combobox id='patient-commune' label='Commune du patient' shortcut='/' inputRef={communeRef}
              value={communeText} chosen={commune !== null} options={commune !== null ? [] : communeOptions}
              placeholder='Nom ou code postal'
              onInput={(t) => { setCommuneText(t); setCommune(null) }}
              onSelect={chooseCommune}
              onClear={() => { setCommune(null); setCommuneText(''); setCommuneFound(null); communeRef.current?.focus() }}
              hint={communeHint} />
            <Combobox id='treating-gp' label='Médecin traitant' shortcut='t' inputRef={gpRef}
              value={gpText} chosen={gp !== null} options={gpOptions}
              placeholder='Nom ou RPPS'
              onInput={onGpInput}
              onSelect={chooseGp}
              onClear={() => { setGp(null); setGpText(''); gpRef.current?.focus() }}
              hint={gpHint} />
          </section>

          <h2 class='sr-only'>Créneaux ouverts</h2>
          <div class='rg-filters' role='group' aria-label='Filtres'>
            <label>Type
              <select value={filters.kind} onChange={(e) => setFilters({ ...filters, kind: e.currentTarget.value as Filters['kind'] })}>
                <option value=''>Tous</option>
                <option value='snp'>{KIND_FR.snp}</option>
                <option value='psy'>{KIND_FR.psy}</option>
              </select>
            </label>
            <label>Mode
              <select value={filters.mode} onChange={(e) => setFilters({ ...filters, mode: e.currentTarget.value as Filters['mode'] })}>
                <option value=''>Tous</option>
                {(['office', 'video', 'home'] as const).map((m) => <option key={m} value={m}>{MODE_FR[m]}</option>)}
              </select>
            </label>
            <label>CPTS
              <select value={filters.cptsId} onChange={(e) => setFilters({ ...filters, cptsId: e.currentTarget.value })}>
                <option value=''>Toutes</option>
                {cptsList.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
              </select>
            </label>
            {filters.practitionerId !== '' && (
              <p class='rg-only'>
                Créneaux de <strong>{onlyName ?? 'ce praticien'}</strong> seulement{onlyName === null ? ' (aucun créneau ouvert)' : ''}
                {' '}<button type='button' class='link' onClick={showEveryone}>voir tous les praticiens</button>
              </p>
            )}
            <p class='rg-count'>
              {!ready
                ? 'Chargement des créneaux…'
                : <>{freeCount} créneau{freeCount > 1 ? 'x' : ''} libre{freeCount > 1 ? 's' : ''}{heldCount > 0 ? ` · ${heldCount} en cours` : ''}</>}
              {status !== 'live' && ready && <span class='rg-stale'> · peut-être plus à jour</span>}
              {deferred.size > 0 && (
                <span class='rg-deferred'>
                  {' · '}{deferred.size} nouveau{deferred.size > 1 ? 'x' : ''}{' '}
                  <button type='button' class='link' onClick={showDeferred}>afficher</button>
                </span>
              )}
            </p>
          </div>

          <div class='rg-listwrap'
            onPointerEnter={(e) => { if (e.pointerType === 'mouse') hoverRef.current = true }}
            onPointerLeave={(e) => { if (e.pointerType === 'mouse') { hoverRef.current = false; if (deferred.size > 0) showDeferred() } }}>
            {gpGroups.length > 0 && gp !== null && (
              <section class='rg-gp' aria-labelledby='gp-title'>
                <h3 id='gp-title'>Médecin traitant : {doctorName(gp.name)}</h3>
                <SlotGroups groups={gpGroups} ctx={ctx} communeName={null} dayLevel={4} />
              </section>
            )}
            {ready && rows.length === 0 && (
              <p class='rg-empty'>
                Aucun créneau ouvert{filters.kind !== '' || filters.mode !== '' || filters.cptsId !== '' || filters.practitionerId !== '' ? ' pour ces filtres' : ''}.
                {' '}Si rien ne convient, notez l’appel avec « Fin d’appel sans réservation » (Aucun créneau disponible).
              </p>
            )}
            <SlotGroups groups={groups} ctx={ctx} communeName={commune?.name ?? null} />
          </div>
        </div>

        <aside class='rg-panel' aria-label='Réservation'>
          {notice !== null && (
            <p class={`banner banner-${notice.kind === 'ok' ? 'ok' : notice.kind === 'warn' ? 'warn' : 'error'}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
              {notice.text}
            </p>
          )}
          {heldPhase !== null && (
            <HoldPanel slot={heldPhase.slot} zone={zoneOf(heldPhase.slot)} cptsName={cptsName(heldPhase.slot.cptsId)}
              expiresAt={heldPhase.expiresAt} now={now} busy={heldPhase.busy}
              draft={draft} onDraft={(patch) => setDraft((d) => ({ ...d, ...patch }))}
              errors={errors} formError={formError}
              onBook={() => { void book() }} onExtend={() => { void extend() }} onCancel={() => { void release() }}
              firstFieldRef={firstFieldRef} />
          )}
          {phase.name === 'booked' && (
            <Confirmation slot={phase.slot} booking={phase.booking} zone={zoneOf(phase.slot)} cptsName={cptsName(phase.slot.cptsId)}
              patientName={phase.patientName} callLog={phase.callLog}
              onRetryLog={() => { void logBooked(phase) }} onNewCall={newCall} newCallRef={newCallRef} />
          )}
          {phase.name === 'endcall' && (
            <EndCallPanel commune={commune} initial={endInitial()} busy={phase.busy} error={phase.error}
              onSubmit={(v) => { void submitEndCall(v) }} onClose={closeEndCall} />
          )}
          {phase.name === 'list' && (
            <div class='rg-help card'>
              <h2>Pendant l’appel</h2>
              <ol>
                <li>Saisissez la <strong>commune du patient</strong> et, s’il en a un, son <strong>médecin traitant</strong>.</li>
                <li>Choisissez un créneau et <strong>Réserver</strong> : il est bloqué pour vous pendant la saisie.</li>
                <li>Renseignez le patient, validez, puis lisez-lui la confirmation.</li>
              </ol>
            </div>
          )}
          <section class='rg-keys' aria-labelledby='keys-title'>
            <h2 id='keys-title'>Raccourcis clavier</h2>
            <dl>
              <dt><kbd>/</kbd></dt><dd>commune du patient</dd>
              <dt><kbd>t</kbd></dt><dd>médecin traitant</dd>
              <dt><kbd>j</kbd> <kbd>k</kbd> <kbd>↓</kbd> <kbd>↑</kbd></dt><dd>créneau suivant, précédent</dd>
              <dt><kbd>Entrée</kbd></dt><dd>réserver le créneau</dd>
              <dt><kbd>Ctrl</kbd>+<kbd>Entrée</kbd></dt><dd>valider le formulaire</dd>
              <dt><kbd>Échap</kbd></dt><dd>annuler, libérer le créneau</dd>
              <dt><kbd>f</kbd></dt><dd>fin d’appel sans réservation</dd>
              <dt><kbd>n</kbd></dt><dd>nouvel appel (après réservation)</dd>
            </dl>
          </section>
        </aside>
      </div>
    </div>
  )
}

function Page () {
  const me = useMe()
  return <Layout me={me} title={PAGES.regulation.title}>{me !== null && <Board />}</Layout>
}

render(<Page />, document.getElementById('app')!)
