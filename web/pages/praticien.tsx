import { render } from 'preact'
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { PAGES } from '../../shared/pages.js'
import type { Cpts, User } from '../../shared/schemas/accounts.js'
import type { Booking, EventType, Slot } from '../../shared/schemas/slots.js'
import { FeedPanel } from '../components/feed-panel.js'
import { Agenda } from '../components/praticien-agenda.js'
import { Bookings } from '../components/praticien-bookings.js'
import { requestFailure } from '../components/praticien-fields.js'
import { PublishPanel } from '../components/praticien-publish.js'
import { UpcomingSlots } from '../components/praticien-slots.js'
import { api } from '../lib/api.js'
import { DEFAULT_ZONE, PROFESSION_FR, todayIn } from '../lib/format.js'
import { LiveSlots, liveStatusLabel, type LiveStatus } from '../lib/live.js'
import { agree } from '../lib/french.js'
import { Layout, useMe } from '../lib/ui.js'

/** Live events after which this practitioner's bookings list may differ. */
const BOOKING_EVENTS: ReadonlySet<EventType> = new Set<EventType>(['slot.booked', 'booking.cancelled', 'booking.outcome'])

function Page () {
  const me = useMe()
  return (
    <Layout me={me} title={PAGES.praticien.title}>
      {me === null
        ? <p class='hint'>Chargement…</p>
        : me.practitioner === undefined
          ? <p class='banner banner-warn'>Cette page présente les créneaux et réservations d’un praticien : connectez-vous avec un compte de médecin généraliste ou de psychiatre pour publier des créneaux.</p>
          : <Practitioner me={me as User & { practitioner: NonNullable<User['practitioner']> }} />}
    </Layout>
  )
}

function Practitioner (props: { me: User & { practitioner: NonNullable<User['practitioner']> } }) {
  const { me } = props
  const [cpts, setCpts] = useState<Cpts | null | undefined>(undefined)
  const [slots, setSlots] = useState<Slot[] | null>(null)
  const [bookings, setBookings] = useState<Booking[] | null>(null)
  const [version, setVersion] = useState(0)
  const [loadError, setLoadError] = useState<string | undefined>()
  const [live, setLive] = useState<LiveStatus>('connecting')
  const [liveEnded, setLiveEnded] = useState<string | null>(null)
  const [now, setNow] = useState(() => Date.now())
  const zone = cpts?.timezone ?? DEFAULT_ZONE
  const kind = me.practitioner.profession === 'gp' ? 'snp' : 'psy'

  useEffect(() => {
    api<Cpts[]>('GET', '/api/cpts').then(
      (list) => setCpts(list.find((c) => c.id === me.cptsId) ?? null),
      () => setCpts(null))
  }, [])

  // Reloads the slots, and the bookings when they may have changed (each read of the bookings,
  // which carry patient identity, is an audit entry: a hold or a new slot does not need one).
  // Calls made while a reload is under way are folded into one more reload.
  const running = useRef<Promise<void> | null>(null)
  const again = useRef<{ bookings: boolean } | null>(null)
  const reload = useCallback((withBookings: boolean): void => {
    if (cpts === undefined) return
    if (running.current !== null) { again.current = { bookings: (again.current?.bookings ?? false) || withBookings }; return }
    const today = todayIn(zone)
    const q = new URLSearchParams({ practitionerId: me.id, from: today, ...(me.cptsId !== null ? { cptsId: me.cptsId } : {}) })
    running.current = Promise.all([
      api<Slot[]>('GET', '/api/slots?' + q.toString()),
      withBookings ? api<Booking[]>('GET', '/api/bookings') : Promise.resolve(null)
    ]).then(([s, b]) => {
      setSlots([...s].sort((x, y) => x.start.localeCompare(y.start)))
      if (b !== null) setBookings(b)
      setLoadError(undefined)
    }, (err: unknown) => {
      setLoadError(requestFailure(err).form ?? 'Les listes n’ont pas pu être chargées.')
    }).finally(() => {
      running.current = null
      setVersion((n) => n + 1)
      setNow(Date.now())
      const next = again.current
      if (next !== null) { again.current = null; reload(next.bookings) }
    })
  }, [cpts, zone])
  const reloadAll = useCallback(() => { reload(true) }, [reload])

  useEffect(() => { reload(true) }, [reload])

  // Live (web/lib/live.ts, shared with /regulation): when a regulator holds, books or cancels
  // one of my slots, or after a resynchronisation, the lists are reloaded over HTTP (bookings
  // carry the patient identity, which the feed never does). The client's slot map is not needed
  // here: `keep` leaves it empty.
  const reloadRef = useRef(reload)
  reloadRef.current = reload
  useEffect(() => {
    let pending: ReturnType<typeof setTimeout> | undefined
    let withBookings = false
    const later = (bookingsToo: boolean): void => {
      withBookings ||= bookingsToo
      clearTimeout(pending)
      pending = setTimeout(() => { const b = withBookings; withBookings = false; reloadRef.current(b) }, 200)
    }
    const client = new LiveSlots({ keep: () => false })
    const off = client.subscribe((change) => {
      if (change.type === 'status') { setLive(change.status); setLiveEnded(client.endedMessage) }
      else if (change.type === 'snapshot') { if (change.resync) later(true) } else if (change.type === 'event' && change.slot.practitioner.id === me.id) later(BOOKING_EVENTS.has(change.event))
    })
    client.start()
    setLive(client.status)
    return () => { clearTimeout(pending); off(); client.stop() }
  }, [])

  // Outcome buttons appear once a slot has started: the clock of the page moves every 30 s.
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 30_000)
    return () => clearInterval(t)
  }, [])

  const byBooking = useMemo(() => new Map((bookings ?? []).map((b) => [b.id, b])), [bookings])
  const toRecord = (bookings ?? []).filter((b) => b.status === 'booked' && b.slot !== undefined && new Date(b.slot.start).getTime() <= now).length
  const upcoming = (bookings ?? []).filter((b) => b.status === 'booked' && b.slot !== undefined && new Date(b.slot.start).getTime() > now).length
  const freeCount = (slots ?? []).filter((s) => s.status === 'free').length

  if (cpts === undefined) return <p class='hint'>Chargement…</p>
  return (
    <div class='pr-page'>
      <p class='pr-intro'>
        {PROFESSION_FR[me.practitioner.profession]}
        {cpts !== null && <> · {cpts.name}</>}
        <span class={'pr-live pr-live-' + live} role='status'>
          {live === 'live' ? 'Mis à jour en direct' : liveStatusLabel(live, liveEnded)}
        </span>
      </p>
      <nav class='pr-jump' aria-label='Sections de la page'>
        <a href='#agenda'>Agenda</a>
        <a href='#reservations'>Réservations{bookings !== null && ` (${upcoming + toRecord})`}</a>
        <a href='#publier'>Publier</a>
        <a href='#creneaux'>Créneaux{slots !== null && ` (${freeCount} ${agree(freeCount, 'libre', 'libres')})`}</a>
        <a href='#flux'>Flux agenda</a>
      </nav>
      {loadError !== undefined && <p class='banner banner-error' role='alert'>{loadError}</p>}
      {/* The day first (on a phone, the agenda and the bookings come before publishing). */}
      <div class='pr-grid'>
        <div class='pr-col-lists'>
          <Agenda slots={slots} bookings={byBooking} zone={zone} now={now} onChanged={reloadAll} />
          <Bookings bookings={bookings} zone={zone} now={now} onChanged={reloadAll} />
        </div>
        <div class='pr-col-publish'>
          <PublishPanel zone={zone} kind={kind} version={version} onPublished={reloadAll} />
          <UpcomingSlots slots={slots} bookings={byBooking} zone={zone} onChanged={reloadAll} />
          <FeedPanel />
        </div>
      </div>
    </div>
  )
}

render(<Page />, document.getElementById('app')!)
