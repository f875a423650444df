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
import type { Booking, CallBody, Slot } from '../../shared/schemas/slots.js'
import { HoldPanel } from '../components/regulation-booking.js'
import {
  bookingRequest, CallStore, endCallDefaults, FIELD_IDS, firstInvalidField, followFeed, heldSlot, holdBusy, holdExpired, isOwnSlot,
  lostCode, shortcutsPaused, type CallAction, type CallError, type CallState, type LostCode
} from '../components/regulation-call.js'
import { bookingWhen, CallbackPanel } from '../components/regulation-callback.js'
import { Combobox, type ComboOption } from '../components/regulation-combobox.js'
import { KindCheckPanel, MovePanel } from '../components/regulation-move.js'
import { Confirmation } from '../components/regulation-confirmation.js'
import { EndCallPanel, type EndCallValues } from '../components/regulation-endcall.js'
import { SlotGroups, type RowContext } from '../components/regulation-list.js'
import {
  batchAnnouncements, boardView, feedAnnouncement, filtersFromSearch, ghostReason, isOpen, matchesFilters, practitionersOf,
  resyncAnnouncement, searchPractitioners, slotLabel, type Commune, type Filters, type Ghost
} from '../components/regulation-model.js'
import { api, ApiError } from '../lib/api.js'
import { DEFAULT_ZONE, doctorName, formatTime, KIND_LONG_FR, MODE_FR, PROFESSION_FR, SAS_NUMBER, secondsLeft, todayIn } from '../lib/format.js'
import { frenchFieldErrors, type IssueLike } from '../lib/fr-errors.js'
import { LiveSlots, liveStatusLabel, randomId, useLive, type LiveChange } from '../lib/live.js'
import { Layout, useMe } from '../lib/ui.js'

const live = new LiveSlots()

/** How long a slot that left the feed stays on screen, faded, before its row goes. */
const GHOST_MS = 2000
/** How long a new slot's row is highlighted. */
const FRESH_MS = 6000

/** A failed request as the call's model reads it: its code and French sentence (and, for VALIDATION, by field). */
function callError (err: unknown): CallError {
  if (!(err instanceof ApiError)) return { code: '', french: 'Erreur inattendue. Réessayez.' }
  return { code: err.code, french: err.french, ...(err.code === 'VALIDATION' ? { fieldErrors: frenchFieldErrors(err.details as IssueLike[]) } : {}) }
}

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
 * Back to the list once a field is done with (a commune or a GP chosen, Échap): its tab-stop
 * row takes the focus, so that j/k, t, / and the other shortcuts work at once; with no row, the
 * list's heading.
 */
function focusList (): void {
  requestAnimationFrame(() => {
    if (!focusNow('li.rg-row[tabindex="0"]')) focusNow('#slots-title')
  })
}

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

/** What the regulator is told when the commune chosen lies outside every territory of the instance. */
function outsideWarning (c: Commune): string {
  return `${c.name} (${c.postalCodes[0] ?? c.departement}) est hors du territoire des CPTS : vérifiez la commune avec le patient. Les créneaux sont classés « Plus loin ».`
}

function useNow (ms: number): number {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms)
    return () => clearInterval(t)
  }, [ms])
  return now
}

/** The call's model for this component: its state (to render) and its store (for handlers that awaited a reply). */
function useCall (): [CallState, CallStore] {
  const [store] = useState(() => new CallStore())
  const [state, setState] = useState(store.state)
  useEffect(() => { setState(store.state); return store.subscribe(setState) }, [store])
  return [state, store]
}

function Board () {
  const { status, slots, ready } = useLive(live)
  const now = useNow(1000)
  const [cptsList, setCptsList] = useState<Cpts[]>([])
  const [filters, setFilters] = useState<Filters>(() => filtersFromSearch(window.location.search))
  /** Off by default: the list shows the slots of the call's kind only. */
  const [allKinds, setAllKinds] = useState(false)

  // The call in progress.
  const [call, calls] = useCall()
  const { phase, commune, gp } = call
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
  const moveRef = useRef<HTMLButtonElement>(null)
  const kindRef = useRef<HTMLButtonElement>(null)
  const callbackRef = useRef<HTMLInputElement>(null)

  /** The filters as the list applies them: the call's kind unless "Tous les types". */
  const shownFilters: Filters = { ...filters, kind: allKinds ? '' : call.kind }

  useEffect(() => {
    api<Cpts[]>('GET', '/api/cpts').then(setCptsList, () => {
      calls.dispatch({ type: 'notice', notice: { kind: 'warn', text: 'Liste des CPTS indisponible : heures affichées en heure de Paris.' } })
    })
  }, [calls])

  const cptsById = useMemo(() => new Map(cptsList.map((c) => [c.id, c])), [cptsList])
  const zoneOf = (s: Slot): string => cptsById.get(s.cptsId)?.timezone ?? DEFAULT_ZONE
  const cptsName = (id: string): string => cptsById.get(id)?.name ?? 'CPTS'

  function announce (text: string): void {
    queueRef.current.push(text)
    if (flushRef.current !== null) return
    flushRef.current = setTimeout(() => {
      flushRef.current = null
      const text = batchAnnouncements(queueRef.current)
      queueRef.current = []
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
    if (c.type === 'snapshot') {
      if (c.resync) {
        setGhosts((g) => {
          const next = new Map(g)
          for (const s of c.removed) next.set(s.id, { slot: s, reason: 'gone', until: t + GHOST_MS })
          return next
        })
        markNew(c.added.map((s) => s.id), t)
        announce(resyncAnnouncement(c.added.length, c.removed.length))
      }
      const held = heldSlot(calls.state)
      if (held !== null) followHold(held.id, live.slots.get(held.id), t)
      return
    }
    const { slot, previous, kept, event } = c
    const own = isOwnSlot(calls.state, slot.id)
    if (!kept && previous !== undefined) {
      setGhosts((g) => new Map(g).set(slot.id, { slot: previous, reason: ghostReason(event), until: t + GHOST_MS }))
    }
    if (kept && previous === undefined) markNew([slot.id], t)
    followHold(slot.id, kept ? slot : undefined, t)

    if (own || !matchesFilters(slot, shownFilters) || Date.parse(slot.start) <= t) return
    const text = feedAnnouncement(event, slot, previous, slotLabel(slot, zoneOf(slot)))
    if (text !== null) announce(text)
  }
  const onLiveRef = useRef(onLive)
  onLiveRef.current = onLive
  useEffect(() => live.subscribe((c) => onLiveRef.current(c)), [])

  /** What the feed now says of a slot (undefined: it left the list) tells about this page's hold. */
  function followHold (slotId: string, slot: Slot | undefined, t: number): void {
    const action = followFeed(calls.state, slotId, slot, t)
    if (action !== null) dispatchMayLose(action, action.type === 'holdLost' ? action.code : null)
  }

  /** Dispatches; when that cost this page its hold, says so and puts the focus back on the slot's row. */
  function dispatchMayLose (action: CallAction, code: LostCode | null): void {
    const held = heldSlot(calls.state)
    calls.dispatch(action)
    if (code === null || held === null || calls.state.phase.name !== 'list') return
    announce(frenchMessage(code))
    setFocusedId(held.id)
    focusSoon(rowSelector(held.id))
  }

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
        const i = rowOrder.findIndex((r) => r.id === active)
        const next = rowOrder.slice(i + 1).find((r) => !r.ghost) ?? [...rowOrder.slice(0, i)].reverse().find((r) => !r.ghost)
        if (next !== undefined) { setFocusedId(next.id); focusSoon(rowSelector(next.id)) }
      }
      setGhosts((g) => new Map([...g].filter(([, v]) => v.until > now)))
    }
    if ([...fresh.values()].some((u) => u <= now)) setFresh((f) => new Map([...f].filter(([, u]) => u > now)))
    if (phase.name === 'hold' && secondsLeft(phase.expiresAt, now) === 30) announce('Plus que 30 secondes pour réserver ce créneau : prolongez si besoin.')
  }, [now])

  // Releases this page's hold when the tab closes (best effort; it would expire anyway).
  useEffect(() => {
    const bye = (): void => {
      const held = heldSlot(calls.state)
      if (held !== null) live.fire({ type: 'release', slotId: held.id })
    }
    window.addEventListener('pagehide', bye)
    return () => window.removeEventListener('pagehide', bye)
  }, [calls])

  // ---- the patient's commune: autocomplete ------------------------------------------------
  useEffect(() => {
    if (commune !== null) return
    const q = call.communeText.trim()
    if (q.length < 2) { calls.dispatch({ type: 'communesFound', list: null }); return }
    let stale = false
    const t = setTimeout(() => {
      api<Commune[]>('GET', `/api/communes?q=${encodeURIComponent(q)}&limit=8`).then(
        (list) => { if (!stale) calls.dispatch({ type: 'communesFound', list }) },
        () => { if (!stale) calls.dispatch({ type: 'communesFound', list: [] }) })
    }, 150)
    return () => { stale = true; clearTimeout(t) }
  }, [call.communeText, commune])

  const communeOptions: ComboOption[] = useMemo(() => (call.communeFound ?? []).map((c) => ({
    id: c.code,
    label: `${c.name} (${c.postalCodes.length > 0 ? c.postalCodes.join(', ') : c.departement})`,
    detail: `département ${c.departement}${c.territory === 'outside' ? ' · hors territoire' : c.territory === 'cpts' ? ' · territoire de la CPTS' : ''}`
  })), [call.communeFound])

  function chooseCommune (o: ComboOption): void {
    const c = calls.state.communeFound?.find((x) => x.code === o.id)
    if (c === undefined) return
    calls.dispatch({ type: 'communeChosen', commune: c })
    if (c.territory === 'outside') announce(outsideWarning(c))
    setFocusedId(null)
    focusList()
  }

  // ---- the treating GP: among the practitioners of the open slots --------------------------
  const practitioners = useMemo(() => practitionersOf([...slots.values()].filter((s) => isOpen(s, Date.now()))), [slots])
  const gpOptions: ComboOption[] = useMemo(() => gp !== null ? [] : searchPractitioners(practitioners, call.gpText).map((p) => ({
    id: p.id, label: doctorName(p.name), detail: `${PROFESSION_FR[p.profession]} · ${p.commune} · RPPS ${p.rpps}`
  })), [practitioners, call.gpText, gp])

  // ---- one practitioner's agenda (a link from the SAS platform) ------------------------------
  const onlyName = useMemo(() => {
    const p = filters.practitionerId === '' ? undefined : practitioners.find((x) => x.id === filters.practitionerId)
    return p === undefined ? null : doctorName(p.name)
  }, [practitioners, filters.practitionerId])

  // The link names one practitioner: the call's kind follows theirs (a psychiatrist's slots are
  // psy ones), else the list would stay empty until "Demande" is switched by hand. Once only:
  // the regulator may change it afterwards.
  const linkKindApplied = useRef(false)
  useEffect(() => {
    if (linkKindApplied.current || filters.practitionerId === '') return
    const p = practitioners.find((x) => x.id === filters.practitionerId)
    if (p === undefined) return
    linkKindApplied.current = true
    calls.dispatch({ type: 'kindChosen', kind: p.profession === 'psychiatrist' ? 'psy' : 'snp' })
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
    calls.dispatch({ type: 'gpChosen', gp: p })
    focusList()
  }

  function onGpInput (text: string): void {
    calls.dispatch({ type: 'gpTyped', text })
    const digits = text.replace(/\s/g, '')
    if (/^\d{11}$/.test(digits)) {
      const p = practitioners.find((x) => x.rpps === digits)
      if (p !== undefined) chooseGp({ id: p.id, label: p.name })
    }
  }

  // ---- what the list shows ------------------------------------------------------------------
  const { shown, rows, gpFree, gpGroups, groups, order: rowOrder } =
    boardView({ slots, ghosts: ghosts.values(), fresh, deferred, filters: shownFilters, commune, gp, now, zoneOf })
  const tabId = rowOrder.some((r) => r.id === focusedId && !r.ghost) ? focusedId : (rowOrder.find((r) => !r.ghost)?.id ?? null)
  const freeCount = shown.filter((s) => s.status === 'free').length
  const heldCount = shown.length - freeCount

  // ---- actions: each sends its request and dispatches the answer ------------------------------
  async function hold (slot: Slot, kindConfirmed = false): Promise<void> {
    const s = calls.state
    const previous = heldSlot(s)
    if (s.holding === null && previous?.id === slot.id) { (s.moving !== null ? moveRef : firstFieldRef).current?.focus(); return }
    if (!kindConfirmed && slot.kind !== s.kind && s.holding === null) {
      // Another kind than the call's: asked first (an SNP call must not land in a psy slot unseen).
      calls.dispatch({ type: 'kindCheckOpened', slot })
      setFocusedId(slot.id)
      focusSoon('#kind-confirm')
      return
    }
    calls.dispatch({ type: 'kindCheckClosed' })
    if (!calls.dispatch({ type: 'holdRequested', slotId: slot.id })) return
    setFocusedId(slot.id)
    try {
      const r = await live.hold(slot.id)
      if (previous !== null) live.release(previous.id).catch(() => {})
      calls.dispatch({ type: 'holdGranted', slot: r.slot, expiresAt: r.expiresAt, key: randomId() })
      if (calls.state.moving !== null) focusSoon('#move-confirm'); else focusForm()
    } catch (err) {
      const error = callError(err)
      calls.dispatch({ type: 'holdRefused', error })
      // The loser of a race is told in the panel (role alert) and in the live region, on its row.
      const lost = lostCode(error.code)
      if (lost !== null) announce(`${frenchMessage(lost)} Choisissez un autre créneau.`)
      setFocusedId(slot.id)
      focusSoon(rowSelector(slot.id))
    }
  }

  function closeKindCheck (): void {
    const slot = calls.state.kindCheck
    calls.dispatch({ type: 'kindCheckClosed' })
    if (slot !== null) { setFocusedId(slot.id); focusSoon(rowSelector(slot.id)) }
  }

  // ---- a patient calls back: find, cancel, move ----------------------------------------------
  function openCallback (): void {
    const held = heldSlot(calls.state)
    if (held !== null) live.release(held.id).catch(() => {})
    calls.dispatch({ type: 'callbackOpened' })
    focusSoon('#cb-q')
  }

  function closeCallback (): void {
    calls.dispatch({ type: 'callbackClosed' })
    focusSoon('#callback-open')
  }

  async function searchBookings (q: string): Promise<Booking[]> {
    return await api<Booking[]>('GET', `/api/bookings/search?q=${encodeURIComponent(q)}`)
  }

  /** Cancels the booking found; null when done, else the French reason it failed. */
  async function cancelBooking (b: Booking, reason: string): Promise<string | null> {
    try {
      await live.cancel(b.id, reason)
    } catch (err) {
      return callError(err).french
    }
    const text = `Rendez-vous du ${bookingWhen(b, (id) => cptsById.get(id)?.timezone ?? DEFAULT_ZONE)} annulé : le créneau est de nouveau libre.`
    calls.dispatch({ type: 'bookingCancelled', text })
    announce(text)
    focusSoon('#callback-open')
    return null
  }

  function startMove (b: Booking): void {
    calls.dispatch({ type: 'moveStarted', booking: b })
    setAllKinds(false)
    setFocusedId(null)
    focusList()
  }

  function abandonMove (): void {
    const held = heldSlot(calls.state)
    if (held !== null) live.release(held.id).catch(() => {})
    calls.dispatch({ type: 'moveAbandoned' })
    if (held !== null) calls.dispatch({ type: 'released', slotId: held.id, offline: false })
    announce('Déplacement abandonné : le rendez-vous reste inchangé.')
    focusSoon('#callback-open')
  }

  async function move (): Promise<void> {
    const s = calls.state
    const p = s.phase
    const from = s.moving
    if (p.name !== 'hold' || from === null || !calls.dispatch({ type: 'moveRequested', slotId: p.slot.id })) return
    try {
      const r = await api<{ booking: Booking, previous: Booking }>('POST', `/api/bookings/${encodeURIComponent(from.id)}/move`, { slotId: p.slot.id })
      const patientName = r.booking.patient !== undefined ? `${r.booking.patient.lastName.toUpperCase()} ${r.booking.patient.firstName}` : ''
      calls.dispatch({ type: 'moved', slot: p.slot, booking: r.booking, patientName, from: from.id })
      focusConfirmation()
    } catch (err) {
      const error = callError(err)
      dispatchMayLose({ type: 'moveFailed', slotId: p.slot.id, error }, lostCode(error.code))
    }
  }

  async function extend (): Promise<void> {
    const held = heldSlot(calls.state)
    if (held === null || !calls.dispatch({ type: 'extendRequested' })) return
    try {
      const r = await live.hold(held.id)
      calls.dispatch({ type: 'extended', slotId: held.id, slot: r.slot, expiresAt: r.expiresAt })
      announce('Délai prolongé.')
    } catch (err) {
      const error = callError(err)
      dispatchMayLose({ type: 'extendFailed', slotId: held.id, error }, lostCode(error.code))
    }
  }

  async function release (): Promise<void> {
    const held = heldSlot(calls.state)
    if (held === null || !calls.dispatch({ type: 'releaseRequested' })) return
    let offline = false
    try {
      await live.release(held.id)
    } catch (err) {
      // Already free, taken or expired: nothing left to release. Offline: it expires by itself.
      offline = err instanceof ApiError && err.code === 'OFFLINE'
    }
    calls.dispatch({ type: 'released', slotId: held.id, offline })
    setFocusedId(held.id)
    focusSoon(rowSelector(held.id))
  }

  async function book (): Promise<void> {
    const s = calls.state
    const p = s.phase
    if (p.name !== 'hold' || holdBusy(s) !== null) return
    if (s.moving !== null) { await move(); return }
    const request = bookingRequest(s.draft, p.key, todayIn(zoneOf(p.slot)))
    if (!request.ok) {
      calls.dispatch({ type: 'bookRejected', errors: request.errors })
      const first = firstInvalidField(request.errors)
      if (first !== undefined) focusSoon('#' + FIELD_IDS[first]!)
      return
    }
    const { body } = request
    calls.dispatch({ type: 'bookRequested', slotId: p.slot.id })
    try {
      const booking = await live.book(p.slot.id, body)
      const patientName = `${body.patient.lastName.toUpperCase()} ${body.patient.firstName}`
      calls.dispatch({ type: 'booked', slot: p.slot, booking, patientName, hasTreatingGp: body.hasTreatingGp })
      focusConfirmation()
      void logBooked(s.commune)
    } catch (err) {
      const error = callError(err)
      dispatchMayLose({ type: 'bookFailed', slotId: p.slot.id, error }, lostCode(error.code))
    }
  }

  /** Writes the booked call to the call log (with the patient's commune, when known). */
  async function logBooked (patientCommune: Commune | null): Promise<void> {
    const p = calls.state.phase
    if (p.name !== 'booked') return
    const body: CallBody = {
      outcome: 'booked', kind: p.slot.kind, hasTreatingGp: p.hasTreatingGp, bookingId: p.booking.id, cptsId: p.slot.cptsId,
      ...(patientCommune !== null ? { communeCode: patientCommune.code } : {})
    }
    let ok = true
    try { await api('POST', '/api/calls', body) } catch { ok = false }
    calls.dispatch({ type: 'callLogged', bookingId: p.booking.id, ok })
  }

  function newCall (): void {
    const held = heldSlot(calls.state)
    if (held !== null) live.release(held.id).catch(() => {})
    calls.dispatch({ type: 'newCall' })
    focusSoon('#patient-commune')
  }

  function openEndCall (): void {
    const s = calls.state
    if (s.phase.name === 'endcall') { focusSoon('#end-call-form input:checked, #end-call-form input'); return }
    const held = heldSlot(s)
    if (held !== null) live.release(held.id).catch(() => {})
    calls.dispatch({ type: 'endCallOpened' })
    focusSoon('#end-call-form input')
  }

  function closeEndCall (): void {
    calls.dispatch({ type: 'endCallClosed' })
    focusSoon('#end-call-open')
  }

  async function submitEndCall (v: EndCallValues): Promise<void> {
    const patientCommune = calls.state.commune
    if (!calls.dispatch({ type: 'endCallSent' })) return
    const body: CallBody = {
      outcome: v.outcome, kind: v.kind, hasTreatingGp: v.hasTreatingGp,
      ...(patientCommune !== null ? { communeCode: patientCommune.code } : {}),
      ...(filters.cptsId !== '' ? { cptsId: filters.cptsId } : {})
    }
    try {
      await api('POST', '/api/calls', body)
      calls.dispatch({ type: 'endCallLogged', outcome: v.outcome })
      focusSoon('#patient-commune')
    } catch (err) {
      calls.dispatch({ type: 'endCallFailed', error: callError(err) })
    }
  }

  // ---- keyboard -------------------------------------------------------------------------------
  function moveFocus (delta: number | 'first' | 'last'): void {
    const usable = rowOrder.filter((r) => !r.ghost)
    if (usable.length === 0) return
    let target: string | undefined
    if (delta === 'first') target = usable[0]!.id
    else if (delta === 'last') target = usable[usable.length - 1]!.id
    else {
      const current = document.activeElement?.closest('[data-slot-id]')?.getAttribute('data-slot-id') ?? null
      const i = current === null ? -1 : rowOrder.findIndex((r) => r.id === current)
      if (i < 0) target = (delta > 0 ? usable[0] : usable[usable.length - 1])!.id
      else {
        const rest = delta > 0 ? rowOrder.slice(i + 1) : rowOrder.slice(0, i).reverse()
        target = rest.find((r) => !r.ghost)?.id ?? rowOrder[i]!.id
      }
    }
    setFocusedId(target)
    if (!focusNow(rowSelector(target))) focusSoon(rowSelector(target))
  }

  const onKey = (e: KeyboardEvent): void => {
    if (e.defaultPrevented || e.isComposing) return
    const target = e.target instanceof HTMLElement ? e.target : null
    const typing = target?.closest('input, textarea, select, [contenteditable="true"]') != null
    const p = calls.state.phase
    if (e.key === 'Escape') {
      if (calls.state.kindCheck !== null) { e.preventDefault(); closeKindCheck() } else if (p.name === 'hold') { e.preventDefault(); void release() } else if (p.name === 'endcall') { e.preventDefault(); closeEndCall() } else if (p.name === 'callback') { e.preventDefault(); closeCallback() } else if (calls.state.moving !== null) { e.preventDefault(); abandonMove() }
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
    if (shortcutsPaused(calls.state)) return
    const inList = target?.closest('[data-slot-id]') != null
    switch (e.key) {
      case '/': e.preventDefault(); communeRef.current?.focus(); communeRef.current?.select(); break
      case 't': e.preventDefault(); gpRef.current?.focus(); gpRef.current?.select(); break
      case 'f': if (p.name !== 'booked') { e.preventDefault(); openEndCall() } break
      case 'r': e.preventDefault(); openCallback(); break
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
    activeId: heldSlot(call)?.id ?? null,
    activeExpired: holdExpired(call, now),
    pendingId: call.holding,
    onHold: (s) => { void hold(s) },
    onFocusRow: setFocusedId
  }
  const statusText = status === 'live' ? 'En direct' : status === 'connecting' ? 'connexion…' : status === 'ended' ? liveStatusLabel(status, live.endedMessage) : 'reconnexion…'
  const gpHint = gp === null
    ? (call.gpText.trim() !== '' && gpOptions.length === 0 ? 'Aucun créneau ouvert de ce médecin.' : 'Ses créneaux libres passent en tête.')
    : gpFree > 0
      ? `RPPS ${gp.rpps} · ${gpFree} créneau${gpFree > 1 ? 'x' : ''} libre${gpFree > 1 ? 's' : ''}, en tête de liste.`
      : `RPPS ${gp.rpps} · aucun créneau libre : réorientez vers son cabinet (fin d’appel).`
  const communeOutside = commune !== null && commune.territory === 'outside'
  const communeHint = commune !== null
    ? (communeOutside ? outsideWarning(commune) : 'Classement : commune, intercommunalité, département.')
    : call.communeFound !== null && call.communeFound.length === 0 ? 'Aucune commune trouvée.' : 'Classe les créneaux par proximité.'
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
          <button type='button' id='callback-open' onClick={openCallback}>
            Rappel d’un patient <kbd class='rg-kbd' aria-hidden='true'>r</kbd>
          </button>
          <button type='button' onClick={newCall}>Nouvel appel</button>
        </div>
      </div>

      <div class='rg-layout'>
        <div class={'rg-main' + (status === 'live' ? '' : ' is-stale')}>
          <section class='rg-call card' aria-label='Appel en cours'>
            <Combobox id='patient-commune' label='Commune du patient' shortcut='/' inputRef={communeRef}
              value={call.communeText} chosen={commune !== null} options={commune !== null ? [] : communeOptions}
              placeholder='Nom ou code postal'
              onInput={(text) => calls.dispatch({ type: 'communeTyped', text })}
              onSelect={chooseCommune}
              onClear={() => { calls.dispatch({ type: 'communeCleared' }); communeRef.current?.focus() }}
              onEscape={focusList}
              hint={communeHint} warn={communeOutside} />
            <Combobox id='treating-gp' label='Médecin traitant' shortcut='t' inputRef={gpRef}
              value={call.gpText} chosen={gp !== null} options={gpOptions}
              placeholder='Nom ou RPPS'
              onInput={onGpInput}
              onSelect={chooseGp}
              onClear={() => { calls.dispatch({ type: 'gpCleared' }); gpRef.current?.focus() }}
              onEscape={focusList}
              hint={gpHint} />
            <fieldset class='rg-radios rg-call-kind'>
              <legend>Demande</legend>
              {(['snp', 'psy'] as const).map((k) => (
                <label key={k} class='rg-radio'>
                  <input type='radio' id={`call-kind-${k}`} name='call-kind' value={k} checked={call.kind === k}
                    onChange={() => calls.dispatch({ type: 'kindChosen', kind: k })} />
                  {KIND_LONG_FR[k]}
                </label>
              ))}
            </fieldset>
          </section>

          <h2 class='sr-only' id='slots-title' tabIndex={-1}>Créneaux ouverts</h2>
          {call.moving !== null && (
            <p class='banner banner-warn rg-moving'>
              Déplacement du rendez-vous de <strong>{call.moving.patient !== undefined ? `${call.moving.patient.lastName.toUpperCase()} ${call.moving.patient.firstName}` : 'ce patient'}</strong>
              {' '}({bookingWhen(call.moving, (id) => cptsById.get(id)?.timezone ?? DEFAULT_ZONE)}) : choisissez le nouveau créneau.
              {' '}<button type='button' class='link' onClick={abandonMove}>Abandonner le déplacement</button>
            </p>
          )}
          <div class='rg-filters' role='group' aria-label='Filtres'>
            <label>Type
              <select value={allKinds ? 'all' : 'call'} onChange={(e) => setAllKinds(e.currentTarget.value === 'all')}>
                <option value='call'>Celui de la demande</option>
                <option value='all'>Tous les types</option>
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
                Aucun créneau ouvert{filters.mode !== '' || filters.cptsId !== '' || filters.practitionerId !== '' ? ' pour ces filtres' : ''}.
                {shownFilters.kind !== '' && <> Type de la demande : {KIND_LONG_FR[shownFilters.kind].toLowerCase()} (« Tous les types » montre les autres).</>}
                {' '}Si rien ne convient, notez l’appel avec « Fin d’appel sans réservation » (Aucun créneau disponible).
              </p>
            )}
            <SlotGroups groups={groups} ctx={ctx} communeName={commune?.name ?? null} />
          </div>
        </div>

        <aside class='rg-panel' aria-label='Réservation'>
          {call.notice !== null && (
            <p class={`banner banner-${call.notice.kind === 'ok' ? 'ok' : call.notice.kind === 'warn' ? 'warn' : 'error'}`} role={call.notice.kind === 'error' ? 'alert' : 'status'}>
              {call.notice.text}
            </p>
          )}
          {call.kindCheck !== null && (
            <KindCheckPanel slot={call.kindCheck} callKind={call.kind} zone={zoneOf(call.kindCheck)} cptsName={cptsName(call.kindCheck.cptsId)}
              confirmRef={kindRef}
              onConfirm={() => { const slot = calls.state.kindCheck; if (slot !== null) void hold(slot, true) }}
              onClose={closeKindCheck} />
          )}
          {phase.name === 'callback' && (
            <CallbackPanel zoneOf={(id) => cptsById.get(id)?.timezone ?? DEFAULT_ZONE} search={searchBookings}
              onCancel={cancelBooking} onMove={startMove} onClose={closeCallback} firstFieldRef={callbackRef} />
          )}
          {heldPhase !== null && call.moving !== null && (
            <MovePanel booking={call.moving} slot={heldPhase.slot} zone={zoneOf(heldPhase.slot)} zoneOf={(id) => cptsById.get(id)?.timezone ?? DEFAULT_ZONE}
              cptsName={cptsName(heldPhase.slot.cptsId)} expiresAt={heldPhase.expiresAt} now={now} busy={holdBusy(call)} formError={call.formError}
              onMove={() => { void move() }} onExtend={() => { void extend() }} onCancel={() => { void release() }} firstFieldRef={moveRef} />
          )}
          {heldPhase !== null && call.moving === null && (
            <HoldPanel slot={heldPhase.slot} zone={zoneOf(heldPhase.slot)} cptsName={cptsName(heldPhase.slot.cptsId)}
              expiresAt={heldPhase.expiresAt} now={now} busy={holdBusy(call)}
              draft={call.draft} onDraft={(patch) => calls.dispatch({ type: 'draftEdited', patch })}
              errors={call.errors} formError={call.formError}
              onBook={() => { void book() }} onExtend={() => { void extend() }} onCancel={() => { void release() }}
              firstFieldRef={firstFieldRef} />
          )}
          {phase.name === 'booked' && (
            <Confirmation slot={phase.slot} booking={phase.booking} zone={zoneOf(phase.slot)} cptsName={cptsName(phase.slot.cptsId)}
              patientName={phase.patientName} callLog={phase.callLog} movedFrom={phase.movedFrom}
              onRetryLog={() => { void logBooked(commune) }} onNewCall={newCall} newCallRef={newCallRef} />
          )}
          {phase.name === 'endcall' && (
            <EndCallPanel commune={commune} initial={endCallDefaults(call, { gpFree, freeCount, kind: '' })} busy={phase.busy} error={phase.error}
              onSubmit={(v) => { void submitEndCall(v) }} onClose={closeEndCall} />
          )}
          {phase.name === 'list' && (
            <div class='rg-help card'>
              <h2>Pendant un appel du {SAS_NUMBER}</h2>
              <ol>
                <li>Saisissez la <strong>commune du patient</strong> et, s’il en a un, son <strong>médecin traitant</strong> ; précisez la <strong>demande</strong> (soins non programmés ou psychiatrie).</li>
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
              <dt><kbd>Échap</kbd></dt><dd>quitter le champ ; annuler, libérer le créneau</dd>
              <dt><kbd>f</kbd></dt><dd>fin d’appel sans réservation</dd>
              <dt><kbd>r</kbd></dt><dd>rappel d’un patient : retrouver, annuler, déplacer</dd>
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
