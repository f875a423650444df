// The baseline of the live benchmark: a bare `ws` server, no framework, no auth, no database.
// It speaks just enough of the `/api/live` protocol for the same clients to drive it the same
// way: `hold` and `book` get a reply of the real size at once, and the matching `slot.held` /
// `slot.booked` event (built from frames captured on the real server, so of the same size) is
// serialised once and sent to every socket. `bcast` only broadcasts a `slot.booked` event.
import { WebSocketServer, type WebSocket } from 'ws'
import { memoryReport, toParent, type ParentMessage, type Templates } from './lib.js'

const clients = new Set<WebSocket>()
let templates: Templates | undefined
let seq = 0

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 64 * 1024 })

function broadcast (data: Buffer, holder?: WebSocket, holderData?: Buffer): void {
  for (const c of clients) {
    if (c.readyState !== c.OPEN) continue
    c.send(holder !== undefined && c === holder ? holderData as Buffer : data, { binary: false })
  }
}

function reply (ws: WebSocket, requestId: string, result: unknown): void {
  ws.send(JSON.stringify({ type: 'reply', requestId, ok: true, result }), { binary: false })
}

function onCommand (ws: WebSocket, raw: Buffer): void {
  const tpl = templates
  let cmd: { type?: string, requestId?: string, slotId?: string }
  try { cmd = JSON.parse(raw.toString()) } catch { return }
  if (tpl === undefined || typeof cmd.slotId !== 'string') return
  const slotId = cmd.slotId
  const requestId = cmd.requestId ?? ''
  switch (cmd.type) {
    case 'hold': {
      reply(ws, requestId, { ...tpl.holdResult, slot: { ...tpl.holdResult.slot, id: slotId } })
      seq++
      // As the real hub: one frame for everyone, one for the holder (its hold is "me").
      const general = Buffer.from(JSON.stringify({ type: 'event', seq, event: 'slot.held', slot: { ...tpl.heldSlot, id: slotId } }))
      const mine = Buffer.from(JSON.stringify({ type: 'event', seq, event: 'slot.held', slot: { ...tpl.holdResult.slot, id: slotId } }))
      broadcast(general, ws, mine)
      break
    }
    case 'book':
      reply(ws, requestId, { ...tpl.bookResult, slotId })
      seq++
      broadcast(Buffer.from(JSON.stringify({ type: 'event', seq, event: 'slot.booked', slot: { ...tpl.bookedSlot, id: slotId } })))
      break
    case 'bcast':
      seq++
      broadcast(Buffer.from(JSON.stringify({ type: 'event', seq, event: 'slot.booked', slot: { ...tpl.bookedSlot, id: slotId } })))
      break
  }
}

wss.on('connection', (ws) => {
  clients.add(ws)
  ws.on('message', (data) => onCommand(ws, data as Buffer))
  ws.on('close', () => clients.delete(ws))
  ws.on('error', () => clients.delete(ws))
  // An empty snapshot, so that clients start from the current seq as with the real server.
  ws.send(JSON.stringify({ type: 'snapshot', seq, slots: [] }))
})

function stop (): void {
  for (const c of clients) c.terminate()
  wss.close(() => process.exit(0))
  setTimeout(() => process.exit(0), 1000).unref()
}

process.on('message', (m: ParentMessage) => {
  if (m.type === 'templates') templates = m.templates
  if (m.type === 'memory') toParent({ type: 'memory', report: memoryReport(clients.size) })
  if (m.type === 'cpu') toParent({ type: 'cpu', usage: process.cpuUsage() })
  if (m.type === 'stop') stop()
})
process.on('disconnect', stop)

wss.on('listening', () => {
  const address = wss.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  toParent({ type: 'ready', port: address.port })
})
