/**
 * /regulation: the regulators' live board. A regulator on the phone with a patient narrows the
 * open slots (kind, mode, CPTS), ranks them by the patient's commune, puts the patient's own GP
 * first, holds a slot, books it with the patient's identity and reads the confirmation back;
 * or logs how the call ended without a booking. Everything works from the keyboard.
 */
import { render } from 'preact'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { PAGES } from '../../shared/pages.js'
import type { Cpts } from '../../shared/schemas/accounts.js'
import type { Slot } from '../../shared/schemas/slots.js'
import { BoardActions, type FocusTarget } from '../components/regulation-actions.js'
import { HoldPanel } from '../components/regulation-booking.js'
import { CallStore, endCallDefaults, heldSlot, holdBusy, holdExpired, isOwnSlot, shortcutsPaused, type CallState } from '../components/regulation-call.js'
import { bookingWhen, CallbackPanel } from '../components/regulation-callback.js'
import { Combobox, type ComboOption } from '../components/regulation-combobox.js'
import { KindCheckPanel, MovePanel } from '../components/regulation-move.js'
import { Confirmation } from '../components/regulation-confirmation.js'
import { EndCallPanel } from '../components/regulation-endcall.js'
import { keyTakesText } from '../components/regulation-keys.js'
import { SlotGroups, type RowContext } from '../components/regulation-list.js'
import { rankedRequests, type WaitFilters } from '../components/regulation-waiting.js'
import { requestRowSelector, WaitActions, type WaitState } from '../components/regulation-waiting-actions.js'
import { WaitingClaim } from '../components/regulation-waiting-claim.js'
import { WaitingDone, WaitingForm } from '../components/regulation-waiting-form.js'
import { WaitingList } from '../components/regulation-waiting-list.js'
import {
  batchAnnouncements, boardView, feedAnnouncement, filtersFromSearch, ghostReason, isOpen, matchesFilters, practitionersOf,
  resyncAnnouncement, searchPractitioners, slotLabel, type Commune, type Filters, type Ghost
} from '../components/regulation-model.js'
import { api } from '../lib/api.js'
import { DEFAULT_ZONE, doctorName, formatTime, KIND_LONG_FR, MODE_FR, PROFESSION_FR, SAS_NUMBER, secondsLeft, todayIn } from '../lib/format.js'
import { agree, frInt, plural } from '../lib/french.js'
import { LiveSlots, liveStatusLabel, randomId, useLive, type LiveChange } from '../lib/live.js'
import { Layout, useMe } from '../lib/ui.js'

const live = new LiveSlots()

/** How long a slot that left the feed stays on screen, faded, before its row goes. */
const GHOST_MS = 2000
/** How long a new slot's row is highlighted. */
const FRESH_MS = 6000

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

/** The waiting list's panel for this component: its state (to render) and its actions. */
function useWait (make: () => WaitActions): [WaitState, WaitActions] {
  const [actions] = useState(make)
  const [state, setState] = useState(actions.state)
  useEffect(() => { setState(actions.state); return actions.subscribe(setState) }, [actions])
  return [state, actions]
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
  const zoneOfCpts = (id: string): string => cptsById.get(id)?.timezone ?? DEFAULT_ZONE
  const zoneOf = (s: Slot): string => zoneOfCpts(s.cptsId)
  const cptsName = (id: string): string => cptsById.get(id)?.name ?? 'CPTS'
  const zoneOfCptsRef = useRef(zoneOfCpts)
  zoneOfCptsRef.current = zoneOfCpts

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

  // What the buttons and keys do (requests, the call's store, focus, announcements): regulation-actions.ts.
  const [actions] = useState(() => new BoardActions(calls, {
    live, api, randomId, zoneOfCpts: (id) => zoneOfCptsRef.current(id), today: (zone) => todayIn(zone)
  }, {
    announce,
    focus: (target: FocusTarget) => {
      switch (target.to) {
        case 'row': setFocusedId(target.id); focusSoon(rowSelector(target.id)); break
        case 'list': focusList(); break
        case 'form': focusForm(); break
        case 'confirmation': focusConfirmation(); break
        case 'element': focusSoon(target.selector); break
      }
    },
    setFocusedId,
    showCallKind: () => setAllKinds(false)
  }))

  // ---- the waiting list: the form after « aucun créneau », the open requests, a claim ---------
  const [wait, waits] = useWait(() => new WaitActions({ api, randomId, slotOf: (id) => live.slots.get(id) }, {
    focus: (selector) => focusSoon(selector),
    announce,
    beforeOpen: () => {
      const p = calls.state.phase.name
      if (p === 'hold') void actions.release()
      else if (p === 'endcall') actions.closeEndCall()
      else if (p === 'callback') actions.closeCallback()
      else if (p === 'booked') actions.newCall()
    }
  }))
  const [waitFilters, setWaitFilters] = useState<WaitFilters>({ kind: '', commune: '' })
  const [waitFocusedId, setWaitFocusedId] = useState<string | null>(null)
  // The call's own panel opens (a slot held, the end of call, a call-back): the waiting list's gives way.
  useEffect(() => { if (phase.name !== 'list') waits.dismiss() }, [phase.name])

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
      if (held !== null) actions.followHold(held.id, live.slots.get(held.id), t)
      return
    }
    if (c.type === 'request') {
      if (c.event === 'request.matched' && c.request.claim === undefined) announce(`Liste d’attente : un créneau correspond à une demande (${c.request.place.commune}).`)
      if (c.event === 'request.ended') waits.requestEnded(c.request.id)
      return
    }
    const { slot, previous, kept, event } = c
    const claimed = waits.state.panel
    const own = isOwnSlot(calls.state, slot.id) || (claimed?.name === 'claim' && claimed.slotId === slot.id) || (claimed?.name === 'booked' && claimed.slot.id === slot.id)
    if (!kept && previous !== undefined) {
      setGhosts((g) => new Map(g).set(slot.id, { slot: previous, reason: ghostReason(event), until: t + GHOST_MS }))
    }
    if (kept && previous === undefined) markNew([slot.id], t)
    actions.followHold(slot.id, kept ? slot : undefined, t)

    if (own || !matchesFilters(slot, shownFilters) || Date.parse(slot.start) <= t) return
    const text = feedAnnouncement(event, slot, previous, slotLabel(slot, zoneOf(slot)))
    if (text !== null) announce(text)
  }
  const onLiveRef = useRef(onLive)
  onLiveRef.current = onLive
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
    const bye = (): void => { actions.leave() }
    window.addEventListener('pagehide', bye)
    return () => window.removeEventListener('pagehide', bye)
  }, [actions])

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
  const waitItems = rankedRequests(live.requests.values(), slots, now, waitFilters)
  const heldCount = shown.length - freeCount

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

  /** Moves among the waiting list's requests (↓/↑, j/k, Début/Fin). */
  function moveWaitFocus (delta: number | 'first' | 'last'): void {
    const ids = waitItems.map((i) => i.request.id)
    if (ids.length === 0) return
    const current = document.activeElement?.closest('[data-request-id]')?.getAttribute('data-request-id') ?? null
    const i = current === null ? -1 : ids.indexOf(current)
    const target = delta === 'first' ? ids[0]! : delta === 'last' ? ids[ids.length - 1]! : ids[Math.max(0, Math.min(ids.length - 1, i + delta))]!
    setWaitFocusedId(target)
    if (!focusNow(requestRowSelector(target))) focusSoon(requestRowSelector(target))
  }

  /** `a`: the waiting list, on its first request (else its heading). */
  function focusWaitList (): void {
    const first = waitItems[0]?.request.id
    if (first === undefined) { focusNow('#wl-title'); return }
    const id = waitItems.some((i) => i.request.id === waitFocusedId) ? waitFocusedId! : first
    setWaitFocusedId(id)
    focusNow(requestRowSelector(id))
  }

  function openWaitForm (): void {
    const offer = calls.state.waitOffer
    if (offer !== null) waits.openForm(offer)
  }

  /** The waiting list's panel takes Échap and Ctrl+Entrée first; true when it did. */
  function onWaitKey (e: KeyboardEvent, target: HTMLElement | null): boolean {
    const w = waits.state.panel
    if (w === null) return false
    if (e.key === 'Escape') {
      e.preventDefault()
      if (w.name === 'claim' && w.confirming) waits.cancelBook()
      else if (w.name === 'form') waits.close(calls.state.waitOffer !== null ? '#wl-offer' : '#patient-commune')
      else waits.close('#wl-title')
      return true
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      if (w.name === 'form') { e.preventDefault(); document.querySelector<HTMLFormElement>('#wl-form')?.requestSubmit(); return true }
      if (w.name === 'claim') {
        e.preventDefault()
        if (target?.closest('.rg-wl-withdraw') != null) document.querySelector<HTMLFormElement>('.rg-wl-withdraw')?.requestSubmit()
        else if (w.confirming) void waits.book()
        else waits.askBook()
        return true
      }
    }
    if (e.key === 'n' && (w.name === 'done' || w.name === 'booked') && !keyTakesText(target) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault()
      newCallAfterWait()
      return true
    }
    return false
  }

  function newCallAfterWait (): void {
    waits.close(null)
    actions.newCall()
  }

  const onKey = (e: KeyboardEvent): void => {
    if (e.defaultPrevented || e.isComposing) return
    const target = e.target instanceof HTMLElement ? e.target : null
    // A radio button or a button takes no text: the shortcuts work from it too.
    const typing = keyTakesText(target)
    const p = calls.state.phase
    const inList = target?.closest('[data-slot-id]') != null
    const inWaitList = target?.closest('[data-request-id]') != null
    if (calls.state.kindCheck === null && onWaitKey(e, target)) return
    if (e.key === 'Escape') {
      if (calls.state.kindCheck !== null) { e.preventDefault(); actions.closeKindCheck() } else if (p.name === 'hold') { e.preventDefault(); void actions.release() } else if (p.name === 'endcall') { e.preventDefault(); actions.closeEndCall() } else if (p.name === 'callback') { e.preventDefault(); actions.closeCallback() } else if (calls.state.moving !== null) { e.preventDefault(); actions.abandonMove() } else if (target?.closest('.rg-main') != null && !inList) {
        // Nothing to close: leave the control (a radio of "Demande", a filter) for the list, as the fields do.
        e.preventDefault()
        focusList()
      }
      return
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      if (p.name === 'hold') { e.preventDefault(); void actions.book() } else if (p.name === 'endcall') {
        e.preventDefault()
        document.querySelector<HTMLFormElement>('#end-call-form')?.requestSubmit()
      }
      return
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return
    if (shortcutsPaused(calls.state)) return
    if (inWaitList) {
      const move: Record<string, number | 'first' | 'last'> = { j: 1, k: -1, ArrowDown: 1, ArrowUp: -1, Home: 'first', End: 'last' }
      const d = move[e.key]
      if (d !== undefined) { e.preventDefault(); moveWaitFocus(d); return }
    }
    switch (e.key) {
      case 'a': e.preventDefault(); focusWaitList(); break
      case 'l': if (calls.state.waitOffer !== null) { e.preventDefault(); openWaitForm() } break
      case '/': e.preventDefault(); communeRef.current?.focus(); communeRef.current?.select(); break
      case 't': e.preventDefault(); gpRef.current?.focus(); gpRef.current?.select(); break
      case 'f': if (p.name !== 'booked') { e.preventDefault(); actions.openEndCall() } break
      case 'r': e.preventDefault(); actions.openCallback(); break
      case 'n': if (p.name === 'booked') { e.preventDefault(); actions.newCall() } break
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
    // The slot held with a claimed waiting-list request is this page's too (Entrée on it holds nothing more).
    activeId: heldSlot(call)?.id ?? (wait.panel?.name === 'claim' ? wait.panel.slotId : null),
    activeExpired: holdExpired(call, now),
    pendingId: call.holding,
    onHold: (s) => { void actions.hold(s) },
    onFocusRow: setFocusedId
  }
  const statusText = status === 'live' ? 'En direct' : status === 'connecting' ? 'connexion…' : status === 'ended' ? liveStatusLabel(status, live.endedMessage) : 'reconnexion…'
  const gpHint = gp === null
    ? (call.gpText.trim() !== '' && gpOptions.length === 0 ? 'Aucun créneau ouvert de ce médecin.' : 'Ses créneaux libres passent en tête.')
    : gpFree > 0
      ? `RPPS ${gp.rpps} · ${plural(gpFree, 'créneau', 'créneaux')} ${agree(gpFree, 'libre', 'libres')}, en tête de liste.`
      : `RPPS ${gp.rpps} · aucun créneau libre : réorientez vers son cabinet (fin d’appel).`
  const communeOutside = commune !== null && commune.territory === 'outside'
  const communeHint = commune !== null
    ? (communeOutside ? outsideWarning(commune) : 'Classement : commune, intercommunalité, département.')
    : call.communeFound !== null && call.communeFound.length === 0 ? 'Aucune commune trouvée.' : 'Classe les créneaux par proximité.'
  const waitPanel = wait.panel
  const hasPanel = phase.name !== 'list' || waitPanel !== null
  const claimSlot = waitPanel?.name === 'claim' && waitPanel.slotId !== null ? (slots.get(waitPanel.slotId) ?? null) : null
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
          <button type='button' id='end-call-open' onClick={() => actions.openEndCall()} disabled={phase.name === 'booked'}>
            Fin d’appel sans réservation <kbd class='rg-kbd' aria-hidden='true'>f</kbd>
          </button>
          <button type='button' id='callback-open' onClick={() => actions.openCallback()}>
            Rappel d’un patient <kbd class='rg-kbd' aria-hidden='true'>r</kbd>
          </button>
          <button type='button' onClick={() => actions.newCall()}>Nouvel appel</button>
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

          <WaitingList items={waitItems} total={live.requests.size} ready={ready} filters={waitFilters} onFilters={setWaitFilters} error={wait.listError}
            ctx={{
              now, zoneOfCpts, focusedId: waitFocusedId, onFocusRow: setWaitFocusedId,
              onClaim: (item, slotId) => { setWaitFocusedId(item.request.id); void waits.claim(item.request, slotId) }
            }} />

          <h2 class='sr-only' id='slots-title' tabIndex={-1}>Créneaux ouverts</h2>
          {call.moving !== null && (
            <p class='banner banner-warn rg-moving'>
              Déplacement du rendez-vous de <strong>{call.moving.patient !== undefined ? `${call.moving.patient.lastName.toUpperCase()} ${call.moving.patient.firstName}` : 'ce patient'}</strong>
              {' '}({bookingWhen(call.moving, (id) => cptsById.get(id)?.timezone ?? DEFAULT_ZONE)}) : choisissez le nouveau créneau.
              {' '}<button type='button' class='link' onClick={() => actions.abandonMove()}>Abandonner le déplacement</button>
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
                : <>{plural(freeCount, 'créneau', 'créneaux')} {agree(freeCount, 'libre', 'libres')}{heldCount > 0 ? ` · ${frInt(heldCount)} en cours` : ''}</>}
              {status !== 'live' && ready && <span class='rg-stale'> · peut-être plus à jour</span>}
              {deferred.size > 0 && (
                <span class='rg-deferred'>
                  {' · '}{plural(deferred.size, 'nouveau', 'nouveaux')}{' '}
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
          {call.waitOffer !== null && waitPanel === null && phase.name === 'list' && (
            <p class='rg-wl-offer'>
              <button type='button' id='wl-offer' class='primary' onClick={openWaitForm}>
                Inscrire sur la liste d’attente <kbd class='rg-kbd' aria-hidden='true'>l</kbd>
              </button>
            </p>
          )}
          {waitPanel?.name === 'form' && (
            <WaitingForm offer={waitPanel.offer} commune={waitPanel.offer.commune ?? commune} today={todayIn(zoneOfCpts(waitPanel.offer.cptsId ?? ''))}
              busy={waitPanel.busy} error={waitPanel.error} errors={waitPanel.errors}
              onRejected={(errors) => waits.formRejected(errors)} onSubmit={(body) => {
                void waits.submitForm(body).then(() => { if (waits.state.panel?.name === 'done') calls.dispatch({ type: 'waitOfferTaken' }) })
              }}
              onClose={() => waits.close(calls.state.waitOffer !== null ? '#wl-offer' : '#patient-commune')} />
          )}
          {waitPanel?.name === 'done' && <WaitingDone sentence={waitPanel.sentence} request={waitPanel.request} onNewCall={newCallAfterWait} />}
          {waitPanel?.name === 'claim' && (
            <WaitingClaim request={waitPanel.request} slot={claimSlot} now={now} expiresAt={waitPanel.expiresAt}
              zone={claimSlot !== null ? zoneOf(claimSlot) : zoneOfCpts(waitPanel.request.cptsId ?? '')}
              cptsName={claimSlot !== null ? cptsName(claimSlot.cptsId) : ''}
              busy={waitPanel.busy} error={waitPanel.error} confirming={waitPanel.confirming}
              onAskBook={() => waits.askBook()} onConfirm={() => { void waits.book() }} onBack={() => waits.cancelBook()}
              onRelease={() => { void waits.release() }} onExtend={() => { void waits.extend() }} onWithdraw={(reason) => { void waits.withdraw(reason) }} />
          )}
          {waitPanel?.name === 'booked' && (
            <Confirmation slot={waitPanel.slot} booking={waitPanel.booking} zone={zoneOf(waitPanel.slot)} cptsName={cptsName(waitPanel.slot.cptsId)}
              patientName={waitPanel.patientName} callLog='ok' onRetryLog={() => {}} onNewCall={newCallAfterWait} newCallRef={newCallRef} />
          )}
          {call.kindCheck !== null && (
            <KindCheckPanel slot={call.kindCheck} callKind={call.kind} zone={zoneOf(call.kindCheck)} cptsName={cptsName(call.kindCheck.cptsId)}
              confirmRef={kindRef}
              onConfirm={() => { void actions.confirmKind() }}
              onClose={() => actions.closeKindCheck()} />
          )}
          {phase.name === 'callback' && (
            <CallbackPanel zoneOf={zoneOfCpts} search={async (q) => await actions.searchBookings(q)}
              onCancel={async (b, reason) => await actions.cancelBooking(b, reason)} onMove={(b) => actions.startMove(b)}
              onClose={() => actions.closeCallback()} firstFieldRef={callbackRef} />
          )}
          {heldPhase !== null && call.moving !== null && (
            <MovePanel booking={call.moving} slot={heldPhase.slot} zone={zoneOf(heldPhase.slot)} zoneOf={(id) => cptsById.get(id)?.timezone ?? DEFAULT_ZONE}
              cptsName={cptsName(heldPhase.slot.cptsId)} expiresAt={heldPhase.expiresAt} now={now} busy={holdBusy(call)} formError={call.formError}
              onMove={() => { void actions.move() }} onExtend={() => { void actions.extend() }} onCancel={() => { void actions.release() }} firstFieldRef={moveRef} />
          )}
          {heldPhase !== null && call.moving === null && (
            <HoldPanel slot={heldPhase.slot} zone={zoneOf(heldPhase.slot)} cptsName={cptsName(heldPhase.slot.cptsId)}
              expiresAt={heldPhase.expiresAt} now={now} busy={holdBusy(call)}
              draft={call.draft} onDraft={(patch) => calls.dispatch({ type: 'draftEdited', patch })}
              errors={call.errors} formError={call.formError}
              onBook={() => { void actions.book() }} onExtend={() => { void actions.extend() }} onCancel={() => { void actions.release() }}
              firstFieldRef={firstFieldRef} />
          )}
          {phase.name === 'booked' && (
            <Confirmation slot={phase.slot} booking={phase.booking} zone={zoneOf(phase.slot)} cptsName={cptsName(phase.slot.cptsId)}
              patientName={phase.patientName} callLog={phase.callLog} movedFrom={phase.movedFrom}
              onRetryLog={() => { void actions.logBooked(commune) }} onNewCall={() => actions.newCall()} newCallRef={newCallRef} />
          )}
          {phase.name === 'endcall' && (
            <EndCallPanel commune={commune} initial={endCallDefaults(call, { gpFree, freeCount, kind: '' })} busy={phase.busy} error={phase.error}
              onSubmit={(v) => { void actions.submitEndCall(v, filters.cptsId) }} onClose={() => actions.closeEndCall()} />
          )}
          {phase.name === 'list' && waitPanel === null && (
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
